package dev.stackback.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stackback.it.RunRecords;
import dev.stackback.metrics.Metrics;
import dev.stackback.notify.LocalHttp;
import dev.stackback.state.RunStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Run history on real runs: a real Postgres database (about 2 MiB of rows) and a volume backed up
 * four times, then most rows deleted: the fifth run's dump read far less than the median of the
 * four before it. The anomaly is in its record (and only for the dump: the volume did not change),
 * in the run's output, in its notification (a real webhook, with {@code NOTIFY_ON=failure}), in
 * {@code /metrics}, in {@code runs --stats} (text and JSON) and in {@code status --json}; the sizes
 * compared are the ones restic reports for the real snapshots.
 */
class DumpAnomalyIT {
  static final ObjectMapper JSON = new ObjectMapper();

  static DbFixture fx;
  static String db;
  static LocalHttp http;

  @BeforeAll
  static void setUp() {
    http = new LocalHttp();
    fx = new DbFixture("anomaly");
    db = fx.postgresApp("db");
    fx.volumeApp("files", "head -c 300000 /dev/urandom > /data/blob; ");
    fx.awaitPostgres(db);
    fx.psql(
        db,
        "appuser",
        "app",
        "CREATE TABLE items AS SELECT g AS id, md5(g::text) || repeat('x', 200) AS filler"
            + " FROM generate_series(1, 10000) g");
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
    if (http != null) {
      http.close();
    }
  }

  private static DbFixture.Cli backup() {
    // NOTIFY_ON is left at its default: failure
    DbFixture.Cli r =
        fx.cli(
            Map.of("MAINTENANCE_SCHEDULE", "0 3 * * *", "NOTIFY_URLS", http.url("/hook")),
            "backup");
    assertEquals(0, r.exit(), r::all);
    return r;
  }

