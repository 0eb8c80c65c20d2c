package dev.stackback.cli;

import static dev.stackback.cli.RestoreRunCommandTest.DB;
import static dev.stackback.cli.RestoreRunCommandTest.OLDER;
import static dev.stackback.cli.RestoreRunCommandTest.RUN;
import static dev.stackback.cli.RestoreRunCommandTest.UNTAGGED;
import static dev.stackback.cli.RestoreRunCommandTest.WEB;
import static dev.stackback.cli.RestoreRunCommandTest.WEB_OLDER;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.engine.fakes.FakeRestic;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.engine.fakes.Stack;
import dev.stackback.port.Snapshot;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code snapshots} groups by run: each run's id, time and (when its record is here) state, its
 * snapshots in backup order; snapshots without a run tag by service as before; the same in JSON.
 */
class SnapshotsCommandTest {
  static final Snapshot PYTHON =
      new Snapshot(
          "5e5e5e5eff",
          "5e5e5e5e",
          Instant.parse("2025-01-01T00:00:00Z"),
          "oldhost",
          List.of("/volumes/web/data"),
          List.of());

  @TempDir Path state;

  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    Journal journal = new Journal();
    Stack stack = new Stack();
    stack.service("web").backsUpData();
    Instant t = Instant.parse("2026-02-28T02:00:00Z");
    new RunStore(state)
        .save(
            new RunRecord(
                RUN, "schedule", "succeeded", 1, "app", t, t, 0, List.of(), List.of(), null));
    return FakeApp.of(
            stack,
            state,
            journal,
            new FakeRestic(journal).withSnapshots(WEB_OLDER, WEB, UNTAGGED, DB, PYTHON))
        .execute(out, err, args);
  }

  @Test
  void text_runsNewestFirst_inBackupOrder_thenUntaggedByService_thenPython() {
    assertEquals(0, run("snapshots"), err::toString);

    assertEquals(
        List.of(
            "Snapshots of host 'app' (4):",
            "  run " + RUN + "  2026-02-28T02:00:01Z  succeeded",
            "    db   d1d1d1d1  /databases/db/all_databases.sql",
            "    web  e2e2e2e2  /volumes/web/data",
            "  run " + OLDER + "  2026-02-27T02:00:05Z",
            "    web  f3f3f3f3  /volumes/web/data",
            "Without a run tag (made before runs were tagged), by service:",
            "  web",
            "    0a0a0a0a  2026-02-26T02:00:05Z  /volumes/web/data"),
        out.toString().lines().toList().subList(0, 9));
  }

  @Test
  void json_hasTheRuns_andKeepsTheServices() throws Exception {
    assertEquals(0, run("snapshots", "--json"), err::toString);

    JsonNode m = RunStore.json().readTree(out.toString());
    JsonNode runs = m.get("runs");
    assertEquals(2, runs.size());
    assertEquals(RUN, runs.get(0).get("id").asText());
    assertEquals("succeeded", runs.get(0).get("state").asText());
    assertEquals("2026-02-28T02:00:01Z", runs.get(0).get("time").asText());
    assertEquals(List.of("db", "web"), texts(runs.get(0).get("services")));
    JsonNode first = runs.get(0).get("snapshots").get(0);
    assertEquals("dump", first.get("kind").asText());
    assertEquals(DB.id(), first.get("id").asText());
    assertEquals("volumes", runs.get(0).get("snapshots").get(1).get("kind").asText());
    assertEquals(true, runs.get(1).get("state").isNull(), "no record of the older run here");
    // as before: every snapshot of ours by service, newest first
    assertEquals(3, m.get("services").get("web").size());
    assertEquals(1, m.get("legacy").size());
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
