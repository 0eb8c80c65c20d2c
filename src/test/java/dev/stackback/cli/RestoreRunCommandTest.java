package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.FakeRestic;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.engine.fakes.Stack;
import dev.stackback.port.Snapshot;
import dev.stackback.state.RunLock;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import dev.stackback.state.StepRecord;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restore --run} through picocli with the journaling fakes: the run's snapshots in the run's
 * order (its dump before its volumes here, unlike the plan's order), only its own snapshots,
 * nothing without {@code --yes}, clear errors for an unknown run or service, a partial run restored
 * with what it lacks named, and a failure that stops the rest.
 */
class RestoreRunCommandTest {
  static final String RUN = "20260228T020000Z-abcd";
  static final String OLDER = "20260227T020000Z-1234";
  static final String DUMP_PATH = "/databases/db/all_databases.sql";
  static final String DUMP = "CREATE TABLE t (x int);\n";

  static final Snapshot DB = snap("d1d1d1d1aa", "2026-02-28T02:00:01Z", DUMP_PATH, "db", RUN);
  static final Snapshot WEB =
      snap("e2e2e2e2bb", "2026-02-28T02:00:05Z", "/volumes/web/data", "web", RUN);
  static final Snapshot WEB_OLDER =
      snap("f3f3f3f3cc", "2026-02-27T02:00:05Z", "/volumes/web/data", "web", OLDER);
  static final Snapshot UNTAGGED =
      snap("0a0a0a0add", "2026-02-26T02:00:05Z", "/volumes/web/data", "web", null);

  static Snapshot snap(String id, String time, String path, String service, String run) {
    List<String> tags =
        run == null
            ? List.of("stack-back", "project=app", "service=" + service)
            : List.of("stack-back", "project=app", "service=" + service, "run=" + run);
    return new Snapshot(id, id.substring(0, 8), Instant.parse(time), "app", List.of(path), tags);
  }

  @TempDir Path state;
  @TempDir Path dir;

  final Journal journal = new Journal();
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    Stack stack = FakeApp.webStack();
    stack.service("db").postgres();
    stack.service("files").backsUpData();
    FakeRestic restic =
        new FakeRestic(journal)
            .withSnapshots(WEB_OLDER, WEB, UNTAGGED, DB)
            .withFile(DB.id(), DUMP_PATH, DUMP);
    return FakeApp.of(stack, state, journal, restic).execute(out, err, args);
  }

  /** The journal with the dump's client exec and temporary file named by what they do. */
  List<String> journal() {
    return journal.entries().stream()
        .map(
            e ->
                e.startsWith("exec db sh -c ")
                    ? "apply db"
                    : e.startsWith("exec db rm -f /tmp/stack-back-restore-") ? "rm db tmp" : e)
        .toList();
  }

  @Test
  void target_restoresEverySnapshotOfTheRun_inTheRunsOrder_andSaysWhere() {
    int code = run("restore", "--run", RUN, "--target", dir.toString());

    assertEquals(0, code, err::toString);
    assertEquals(
        List.of("restic snapshots", "restic restore " + DB.id(), "restic restore " + WEB.id()),
        journal());
    String o = out.toString();
    assertTrue(o.contains("-> " + dir + DUMP_PATH), o);
    assertTrue(o.contains("-> " + dir + "/volumes/web/data"), o);
    assertTrue(o.indexOf("dump of db") < o.indexOf("volumes of web"), o);
  }

  @Test
  void latest_isTheRunWithTheNewestSnapshots() {
    int code = run("restore", "--run", "latest", "--target", dir.toString());

    assertEquals(0, code, err::toString);
    assertTrue(journal().contains("restic restore " + WEB.id()), journal()::toString);
    assertFalse(journal().contains("restic restore " + WEB_OLDER.id()), journal()::toString);
    assertTrue(out.toString().contains("restore of run " + RUN), out::toString);
  }

  @Test
  void service_restoresOnlyThatServiceOfTheRun() {
    int code = run("restore", "--run", OLDER, "--service", "web", "--target", dir.toString());

    assertEquals(0, code, err::toString);
    assertEquals(List.of("restic snapshots", "restic restore " + WEB_OLDER.id()), journal());
  }

  @Test
  void unknownRun_exit1_nameIt_nothingRestored() {
    int code = run("restore", "--run", "20250101T000000Z-ffff", "--in-place", "--yes");

    assertEquals(1, code);
    assertEquals(List.of("restic snapshots"), journal());
    assertTrue(
        err.toString().contains("no snapshot of run '20250101T000000Z-ffff' in the repository"),
        err::toString);
  }

  @Test
  void serviceNotInTheRun_exit1_listsWhatTheRunHas_andWhyItLacksIt() {
    new RunStore(state).save(recordWithFailedSnapshotOf("files"));

    int code = run("restore", "--run", RUN, "--service", "files", "--target", dir.toString());

    assertEquals(1, code);
    assertEquals(List.of("restic snapshots"), journal());
    String e = err.toString();
    assertTrue(e.contains("run " + RUN + " has no snapshot of service(s) 'files'"), e);
    assertTrue(e.contains("(it has: db, web)"), e);
    assertTrue(e.contains("the volumes of files: its snapshot failed: disk on fire"), e);
  }

  @Test
  void inPlaceWithoutYes_describesEveryStep_touchesNothing_exit1() {
    int code = run("restore", "--run", RUN, "--in-place");

    assertEquals(1, code, err::toString);
    assertEquals(List.of("restic snapshots"), journal());
    String e = err.toString();
    assertTrue(e.contains("restore dump: " + DUMP_PATH + " of snapshot d1d1d1d1"), e);
    assertTrue(e.contains("overwrites volume web_data (at /data)  <-  /volumes/web/data"), e);
    assertTrue(e.indexOf("restore dump:") < e.indexOf("overwrites volume web_data"), e);
    assertTrue(e.contains("--yes"), e);
    assertTrue(new RunStore(state).latest().isEmpty(), "no run is recorded");
  }

  @Test
  void inPlace_partialRun_loadsTheDumpThenRestoresTheVolumes_andNamesWhatIsMissing() {
    new RunStore(state).save(recordWithFailedSnapshotOf("files"));

    int code = run("restore", "--run", RUN, "--in-place", "--yes");

    assertEquals(0, code, err::toString);
    assertEquals(
        List.of(
            "restic snapshots",
            "restic dump " + DB.id() + " " + DUMP_PATH,
            "receive db " + DUMP.getBytes(StandardCharsets.UTF_8).length + " bytes",
            "apply db",
            "exec web sh -c echo web-pre",
            "stop web",
            "worker web restic restore " + WEB.id() + " --target / --include /volumes/web/data",
            "start web",
            "confirm running web",
            "exec web sh -c echo web-finally"),
        journal());
    String e = err.toString();
    assertTrue(e.contains("warning: run " + RUN + " lacks"), e);
    assertTrue(e.contains("the volumes of files: its snapshot failed: disk on fire"), e);
    assertTrue(out.toString().contains("restored run " + RUN + ": dump of db, volumes of web"));
    RunRecord restore = new RunStore(state).latest().orElseThrow();
    assertEquals("restore", restore.trigger(), "the volume restore is a recorded run");
    assertEquals(RunRecord.SUCCEEDED, restore.state());
  }

  @Test
  void inPlace_aFailedStepStopsTheRest_andSaysWhatWasAndWasNotRestored() {
    journal.on("receive db " + DUMP.length() + " bytes").exits(1);

    int code = run("restore", "--run", RUN, "--in-place", "--yes");

    assertEquals(1, code, err::toString);
    assertEquals(
        List.of(
            "restic snapshots",
            "restic dump " + DB.id() + " " + DUMP_PATH,
            "receive db " + DUMP.length() + " bytes",
            "rm db tmp"),
        journal());
    String e = err.toString();
    assertTrue(e.contains("restore of run " + RUN + " stopped at dump of db"), e);
    assertTrue(e.contains("not restored: dump of db, volumes of web"), e);
  }

  @Test
  void inPlace_aServiceThatCannotBeRestoredNow_failsBeforeAnythingRuns() {
    Snapshot gone = snap("9b9b9b9bee", "2026-02-28T02:00:09Z", "/volumes/gone/x", "gone", RUN);
    int code =
        FakeApp.of(new Stack(), state, journal, new FakeRestic(journal).withSnapshots(WEB, gone))
            .execute(out, err, "restore", "--run", RUN, "--in-place", "--yes");

    assertEquals(1, code);
    assertEquals(List.of("restic snapshots"), journal());
    String e = err.toString();
    assertTrue(e.contains("service 'web' has no running container with volumes"), e);
    assertTrue(e.contains("service 'gone' has no running container with volumes"), e);
    assertTrue(e.contains("nothing was restored"), e);
  }

  @Test
  void lockHeld_inPlace_exit5_nothingHappens() {
    RunLock held = RunLock.tryAcquire(state).orElseThrow();
    try (held) {
      assertEquals(5, run("restore", "--run", RUN, "--in-place", "--yes"));
      assertEquals(List.of(), journal());
    }
  }

  @Test
  void badCombinations_exit2_touchNothing() {
    assertEquals(2, run("restore", "--run", RUN, "--dump"));
    assertEquals(2, run("restore", "--run", RUN, "--snapshot", "abc", "--target", "/tmp/x"));
    assertEquals(2, run("restore", "--target", "/tmp/x"));
    assertEquals(2, run("restore", "--service", "a", "--service", "b", "--target", "/tmp/x"));
    assertEquals(List.of(), journal());
    assertTrue(err.toString().contains("--service is required"), err::toString);
  }

  private static RunRecord recordWithFailedSnapshotOf(String service) {
    Instant t = Instant.parse("2026-02-28T02:00:00Z");
    return new RunRecord(
        RUN,
        "schedule",
        RunRecord.FAILED,
        1,
        "app",
        t,
        t.plusSeconds(10),
        1,
        List.of(),
        List.of(
            new StepRecord(
                "snapshot",
                "snapshot " + service,
                null,
                service,
                "failed",
                t,
                5,
                null,
                1,
                "disk on fire",
                List.of())),
        "snapshot of " + service + " failed: disk on fire");
  }
}
