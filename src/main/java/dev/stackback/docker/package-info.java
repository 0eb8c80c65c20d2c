/**
 * The Docker adapter of {@link dev.stackback.port.ContainerRuntime}: the only package that imports
 * docker-java. Its types never leave this package.
 */
package dev.stackback.docker;
