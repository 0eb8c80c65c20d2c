package dev.stackback.plan;

/**
 * One step of the stop + back up + start phase, in the order the engine runs them. The engine may
 * skip snapshot and dump steps after a failure, but never a {@link Start} of a container it
 * stopped.
 */
public sealed interface BackupStep {
  /** The service the step acts on. */
  Target target();

  /** Stop every container of the target's service. */
  record Stop(Target target) implements BackupStep {}

  /** One volume snapshot of the target through a worker container. */
  record Snapshot(Target target) implements BackupStep {}

  /** The target's database dump streamed into restic. */
  record Dump(Target target) implements BackupStep {}

  /** Start again what {@link Stop} stopped. */
  record Start(Target target) implements BackupStep {}
}
