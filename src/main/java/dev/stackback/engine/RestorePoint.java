package dev.stackback.engine;

import dev.stackback.plan.Plan;
import dev.stackback.plan.Target;
import dev.stackback.port.Snapshot;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The snapshots one backup run made: each carries the tag {@code run=<run id>}, so the volumes and
 * dumps of every service of that run can be restored together, to one point in time.
 *
 * @param runId the run's id
 * @param items its snapshots in the order the run made them (snapshot time, then id)
 */
public record RestorePoint(String runId, List<Item> items) {
  /** The key of the run tag: {@code run=<run id>}. */
  public static final String TAG = "run";

  /** What a snapshot holds. */
  public enum Kind {
    /** a service's volumes, paths under {@code /volumes/} */
    VOLUMES,
    /** one database dump, a file under {@code /databases/} */
    DUMP,
    /** anything else (not made by a run of ours): not restorable by run */
    OTHER
  }

  /** One snapshot of the run: the service it belongs to (its {@code service=} tag) and kind. */
  public record Item(String service, Kind kind, Snapshot snapshot) {
    public Item {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(snapshot, "snapshot");
    }
  }

  /** Something a run was to back up that has no snapshot in it, and why. */
  public record Missing(String service, Kind kind, String why) {}

  public RestorePoint {
    Objects.requireNonNull(runId, "runId");
    items = List.copyOf(items);
  }

  /** The tag of the snapshots of run {@code runId}. */
  public static String tag(String runId) {
    return TAG + "=" + runId;
  }

  /** The run that made {@code s}, or null (older snapshots, the Python tool's). */
  public static String runOf(Snapshot s) {
    return s.tagValue(TAG);
  }

  /** What {@code s} holds, by its paths. */
  public static Kind kindOf(Snapshot s) {
    if (DumpRestore.dumpPath(s).isPresent()) {
      return Kind.DUMP;
    }
    if (!s.paths().isEmpty() && s.paths().stream().allMatch(p -> p.startsWith("/volumes/"))) {
      return Kind.VOLUMES;
    }
    return Kind.OTHER;
  }

  /**
   * The run-tagged snapshots among {@code snapshots}, one restore point per run, newest first.
   * Snapshots without a run tag are left out; one without a service tag counts as service "?".
   */
  public static List<RestorePoint> of(List<Snapshot> snapshots) {
    Map<String, List<Snapshot>> byRun = new LinkedHashMap<>();
    for (Snapshot s : snapshots) {
      String run = runOf(s);
      if (run != null && !run.isBlank()) {
        byRun.computeIfAbsent(run, k -> new ArrayList<>()).add(s);
      }
    }
    List<RestorePoint> points = new ArrayList<>();
    byRun.forEach(
        (run, list) -> {
          List<Item> items =
              list.stream()
                  .sorted(ORDER)
                  .map(
                      s -> {
                        String service = s.tagValue("service");
                        return new Item(service == null ? "?" : service, kindOf(s), s);
                      })
                  .toList();
          points.add(new RestorePoint(run, items));
        });
    points.sort(NEWEST_FIRST);
    return points;
  }

  /**
   * The restore point of run {@code idOrLatest} among {@code snapshots}; {@code latest} is the run
   * that made the newest snapshots.
   */
  public static Optional<RestorePoint> find(List<Snapshot> snapshots, String idOrLatest) {
    List<RestorePoint> points = of(snapshots);
    if (idOrLatest == null || idOrLatest.isBlank() || idOrLatest.equals("latest")) {
      return points.stream().findFirst();
    }
    return points.stream().filter(p -> p.runId().equals(idOrLatest)).findFirst();
  }

  private static final Comparator<Snapshot> ORDER =
      Comparator.comparing(Snapshot::time, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(Snapshot::id);

  private static final Comparator<RestorePoint> NEWEST_FIRST =
      Comparator.comparing(RestorePoint::time, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(RestorePoint::runId)
          .reversed();

  /** When the run made its first snapshot (null when restic gave no time). */
  public Instant time() {
    return items.isEmpty() ? null : items.get(0).snapshot().time();
  }

  /** Its services, in the order the run backed them up. */
  public List<String> services() {
    return items.stream().map(Item::service).distinct().toList();
  }

  /** The same point with only the snapshots of {@code services}. */
  public RestorePoint only(Collection<String> services) {
    return new RestorePoint(
        runId, items.stream().filter(i -> services.contains(i.service())).toList());
  }

  /** True when the run has a snapshot of {@code kind} of {@code service}. */
  public boolean has(String service, Kind kind) {
    return items.stream().anyMatch(i -> i.service().equals(service) && i.kind() == kind);
  }

  /**
   * What the run was to back up of {@code services} (all when empty) but has no snapshot of: a
   * snapshot or dump step that failed or was skipped in the run's {@code record} (when it is still
   * in the state directory), and the volumes and dumps of the services {@code plan} backs up now.
   */
  public List<Missing> missing(Plan plan, Optional<RunRecord> record, Collection<String> services) {
    List<Missing> missing = new ArrayList<>();
    for (StepRecord step : record.map(RunRecord::steps).orElse(List.of())) {
      Kind kind = kindOfStep(step.kind());
      String service = step.service();
      if (kind == null || service == null || (!services.isEmpty() && !services.contains(service))) {
        continue;
      }
      if (!has(service, kind) && !listed(missing, service, kind)) {
        missing.add(new Missing(service, kind, why(step)));
      }
    }
    for (Target t : plan.targets()) {
      if (!services.isEmpty() && !services.contains(t.name())) {
        continue;
      }
      if (!t.volumes().isEmpty() && !has(t.name(), Kind.VOLUMES)) {
        addIfNew(missing, new Missing(t.name(), Kind.VOLUMES, "no volume snapshot in this run"));
      }
      if (t.dump().isPresent() && !has(t.name(), Kind.DUMP)) {
        addIfNew(missing, new Missing(t.name(), Kind.DUMP, "no database dump in this run"));
      }
    }
    return missing;
  }

  /** Why the snapshot of a step of the run is not there. */
  private static String why(StepRecord step) {
    if ("ok".equals(step.outcome()) || "incomplete".equals(step.outcome())) {
      return "its " + step.kind() + " is no longer in the repository (forgotten?)";
    }
    String message = step.message() == null ? "" : ": " + step.message();
    return "its " + step.kind() + " " + step.outcome() + message;
  }

  private static Kind kindOfStep(String stepKind) {
    return switch (stepKind) {
      case "snapshot" -> Kind.VOLUMES;
      case "dump" -> Kind.DUMP;
      default -> null;
    };
  }

  private static boolean listed(List<Missing> missing, String service, Kind kind) {
    return missing.stream().anyMatch(m -> m.service().equals(service) && m.kind() == kind);
  }

  private static void addIfNew(List<Missing> missing, Missing m) {
    if (!listed(missing, m.service(), m.kind())) {
      missing.add(m);
    }
  }
}
