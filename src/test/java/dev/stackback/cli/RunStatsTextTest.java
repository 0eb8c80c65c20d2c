package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.history.RunStats;
import dev.stackback.state.Anomaly;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import dev.stackback.state.StepRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunStatsTextTest {
  private static final Instant T0 = Instant.parse("2026-11-01T02:00:00Z");

  private static RunRecord run(int n, String state, long dumpMs, long read, List<Anomaly> a) {
    Instant start = T0.plusSeconds(3600L * n);
    StepRecord dump =
        new StepRecord(
            "dump", "dump db", null, "db", "ok", start, dumpMs, 0, 1, null, List.of(), read / 2,
            read);
    return new RunRecord(
        "20261101T0" + n + "0000Z-1000",
        "schedule",
        state,
        1,
        "host",
        start,
        start.plusMillis(dumpMs + 500),
        0,
        List.of(),
        List.of(dump),
        null,
        null,
        a,
        null);
  }

  private static RunStats sample() {
    Anomaly shrank =
        new Anomaly(Anomaly.SMALLER, "dump db", "db", 10, 4096, 4, "dump db read 10 B, much less");
    List<RunRecord> runs = new ArrayList<>();
    runs.add(run(5, RunRecord.SUCCEEDED, 2000, 10, List.of(shrank)));
    for (int n = 4; n >= 1; n--) {
      runs.add(run(n, RunRecord.SUCCEEDED, 1000 * n, 4096, List.of()));
    }
    runs.add(run(0, RunRecord.FAILED, 99_000, 1, List.of()));
    return RunStats.of(runs);
  }

  @Test
  void text_showsServicesStepsSlowestAndAnomalies() {
    StringWriter w = new StringWriter();
    RunStatsText.render(new PrintWriter(w), sample());
    String t = w.toString();
    assertTrue(t.startsWith("Last 6 run(s): 5 successful backup run(s) analysed, 1 other(s)"), t);
    // dumps of 1s 2s 3s 4s 2s, oldest first (+0.5s each for the run): older half 1.5s, newer 3s
    assertTrue(t.contains("Run duration: median 2.5s, p95 4.5s, max 4.5s, trend +75% over 5"), t);
    assertTrue(t.matches("(?s).*\ndb +5 +2s +4s +\\+100% +8.0 KiB +2.0 KiB +10 B\n.*"), t);
    assertTrue(t.matches("(?s).*\ndump db +dump +5 +2s +4s +4s +\\+100% +4.0 KiB\n.*"), t);
    assertTrue(t.contains("Slowest steps (by median duration):\n  1. dump db: median 2s"), t);
    assertTrue(
        t.contains("Anomalies:\n  run 20261101T050000Z-1000: dump db read 10 B, much less\n"), t);
  }

  @Test
  void text_noRuns_saysSo() {
    StringWriter w = new StringWriter();
    RunStatsText.render(new PrintWriter(w), RunStats.of(List.of()));
    assertTrue(w.toString().contains("No successful backup run to analyse."), w.toString());
    assertTrue(w.toString().contains("Anomalies: none"), w.toString());
  }

  @Test
  void json_hasTheFieldsNamedInTheReadme() throws Exception {
    StringWriter w = new StringWriter();
    Json.print(new PrintWriter(w), sample());
    JsonNode j = RunStore.json().readTree(w.toString());
    assertEquals(6, j.get("runs").asInt());
    assertEquals(5, j.get("used").asInt());
    assertEquals(2500, j.get("run").get("median").asLong());
    JsonNode db = j.get("services").get(0);
    assertEquals("db", db.get("service").asText());
    assertEquals(2000, db.get("durationMs").get("median").asLong());
    assertEquals(100.0, db.get("durationMs").get("trendPercent").asDouble());
    assertEquals(8197, db.get("bytesAddedTotal").asLong());
    assertEquals(10, db.get("lastBytesRead").asLong());
    assertEquals("dump db", j.get("steps").get(0).get("step").asText());
    assertEquals(4096, j.get("steps").get(0).get("bytesRead").get("median").asLong());
    assertEquals("dump db", j.get("slowest").get(0).get("step").asText());
    JsonNode a = j.get("anomalies").get(0);
    assertEquals("20261101T050000Z-1000", a.get("runId").asText());
    assertEquals("smaller", a.get("anomaly").get("type").asText());
    assertEquals(4096, a.get("anomaly").get("median").asLong());
  }
}
