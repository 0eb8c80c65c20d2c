package dev.stackback.history;

import dev.stackback.state.Anomaly;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import java.time.Instant;
import java.util.List;

/** Run records for history tests: run {@code n} starts {@code n} hours after T0. */
final class Runs {
  static final Instant T0 = Instant.parse("2026-11-01T02:00:00Z");

  private Runs() {}

  static RunRecord run(int n, String state, StepRecord... steps) {
    return run(n, "schedule", state, List.of(), steps);
  }

  static RunRecord run(
      int n, String trigger, String state, List<Anomaly> anomalies, StepRecord... steps) {
    Instant start = T0.plusSeconds(3600L * n);
    long total = 0;
    for (StepRecord s : steps) {
      total += s.durationMs();
    }
    return new RunRecord(
        String.format("20261101T%02d0000Z-%04x", n % 24, 0x1000 + n),
        trigger,
        state,
        1,
        "host",
        start,
        start.plusMillis(total + 100),
        RunRecord.SUCCEEDED.equals(state) ? 0 : 1,
        List.of(),
        List.of(steps),
        null,
        null,
        anomalies,
        null);
  }

  static RunRecord ok(int n, StepRecord... steps) {
    return run(n, RunRecord.SUCCEEDED, steps);
  }

  static StepRecord dump(String service, long ms, Long read) {
    return data("dump", service, "ok", ms, read);
  }

  static StepRecord snapshot(String service, long ms, Long read) {
    return data("snapshot", service, "ok", ms, read);
  }

  static StepRecord data(String kind, String service, String outcome, long ms, Long read) {
    return new StepRecord(
        kind,
        kind + " " + service,
        null,
        service,
        outcome,
        T0,
        ms,
        0,
        1,
        null,
        List.of(),
        read == null ? null : read / 10,
        read);
  }

  static StepRecord step(String kind, String name, String service, long ms) {
    return new StepRecord(kind, name, null, service, "ok", T0, ms, 0, 1, null, List.of());
  }
}
