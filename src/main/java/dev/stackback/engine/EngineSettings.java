package dev.stackback.engine;

import dev.stackback.port.KeepPolicy;
import java.time.Duration;
import java.util.Map;

/**
 * What the engine needs from the configuration.
 *
 * @param stopTimeout how long Docker waits for a container to stop before killing it
 * @param startTimeout how long we wait for a container to be running again
 * @param backupTimeout bound of one snapshot or dump
 * @param workerEnv environment of worker containers (restic's repository settings)
 * @param keep retention for maintenance
 * @param maintenanceAfterRun forget + prune after a successful run (MAINTENANCE_SCHEDULE empty)
 * @param retryBackoff first wait between hook retries; doubles per retry, capped at 30s
 * @param healthTimeout how long after its start a restarted container with a healthcheck may take
 *     to become healthy before post hooks run (zero: no health wait)
 * @param concurrency how many dumps and snapshots between two stops or starts may run at once
 *     ({@code BACKUP_CONCURRENCY}; 1 = one after another); an ordered plan always runs one at a
 *     time
 * @param swarmMode SWARM_MODE: stop-during-backup scales swarm services to 0 instead of stopping
 *     their task containers, and recovery scales back what a dead run left at 0
 */
public record EngineSettings(
    Duration stopTimeout,
    Duration startTimeout,
    Duration backupTimeout,
    Map<String, String> workerEnv,
    KeepPolicy keep,
    boolean maintenanceAfterRun,
    Duration retryBackoff,
    Duration healthTimeout,
    int concurrency,
    boolean swarmMode) {
  public EngineSettings {
    workerEnv = Map.copyOf(workerEnv);
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
    }
  }

  /** Settings that run one dump or snapshot at a time, without SWARM_MODE. */
  public EngineSettings(
      Duration stopTimeout,
      Duration startTimeout,
      Duration backupTimeout,
      Map<String, String> workerEnv,
      KeepPolicy keep,
      boolean maintenanceAfterRun,
      Duration retryBackoff,
      Duration healthTimeout) {
    this(
        stopTimeout,
        startTimeout,
        backupTimeout,
        workerEnv,
        keep,
        maintenanceAfterRun,
        retryBackoff,
        healthTimeout,
        1,
        false);
  }
}
