/**
 * The restic adapter: {@link dev.stackback.restic.ResticCli} runs the restic binary for the {@link
 * dev.stackback.port.Restic} port; {@link dev.stackback.restic.ResticArgs} and {@link
 * dev.stackback.restic.ResticJson} build restic's argv and read its JSON, also for worker
 * containers that run restic elsewhere. The only package that imports zt-exec.
 */
package dev.stackback.restic;
