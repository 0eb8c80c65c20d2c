package dev.stackback.notify;

import dev.stackback.state.Anomaly;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** Run records for notification and metrics tests. */
public final class SampleRuns {
  public static final Instant T0 = Instant.parse("2025-03-01T02:00:00Z");

  private SampleRuns() {}

  /** 30 lines of output: {@code out 1} … {@code out 30}. */
  public static List<String> output(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(i -> "out " + i).toList();
  }

  public static StepRecord hook(String name, String outcome, Integer exit, List<String> tail) {
    return new StepRecord(
        "hook", name, "pre", "web", outcome, T0, 1200, exit, 1, "message of " + name, tail);
  }

  public static StepRecord snapshot(String service, long bytes) {
    return new StepRecord(
        "snapshot",
        "snapshot " + service,
        null,
        service,
        "ok",
        T0,
        3000,
        0,
        1,
        "snapshot abc, 1 new / 0 changed files, " + bytes + " bytes added",
        List.of(),
        bytes);
  }

  /** A run whose pre hook {@code pre web#1} failed with exit 7 after 30 lines of output. */
  public static RunRecord failed(String id) {
    return ended(
        id,
        RunRecord.FAILED,
        1,
        "pre hook 'pre web#1' failed (exit 7)",
        List.of(
            hook("pre backup#1", "ok", 0, List.of("fine")),
            hook("pre web#1", "failed", 7, output(30)),
            hook("finally web#1", "ok", 0, List.of("cleaned up"))));
  }

  public static RunRecord succeeded(String id, long bytes) {
    return ended(id, RunRecord.SUCCEEDED, 0, null, List.of(snapshot("web", bytes)));
  }

  /** {@code r} with one anomaly: its dump of db read 1 KiB against a median of 100 KiB. */
  public static RunRecord withAnomaly(RunRecord r) {
    return r.withAnomalies(
        List.of(
            new Anomaly(
                Anomaly.SMALLER,
                "dump db",
                "db",
                1024,
                102_400,
                4,
                "dump db read 1.0 KiB, 99% less than its median of 100 KiB over the previous 4"
                    + " runs")));
  }

  public static RunRecord ended(
      String id, String state, int exit, String error, List<StepRecord> steps) {
    return new RunRecord(
        id,
        "schedule",
        state,
        1,
        "demo",
        T0,
        T0.plusSeconds(65),
        exit,
        List.of(),
        new ArrayList<>(steps),
        error);
  }
}
