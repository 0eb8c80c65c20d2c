/**
 * The Docker adapter of {@link dev.stackback.port.ContainerRuntime}: the only package that imports
 * docker-java. Its types never leave this package.
 *
 * <p>Known limits: every exec is wrapped in {@code sh -c} (to learn the PID it must kill on
 * timeout), so a container without a POSIX {@code sh} cannot be exec'd into. A worker's stdout and
 * stderr come from Docker's log, which keeps the order within a stream but not between the two
 * streams for lines written within a few milliseconds.
 */
package dev.stackback.docker;
