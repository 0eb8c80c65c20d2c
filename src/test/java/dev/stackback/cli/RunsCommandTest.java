package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.stackback.state.RunRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunsCommandTest {
  private static final Instant T0 = Instant.parse("2026-03-01T02:00:00Z");

  private static RunRecord run(String id, String state, Integer seconds) {
    return new RunRecord(
        id,
        "schedule",
        state,
        1,
        "app",
        T0,
        seconds == null ? null : T0.plusSeconds(seconds),
        seconds == null ? null : 0,
        List.of(),
        List.of(),
        null);
  }

  @Test
  void summary_successRateAndAverageOverEndedRunsOnly() {
    Map<String, Object> m =
        RunsCommand.summary(
            List.of(
                run("4", RunRecord.RUNNING, null),
                run("3", RunRecord.SUCCEEDED, 10),
                run("2", RunRecord.FAILED, 20),
                run("1", RunRecord.INCOMPLETE, 60),
                run("0", RunRecord.SUCCEEDED, 30)));

    assertEquals(5, m.get("count"));
    assertEquals(4, m.get("ended"));
    assertEquals(2L, m.get("succeeded"));
    assertEquals(0.5, (double) m.get("successRate"), 1e-9);
    assertEquals(30.0, (double) m.get("averageDurationSeconds"), 1e-9);
  }

  @Test
  void summary_skippedRuns_countedApart_neitherSuccessNorFailure() {
    Map<String, Object> m =
        RunsCommand.summary(
            List.of(
                run("3", RunRecord.SKIPPED, 0),
                run("2", RunRecord.SUCCEEDED, 10),
                run("1", RunRecord.SKIPPED, 0),
                run("0", RunRecord.FAILED, 30)));

    assertEquals(4, m.get("count"));
    assertEquals(2, m.get("ended"));
    assertEquals(2L, m.get("skipped"));
    assertEquals(0.5, (double) m.get("successRate"), 1e-9);
    assertEquals(20.0, (double) m.get("averageDurationSeconds"), 1e-9);
  }

  @Test
  void summary_noEndedRuns_noRateNoAverage() {
    Map<String, Object> m = RunsCommand.summary(List.of(run("1", RunRecord.RUNNING, null)));

    assertEquals(0, m.get("ended"));
    assertNull(m.get("successRate"));
    assertNull(m.get("averageDurationSeconds"));
  }
}
