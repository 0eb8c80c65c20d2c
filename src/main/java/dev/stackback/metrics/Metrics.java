package dev.stackback.metrics;

import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Prometheus text format 0.0.4 from the run records under {@code STATE_DIR}. Pure: the same records
 * give the same text. Gauges about the last run are left out until a run has ended. Only backup
 * runs count: a successful {@code restore --in-place} must not look like a recent backup.
 */
public final class Metrics {
  /** The content type of the text format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  static final List<String> END_STATES =
      List.of(RunRecord.SUCCEEDED, RunRecord.FAILED, RunRecord.INCOMPLETE);

  /** The trigger of in-place restore runs, which are not backups. */
  static final String RESTORE = "restore";

  /** The trigger of restore drills ({@code verify}), which are not backups either. */
  static final String VERIFY = "verify";

  private Metrics() {}

  /** The exposition for {@code records} (any order), not paused. */
  public static String render(List<RunRecord> records) {
    return render(records, false);
  }

  /** The exposition for {@code records} (any order); {@code paused}: scheduled runs are paused. */
  public static String render(List<RunRecord> records, boolean paused) {
    List<RunRecord> ended =
        records.stream()
            .filter(r -> !RESTORE.equals(r.trigger()) && !VERIFY.equals(r.trigger()))
            .filter(r -> END_STATES.contains(r.state()) && r.endedAt() != null)
            .sorted((a, b) -> b.endedAt().compareTo(a.endedAt()))
            .toList();
    Optional<RunRecord> last = ended.stream().findFirst();
    Optional<RunRecord> lastSuccess =
        ended.stream().filter(r -> RunRecord.SUCCEEDED.equals(r.state())).findFirst();
    StringBuilder b = new StringBuilder();

    header(b, "stackback_last_run_state", "gauge", "1 for the state of the last finished run");
    for (String s : END_STATES) {
      sample(
          b,
          "stackback_last_run_state{state=\"" + s + "\"}",
          last.isPresent() && last.get().state().equals(s) ? 1 : 0);
    }
    last.ifPresent(
        r -> {
          header(
              b,
              "stackback_last_run_timestamp_seconds",
              "gauge",
              "End of the last finished run (Unix time)");
          sample(b, "stackback_last_run_timestamp_seconds", seconds(r.endedAt()));
          header(
              b,
              "stackback_last_run_duration_seconds",
              "gauge",
              "Wall time of the last finished run");
          sample(b, "stackback_last_run_duration_seconds", r.duration().toMillis() / 1000.0);
          header(
              b,
              "stackback_bytes_added",
              "gauge",
              "Bytes the last finished run added to the repository (volume snapshots and dumps)");
          sample(b, "stackback_bytes_added", bytesAdded(r));
          header(
              b,
              "stackback_last_run_hook_failures",
              "gauge",
              "Hooks that failed or timed out in the last finished run");
          sample(b, "stackback_last_run_hook_failures", hookFailures(r));
          services(b, r);
        });
    lastSuccess.ifPresent(
        r -> {
          header(
              b,
              "stackback_last_success_timestamp_seconds",
              "gauge",
              "End of the last successful run (Unix time)");
          sample(b, "stackback_last_success_timestamp_seconds", seconds(r.endedAt()));
        });
    header(b, "stackback_runs_total", "counter", "Finished runs recorded in STATE_DIR, by state");
    for (String s : END_STATES) {
      sample(
          b,
          "stackback_runs_total{state=\"" + s + "\"}",
          ended.stream().filter(r -> r.state().equals(s)).count());
    }
    header(
        b,
        "stackback_hook_failures_total",
        "counter",
        "Hooks that failed or timed out, over the runs recorded in STATE_DIR");
    sample(
        b,
        "stackback_hook_failures_total",
        records.stream().mapToLong(Metrics::hookFailures).sum());
    header(
        b,
        "stackback_paused",
        "gauge",
        "Whether scheduled runs are paused (stack-back pause): 1 paused, 0 not");
    sample(b, "stackback_paused", paused ? 1 : 0);
    verify(b, records);
    header(b, "stackback_run_in_progress", "gauge", "1 while a run is recorded as running");
    sample(
        b,
        "stackback_run_in_progress",
        records.stream().anyMatch(r -> RunRecord.RUNNING.equals(r.state())) ? 1 : 0);
    return b.toString();
  }

