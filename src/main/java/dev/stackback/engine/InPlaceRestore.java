package dev.stackback.engine;

import dev.stackback.plan.Target;
import dev.stackback.plan.VolumeSnapshot;
import dev.stackback.port.Snapshot;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code restore --in-place} will do, decided before anything runs: which snapshot goes back
 * into which of the service's volumes.
 *
 * @param target the service, as the plan sees it now
 * @param snapshot the volume snapshot to restore
 * @param volumes the service's volumes that the snapshot holds: these are overwritten
 * @param notMounted snapshot paths with no volume of the service now: not restored
 * @param notInSnapshot volumes of the service the snapshot does not hold: left alone
 */
public record InPlaceRestore(
    Target target,
    Snapshot snapshot,
    List<VolumeSnapshot> volumes,
    List<String> notMounted,
    List<VolumeSnapshot> notInSnapshot) {

  public InPlaceRestore {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(snapshot, "snapshot");
    volumes = List.copyOf(volumes);
    notMounted = List.copyOf(notMounted);
    notInSnapshot = List.copyOf(notInSnapshot);
  }

  /** Matches the snapshot's paths with the service's current volumes (by snapshot path). */
  public static InPlaceRestore of(Target target, Snapshot snapshot) {
    List<String> paths = snapshot.paths();
    List<VolumeSnapshot> both =
        target.volumes().stream().filter(v -> paths.contains(v.snapshotPath())).toList();
    List<VolumeSnapshot> notInSnapshot =
        target.volumes().stream().filter(v -> !paths.contains(v.snapshotPath())).toList();
    List<String> notMounted =
        paths.stream()
            .filter(p -> target.volumes().stream().noneMatch(v -> v.snapshotPath().equals(p)))
            .toList();
    return new InPlaceRestore(target, snapshot, both, notMounted, notInSnapshot);
  }

  /**
   * The volume snapshot of {@code service} to restore: {@code latest} or an id (or a prefix of it)
   * among {@code snapshots}, limited to snapshots of {@code host} tagged {@code service=<service>}
   * whose paths all lie under {@code /volumes/}.
   */
  public static Optional<Snapshot> pick(
      List<Snapshot> snapshots, String host, String service, String idOrLatest) {
    List<Snapshot> ours =
        snapshots.stream()
            .filter(s -> host.equals(s.hostname()))
            .filter(s -> service.equals(s.tagValue("service")))
            .filter(s -> !s.paths().isEmpty())
            .filter(s -> s.paths().stream().allMatch(p -> p.startsWith("/volumes/")))
            .toList();
    if (idOrLatest == null || idOrLatest.isBlank() || idOrLatest.equals("latest")) {
      return ours.stream().filter(s -> s.time() != null).max(Comparator.comparing(Snapshot::time));
    }
    return ours.stream().filter(s -> s.id().startsWith(idOrLatest)).findFirst();
  }

  /** The paths {@code restic restore --include} gets: the snapshot paths of {@link #volumes}. */
  public List<String> includes() {
    return volumes.stream().map(VolumeSnapshot::snapshotPath).toList();
  }

  /** The service's name. */
  public String service() {
    return target.name();
  }
}
