/**
 * The two ports through which the engine talks to the world ({@link
 * dev.stackback.port.ContainerRuntime} and {@link dev.stackback.port.Restic}), plus the small
 * {@link dev.stackback.port.LocalShell} for hooks that run where stack-back runs. Only our own
 * types cross these interfaces; docker-java and zt-exec stay inside their adapters.
 */
package dev.stackback.port;
