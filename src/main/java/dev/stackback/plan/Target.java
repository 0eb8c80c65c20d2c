package dev.stackback.plan;

import java.util.List;
import java.util.Optional;

/**
 * A service with something to back up, in backup order.
 *
 * @param service the service
 * @param volumes its mounts to snapshot (one snapshot for all of them)
 * @param skippedMounts mounts left out and why, for {@code status}
 * @param dump its database dump, if any
 * @param stopDuringBackup whether its containers are stopped around the volume snapshot
 * @param tags restic tags of its snapshots
 */
public record Target(
    Service service,
    List<VolumeSnapshot> volumes,
    List<SkippedMount> skippedMounts,
    Optional<DatabaseDump> dump,
    boolean stopDuringBackup,
    List<String> tags) {

  /** A mount that is not backed up, with the reason. */
  public record SkippedMount(String destination, String reason) {}

  public Target {
    volumes = List.copyOf(volumes);
    skippedMounts = List.copyOf(skippedMounts);
    tags = List.copyOf(tags);
  }

  public String name() {
    return service.name();
  }

  /** Whether its containers are stopped at all (only when it has volumes to read). */
  public boolean stops() {
    return stopDuringBackup && !volumes.isEmpty();
  }
}