  /** The restore drills: the last one's state and end, the last passed one, failed drills. */
  private static void verify(StringBuilder b, List<RunRecord> records) {
    List<RunRecord> drills =
        records.stream()
            .filter(r -> VERIFY.equals(r.trigger()))
            .filter(r -> END_STATES.contains(r.state()) && r.endedAt() != null)
            .sorted((x, y) -> y.endedAt().compareTo(x.endedAt()))
            .toList();
    if (drills.isEmpty()) {
      return;
    }
    RunRecord last = drills.get(0);
    header(
        b,
        "stackback_verify_last_success",
        "gauge",
        "1 when the last restore drill (verify) passed, 0 when it failed");
    sample(b, "stackback_verify_last_success", RunRecord.SUCCEEDED.equals(last.state()) ? 1 : 0);
    header(
        b,
        "stackback_verify_last_timestamp_seconds",
        "gauge",
        "End of the last restore drill (Unix time)");
    sample(b, "stackback_verify_last_timestamp_seconds", seconds(last.endedAt()));
    drills.stream()
        .filter(r -> RunRecord.SUCCEEDED.equals(r.state()))
        .findFirst()
        .ifPresent(
            r -> {
              header(
                  b,
                  "stackback_verify_last_success_timestamp_seconds",
                  "gauge",
                  "End of the last restore drill that passed (Unix time)");
              sample(b, "stackback_verify_last_success_timestamp_seconds", seconds(r.endedAt()));
            });
    header(
        b,
        "stackback_verify_failed_checks",
        "gauge",
        "Drills (one per service and kind: volumes, dump) that failed in the last restore drill");
    sample(
        b,
        "stackback_verify_failed_checks",
        last.steps().stream().filter(s -> VERIFY.equals(s.kind()) && s.failed()).count());
    header(b, "stackback_verify_runs_total", "counter", "Finished restore drills, by state");
    for (String s : END_STATES) {
      sample(
          b,
          "stackback_verify_runs_total{state=\"" + s + "\"}",
          drills.stream().filter(r -> r.state().equals(s)).count());
    }
  }

  static long bytesAdded(RunRecord r) {
    Long added = r.bytesAdded();
    return added == null ? 0 : added;
  }

  /**
   * Per service of the last finished run (each service a snapshot or dump backed up): its anomalies
   * (dumps and snapshots much smaller or slower than usual), the summed duration of its steps, and
   * what its snapshots and dumps added and read.
   */
  private static void services(StringBuilder b, RunRecord r) {
    List<String> services =
        r.steps().stream()
            .filter(StepRecord::backsUp)
            .map(StepRecord::service)
            .filter(Objects::nonNull)
            .distinct()
            .toList();
    header(
        b,
        "stackback_last_run_anomalies",
        "gauge",
        "Dumps and snapshots of the last finished run much smaller or slower than usual");
    sample(b, "stackback_last_run_anomalies", r.anomalies().size());
    if (services.isEmpty()) {
      return;
    }
    header(
        b,
        "stackback_anomalies",
        "gauge",
        "Anomalies (much smaller or slower than usual) of the service in the last finished run");
    for (String svc : services) {
      sample(
          b,
          series("stackback_anomalies", svc),
          r.anomalies().stream().filter(a -> svc.equals(a.service())).count());
    }
    header(
        b,
        "stackback_service_last_duration_seconds",
        "gauge",
        "Summed wall time of the service's steps in the last finished run");
    for (String svc : services) {
      long ms =
          r.steps().stream()
              .filter(s -> svc.equals(s.service()))
              .mapToLong(StepRecord::durationMs)
              .sum();
      sample(b, series("stackback_service_last_duration_seconds", svc), ms / 1000.0);
    }
    perService(
        b,
        r,
        services,
        "stackback_service_last_bytes_added",
        "Bytes the service's snapshots and dumps added to the repository in the last finished run",
        StepRecord::bytesAdded);
    perService(
        b,
        r,
        services,
        "stackback_service_last_bytes_read",
        "Bytes the service's snapshots and dumps read in the last finished run",
        StepRecord::bytesRead);
  }

  /** A gauge per service of the sum of {@code value} over its snapshots and dumps that say it. */
  private static void perService(
      StringBuilder b,
      RunRecord r,
      List<String> services,
      String name,
      String help,
      Function<StepRecord, Long> value) {
    boolean headed = false;
    for (String svc : services) {
      List<Long> values =
          r.steps().stream()
              .filter(s -> svc.equals(s.service()))
              .filter(StepRecord::backsUp)
              .map(value)
              .filter(Objects::nonNull)
              .toList();
      if (values.isEmpty()) {
        continue;
      }
      if (!headed) {
        header(b, name, "gauge", help);
        headed = true;
      }
      sample(b, series(name, svc), values.stream().mapToLong(Long::longValue).sum());
    }
  }

  /** {@code name{service="svc"}} with the label value escaped as the text format wants. */
  static String series(String name, String service) {
    String v = service.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    return name + "{service=\"" + v + "\"}";
  }

  static long hookFailures(RunRecord r) {
    return r.steps().stream().filter(s -> "hook".equals(s.kind()) && s.failed()).count();
  }

  private static double seconds(Instant t) {
    return t.toEpochMilli() / 1000.0;
  }

  private static void header(StringBuilder b, String name, String type, String help) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void sample(StringBuilder b, String series, double value) {
    b.append(series).append(' ').append(format(value)).append('\n');
  }

  private static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.3f", v);
  }
}