  @Test
  void dumpThatShrankByMoreThanHalf_isAnAnomaly_inRecordOutputStatsAndStatus() throws Exception {
    for (int i = 0; i < 4; i++) {
      DbFixture.Cli r = backup();
      assertTrue(!r.out().contains("anomaly"), r::all);
    }
    List<JsonNode> before = records();
    assertEquals(4, before.size());
    assertEquals(0, http.requests.size(), "successful runs without anomalies are not notified");
    for (JsonNode r : before) {
      assertEquals(0, r.get("anomalies").size(), r::toString);
    }
    List<Long> dumpSizes = new ArrayList<>();
    for (JsonNode r : before) {
      dumpSizes.add(step(r, "dump").get("bytesRead").asLong());
    }
    assertTrue(dumpSizes.stream().allMatch(s -> s > 2_000_000), dumpSizes::toString);

    fx.psql(db, "appuser", "app", "DELETE FROM items WHERE id > 100");
    DbFixture.Cli fifth = backup();

    JsonNode last = records().get(4);
    JsonNode dump = step(last, "dump");
    long read = dump.get("bytesRead").asLong();
    // what the record says the dump read is what restic says about the snapshot it made
    assertEquals(read, snapshotBytesProcessed(dump.get("message").asText()));
    JsonNode anomalies = last.get("anomalies");
    assertEquals(1, anomalies.size(), last::toString);
    JsonNode a = anomalies.get(0);
    assertEquals("smaller", a.get("type").asText());
    assertEquals(dump.get("name").asText(), a.get("step").asText());
    assertEquals(dump.get("service").asText(), a.get("service").asText());
    assertEquals(read, a.get("value").asLong());
    Collections.sort(dumpSizes);
    assertEquals((dumpSizes.get(1) + dumpSizes.get(2) + 1) / 2, a.get("median").asLong());
    assertEquals(4, a.get("priorRuns").asInt());
    assertTrue(read * 2 < a.get("median").asLong());
    String message = a.get("message").asText();
    assertTrue(message.startsWith(dump.get("name").asText() + " read "), message);
    assertTrue(message.endsWith("over the previous 4 runs"), message);
    assertTrue(fifth.out().contains("anomaly: " + message), fifth::all);

    // notified although it succeeded and NOTIFY_ON is failure
    assertEquals(1, http.to("/hook").size(), http.requests::toString);
    JsonNode sent = JSON.readTree(http.to("/hook").get(0).body());
    assertEquals(last.get("id").asText(), sent.get("runId").asText());
    assertEquals("succeeded", sent.get("state").asText());
    assertEquals(message, sent.get("anomalies").get(0).get("message").asText());

    // /metrics reads the same records without Jackson
    String metrics = Metrics.render(RunStore.withoutJackson(fx.dir.resolve("state")).recent(100));
    assertTrue(metrics.contains("\nstackback_last_run_anomalies 1\n"), metrics);
    assertTrue(
        metrics.contains(
            "\nstackback_anomalies{service=\"" + a.get("service").asText() + "\"} 1\n"),
        metrics);
    assertTrue(metrics.contains("\nstackback_anomalies{service=\"files\"} 0\n"), metrics);
    assertTrue(
        metrics.contains(
            "\nstackback_service_last_bytes_read{service=\""
                + a.get("service").asText()
                + "\"} "
                + read
                + "\n"),
        metrics);

    DbFixture.Cli stats = fx.cli("runs", "--stats", "--json");
    assertEquals(0, stats.exit(), stats::all);
    JsonNode s = JSON.readTree(stats.out());
    assertEquals(5, s.get("used").asInt());
    assertEquals(1, s.get("anomalies").size());
    assertEquals(last.get("id").asText(), s.get("anomalies").get(0).get("runId").asText());
    assertEquals(message, s.get("anomalies").get(0).get("anomaly").get("message").asText());
    JsonNode dumpStats = null;
    for (JsonNode st : s.get("steps")) {
      if (st.get("kind").asText().equals("dump")) {
        dumpStats = st;
      }
    }
    assertEquals(5, dumpStats.get("durationMs").get("count").asInt(), s::toString);
    // five sizes: the small one and the four before it, whose lower middle is the median
    assertEquals(dumpSizes.get(1), dumpStats.get("bytesRead").get("median").asLong());

    DbFixture.Cli text = fx.cli("runs", "--stats", "--last", "3");
    assertEquals(0, text.exit(), text::all);
    assertTrue(text.out().startsWith("Last 3 run(s): 3 successful backup run(s)"), text::all);
    assertTrue(
        text.out().contains("Anomalies:\n  run " + last.get("id").asText() + ": " + message),
        text::all);

    DbFixture.Cli status = fx.cli("status", "--json");
    assertEquals(0, status.exit(), status::all);
    JsonNode lastRun = JSON.readTree(status.out()).get("lastRun");
    assertEquals(last.get("id").asText(), lastRun.get("id").asText());
    assertEquals("smaller", lastRun.get("anomalies").get(0).get("type").asText());
    DbFixture.Cli statusText = fx.cli("status");
    assertEquals(0, statusText.exit(), statusText::all);
    assertTrue(statusText.out().contains("\n  anomaly: " + message + "\n"), statusText::all);
  }

  private static JsonNode step(JsonNode record, String kind) {
    for (JsonNode st : record.get("steps")) {
      if (st.get("kind").asText().equals(kind)) {
        return st;
      }
    }
    throw new AssertionError("no " + kind + " step in " + record);
  }

  /** restic's total_bytes_processed of the snapshot a step's message names. */
  private static long snapshotBytesProcessed(String stepMessage) throws Exception {
    String shortId = stepMessage.split(" ")[1].replace(",", "");
    for (JsonNode snap : JSON.readTree(fx.snapshotsJson())) {
      if (snap.get("id").asText().startsWith(shortId)) {
        return snap.get("summary").get("total_bytes_processed").asLong();
      }
    }
    throw new AssertionError("no snapshot " + shortId);
  }

  /** The run records, oldest first. */
  private static List<JsonNode> records() {
    return RunRecords.of(fx.dir.resolve("state"));
  }
}
