package dev.stackback.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.notify.SampleRuns;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void noRuns_zeroCountersAndNoLastRunGauges() {
    String m = Metrics.render(List.of());

    assertTrue(m.contains("stackback_runs_total{state=\"succeeded\"} 0\n"), m);
    assertTrue(m.contains("stackback_hook_failures_total 0\n"), m);
    assertTrue(m.contains("stackback_last_run_state{state=\"failed\"} 0\n"), m);
    assertFalse(m.contains("stackback_last_run_timestamp_seconds "), m);
    assertFalse(m.contains("stackback_last_success_timestamp_seconds "), m);
  }

  @Test
  void paused_gaugeIs1_andASkippedRunIsNotTheLastRun() {
    RunRecord skipped =
        RunRecord.skipped(
            "schedule",
            "app",
            SampleRuns.succeeded("b", 5).endedAt().plusSeconds(60),
            "paused until resumed");
    String m = Metrics.render(List.of(skipped, SampleRuns.succeeded("b", 5)), true);

    assertTrue(m.contains("\n# TYPE stackback_paused gauge\nstackback_paused 1\n"), m);
    assertTrue(m.contains("stackback_last_run_state{state=\"succeeded\"} 1\n"), m);
    assertTrue(m.contains("stackback_runs_total{state=\"succeeded\"} 1\n"), m);
    assertTrue(Metrics.render(List.of()).contains("\nstackback_paused 0\n"));
    assertTrue(Metrics.render(List.of(), false).contains("\nstackback_paused 0\n"));
  }

  @Test
  void everyLineIsCommentOrSample() {
    String m = Metrics.render(List.of(SampleRuns.failed("a"), SampleRuns.succeeded("b", 5)));
    for (String line : m.split("\n")) {
      assertTrue(
          line.startsWith("# HELP stackback_")
              || line.startsWith("# TYPE stackback_")
              || line.matches("stackback_[a-z_]+(\\{(state|service)=\"[a-z0-9_.-]+\"})? -?[0-9.]+"),
          line);
    }
  }

  @Test
  void lastRun_anomaliesAndDurationAndBytesPerService() {
    RunRecord last =
        SampleRuns.withAnomaly(
            SampleRuns.ended(
                "b",
                RunRecord.SUCCEEDED,
                0,
                null,
                List.of(
                    SampleRuns.snapshot("web", 5),
                    new StepRecord(
                        "dump",
                        "dump db",
                        null,
                        "db",
                        "ok",
                        SampleRuns.T0,
                        1500,
                        0,
                        1,
                        null,
                        List.of(),
                        100L,
                        1024L))));
    String m = Metrics.render(List.of(last));

    assertTrue(m.contains("\nstackback_last_run_anomalies 1\n"), m);
    assertTrue(m.contains("\nstackback_anomalies{service=\"web\"} 0\n"), m);
    assertTrue(m.contains("\nstackback_anomalies{service=\"db\"} 1\n"), m);
    assertTrue(m.contains("\nstackback_service_last_duration_seconds{service=\"web\"} 3\n"), m);
    assertTrue(m.contains("\nstackback_service_last_duration_seconds{service=\"db\"} 1.500\n"), m);
    assertTrue(m.contains("\nstackback_service_last_bytes_added{service=\"web\"} 5\n"), m);
    assertTrue(m.contains("\nstackback_service_last_bytes_added{service=\"db\"} 100\n"), m);
    // only the dump says what it read
    assertTrue(m.contains("\nstackback_service_last_bytes_read{service=\"db\"} 1024\n"), m);
    assertFalse(m.contains("stackback_service_last_bytes_read{service=\"web\"}"), m);
    assertTrue(
        m.contains("\n# TYPE stackback_anomalies gauge\n"), "one header per metric family: " + m);
  }

  @Test
  void lastRunWithoutAnomalies_zero_andServiceNamesAreEscaped() {
    String m = Metrics.render(List.of(SampleRuns.succeeded("b", 5)));
    assertTrue(m.contains("\nstackback_last_run_anomalies 0\n"), m);
    assertTrue(m.contains("\nstackback_anomalies{service=\"web\"} 0\n"), m);
    assertFalse(Metrics.render(List.of()).contains("stackback_anomalies"));
    assertTrue(
        Metrics.series("x", "a\"b\\c\nd").equals("x{service=\"a\\\"b\\\\c\\nd\"}"),
        Metrics.series("x", "a\"b\\c\nd"));
  }

  @Test
  void runningRecord_isInProgress_notLastRun() {
    RunRecord running =
        new RunRecord(
            "z",
            "manual",
            RunRecord.RUNNING,
            1,
            "demo",
            SampleRuns.T0,
            null,
            null,
            List.of(),
            List.of(),
            null);

    String m = Metrics.render(List.of(running));

    assertTrue(m.contains("stackback_run_in_progress 1\n"), m);
    assertFalse(m.contains("stackback_last_run_duration_seconds "), m);
  }

  @Test
  void verifyRuns_haveTheirOwnGauges_andDoNotCountAsBackups() {
    RunRecord backup = SampleRuns.succeeded("b", 5);
    RunRecord passed = drill("c", backup, 3600, RunRecord.SUCCEEDED, "ok");
    RunRecord failed = drill("d", backup, 7200, RunRecord.FAILED, "failed");

    String m = Metrics.render(List.of(backup, passed, failed));

    assertTrue(m.contains("stackback_runs_total{state=\"failed\"} 0\n"), m);
    assertTrue(m.contains("stackback_last_run_state{state=\"succeeded\"} 1\n"), m);
    assertTrue(m.contains("stackback_verify_last_success 0\n"), m);
    assertTrue(m.contains("stackback_verify_failed_checks 1\n"), m);
    assertTrue(m.contains("stackback_verify_runs_total{state=\"succeeded\"} 1\n"), m);
    assertTrue(
        m.contains(
            "stackback_verify_last_success_timestamp_seconds "
                + passed.endedAt().getEpochSecond()
                + "\n"),
        m);
    assertFalse(Metrics.render(List.of(backup)).contains("stackback_verify_"));
  }

  private static RunRecord drill(
      String id, RunRecord after, long seconds, String state, String outcome) {
    return new RunRecord(
        id,
        "verify",
        state,
        1,
        "demo",
        after.startedAt().plusSeconds(seconds),
        after.endedAt().plusSeconds(seconds),
        RunRecord.SUCCEEDED.equals(state) ? 0 : 1,
        List.of(),
        List.of(
            new dev.stackback.state.StepRecord(
                "verify",
                "verify dump db",
                null,
                "db",
                outcome,
                after.startedAt().plusSeconds(seconds),
                1000,
                null,
                1,
                "m",
                List.of())),
        null);
  }

  @Test
  void restoreRuns_doNotCountAsBackups() {
    RunRecord failedBackup = SampleRuns.failed("a");
    RunRecord s = SampleRuns.succeeded("b", 5);
    // a successful in-place restore, ended after the failed backup
    RunRecord restore =
        new RunRecord(
            "c",
            "restore",
            RunRecord.SUCCEEDED,
            1,
            "demo",
            s.startedAt().plusSeconds(3600),
            s.endedAt().plusSeconds(3600),
            0,
            List.of(),
            List.of(),
            null);

    String m = Metrics.render(List.of(failedBackup, restore));

    assertTrue(m.contains("stackback_last_run_state{state=\"failed\"} 1\n"), m);
    assertTrue(m.contains("stackback_runs_total{state=\"succeeded\"} 0\n"), m);
    assertFalse(m.contains("stackback_last_success_timestamp_seconds "), m);
  }
}
