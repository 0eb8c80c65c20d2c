package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.stackback.engine.RunReport;
import dev.stackback.history.Thresholds;
import dev.stackback.state.Anomaly;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import dev.stackback.state.StepRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunAnomaliesTest {
  private static final Instant T0 = Instant.parse("2026-11-01T02:00:00Z");

  private static RunRecord run(int n, long read) {
    Instant start = T0.plusSeconds(3600L * n);
    StepRecord dump =
        new StepRecord(
            "dump", "dump db", null, "db", "ok", start, 100, 0, 1, null, List.of(), read, read);
    return new RunRecord(
        "20261101T0" + n + "0000Z-1000",
        "schedule",
        RunRecord.SUCCEEDED,
        1,
        "host",
        start,
        start.plusSeconds(1),
        0,
        List.of(),
        List.of(dump),
        null);
  }

  @Test
  void annotate_savesTheAnomaliesInTheRecord_andKeepsTheExitCode(@TempDir Path state) {
    RunStore store = new RunStore(state);
    for (int n = 1; n <= 3; n++) {
      store.save(run(n, 1_000_000));
    }
    RunRecord last = run(4, 1000);
    store.save(last);

    RunReport r = RunAnomalies.annotate(store, new RunReport(last, 0), Thresholds.DEFAULT);

    assertEquals(0, r.exitCode());
    assertEquals(
        List.of(Anomaly.SMALLER), r.record().anomalies().stream().map(Anomaly::type).toList());
    assertEquals(r.record(), store.latest().orElseThrow());
  }

  @Test
  void annotate_withoutAnomalies_returnsTheSameReport(@TempDir Path state) {
    RunStore store = new RunStore(state);
    RunReport report = new RunReport(run(1, 1000), 0);
    store.save(report.record());
    assertSame(report, RunAnomalies.annotate(store, report, Thresholds.DEFAULT));
  }

  @Test
  void annotate_runsIsNoDirectory_neverThrows_andLeavesTheRunAsItWas(@TempDir Path state)
      throws Exception {
    Files.writeString(state.resolve("runs"), "a file where the directory should be");
    RunStore store = new RunStore(state);
    RunReport report = new RunReport(run(1, 1000), 3);
    assertSame(report, RunAnomalies.annotate(store, report, Thresholds.DEFAULT));
  }
}
