package dev.stackback.engine;

import static dev.stackback.engine.EngineHarness.steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.Stack;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ScratchSpec;
import dev.stackback.port.Snapshot;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RunEngine#verify} against the journaling fakes: a dump drill makes a scratch container
 * from the database's image with fresh credentials, waits for it, loads and counts, and removes it
 * whatever happens; a volume drill restores into a scratch directory, compares sizes and a sample
 * of contents, and removes the directory. Nothing of the stack is stopped or exec'd into.
 */
class VerifyRunTest {
  static final String DUMP = "/databases/db/all_databases.sql";
  static final String SQL = "CREATE TABLE t (x int);\n";
  static final Snapshot DB_OLD = snapshot("0ld0", "2026-02-27T02:00:00Z", "db", DUMP);
  static final Snapshot DB_SNAP = snapshot("d8d8", "2026-02-28T02:00:00Z", "db", DUMP);
  static final Snapshot WEB_SNAP =
      snapshot("e8e8", "2026-02-28T02:00:00Z", "web", "/volumes/web/data");

  static final List<String> DB_DRILL =
      List.of(
          "restic snapshots",
          "scratch start",
          "scratch ready",
          "receive scratch " + SQL.length() + " bytes",
          "scratch load",
          "scratch count",
          "remove scratch");

  @TempDir Path state;
  @TempDir Path scratch;

  static Snapshot snapshot(String prefix, String time, String service, String path) {
    String id = prefix + "0".repeat(64 - prefix.length());
    return new Snapshot(
        id,
        id.substring(0, 8),
        Instant.parse(time),
        "app",
        List.of(path),
        List.of("stack-back", "project=app", "service=" + service));
  }

  private EngineHarness harness() {
    Stack s = EngineHarness.standardStack();
    s.get("db").env("POSTGRES_PASSWORD", "the-real-secret");
    EngineHarness h = new EngineHarness(s, state);
    h.restic
        .withSnapshots(DB_OLD, DB_SNAP, WEB_SNAP)
        .withFiles(DB_SNAP.id(), Map.of(DUMP, SQL))
        .withFiles(
            WEB_SNAP.id(),
            Map.of(
                "/volumes/web/data/a.txt", "alpha",
                "/volumes/web/data/sub/big.bin", "b".repeat(5000),
                "/volumes/web/data/empty", ""));
    return h;
  }

  private RunReport verify(EngineHarness h, String... services) {
    return h.engine.verify(h.stack.plan(), Set.of(services), scratch);
  }

  @Test
  void dumpDrill_scratchFromTheSameImage_freshCredentials_loadsCountsAndIsRemoved() {
    EngineHarness h = harness();

    RunReport r = verify(h, "db");

    assertEquals(0, r.exitCode());
    RunRecord rec = h.latest();
    assertEquals("verify", rec.trigger());
    assertEquals(RunRecord.SUCCEEDED, rec.state());
    // the latest dump, into the scratch container only: the real db is never exec'd into
    // restic dump streams into the receiving exec from its own thread: checked apart
    assertEquals(
        DB_DRILL, h.journal.entries().stream().filter(l -> !l.startsWith("restic dump")).toList());
    assertTrue(h.journal.entries().contains("restic dump " + DB_SNAP.id() + " " + DUMP));
    ScratchSpec spec = h.runtime.scratches().get(0);
    assertEquals("stack-back-verify-" + rec.id().toLowerCase() + "-db", spec.name());
    assertEquals("postgres:16", spec.image());
    assertEquals("app", spec.env().get("POSTGRES_USER"));
    assertFalse(spec.env().containsValue("the-real-secret"), spec.env().toString());
    assertFalse(spec.env().get("POSTGRES_PASSWORD").isEmpty());
    assertEquals("app", spec.labels().get(BackupPhase.WORKER_HOST_LABEL));
    assertEquals(rec.id(), spec.labels().get(DumpDrill.RUN_LABEL));
    StepRecord step = rec.steps().get(0);
    assertEquals("verify dump db", step.name());
    assertTrue(step.message().contains("app: 2 table(s), 5 row(s)"), step.message());
    assertTrue(step.message().contains(DB_SNAP.shortId()), step.message());
  }

  @Test
  void dumpDoesNotLoad_drillFails_exit1_scratchStillRemoved() {
    EngineHarness h = harness();
    h.journal.on("scratch load").exits(3);

    RunReport r = verify(h, "db");

    assertEquals(1, r.exitCode());
    RunRecord rec = h.latest();
    assertEquals(RunRecord.FAILED, rec.state());
    assertEquals(List.of("verify dump db: failed"), steps(rec));
    assertTrue(rec.steps().get(0).message().contains("does not load"), rec.error());
    assertTrue(rec.error().startsWith("verify dump db failed"), rec.error());
    assertEquals("remove scratch", h.journal.entries().getLast());
    assertFalse(h.journal.entries().contains("scratch count"));
  }

  @Test
  void cancelledWhileLoading_scratchStillRemoved_runFailed() {
    EngineHarness h = harness();
    h.journal.on("scratch load").before(() -> h.engine.cancel());

    RunReport r = verify(h);

    assertEquals(1, r.exitCode());
    RunRecord rec = h.latest();
    assertEquals(RunRecord.FAILED, rec.state());
    assertEquals("remove scratch", lastScratchCall(h));
    // the volume drills after it never start
    assertEquals(
        List.of(
            "verify dump db: failed",
            "verify volumes files: skipped",
            "verify volumes web: skipped"),
        steps(rec));
    assertFalse(h.journal.entries().contains("restic restore --verify " + WEB_SNAP.id()));
    assertFalse(Thread.currentThread().isInterrupted(), "the cancel must not leak");
  }

  @Test
  void scratchCannotStart_drillFails_nothingToRemove() {
    EngineHarness h = harness();
    h.journal.on("scratch start").throwing(new ContainerRuntimeException("no such image"));

    RunReport r = verify(h, "db");

    assertEquals(1, r.exitCode());
    assertEquals(List.of("restic snapshots", "scratch start"), h.journal.entries());
    assertTrue(h.latest().error().contains("no such image"), h.latest().error());
  }

  @Test
  void volumeDrill_restoresVerifiedIntoScratch_sizesAndSampleMatch_dirRemoved() throws IOException {
    EngineHarness h = harness();

    RunReport r = verify(h, "web");

    assertEquals(0, r.exitCode());
    RunRecord rec = h.latest();
    assertEquals(List.of("verify volumes web: ok"), steps(rec));
    String message = rec.steps().get(0).message();
    assertTrue(message.contains("3 file(s)"), message);
    assertTrue(message.contains("3 largest file(s) match restic dump"), message);
    assertEquals(
        List.of(
            "restic snapshots",
            "restic ls " + WEB_SNAP.id(),
            "restic restore --verify " + WEB_SNAP.id(),
            "restic dump " + WEB_SNAP.id() + " /volumes/web/data/sub/big.bin",
            "restic dump " + WEB_SNAP.id() + " /volumes/web/data/a.txt",
            "restic dump " + WEB_SNAP.id() + " /volumes/web/data/empty"),
        h.journal.entries());
    try (Stream<Path> left = Files.list(scratch)) {
      assertEquals(List.of(), left.toList());
    }
  }

  @Test
  void volumeDrill_restoredContentDiffers_fails() throws IOException {
    EngineHarness h = harness();
    h.restic.restoresDifferently("/volumes/web/data/a.txt", "ALPHA");

    RunReport r = verify(h, "web");

    assertEquals(1, r.exitCode());
    String message = h.latest().steps().get(0).message();
    assertTrue(message.contains("content differs: /volumes/web/data/a.txt"), message);
    try (Stream<Path> left = Files.list(scratch)) {
      assertEquals(List.of(), left.toList());
    }
  }

  @Test
  void volumeDrill_restoredSizeDiffers_fails() {
    EngineHarness h = harness();
    h.restic.restoresDifferently("/volumes/web/data/sub/big.bin", "short");

    RunReport r = verify(h, "web");

    assertEquals(1, r.exitCode());
    String message = h.latest().steps().get(0).message();
    assertTrue(
        message.contains("size differs: /volumes/web/data/sub/big.bin (5 restored, 5000)"),
        message);
  }

  @Test
  void serviceWithoutSnapshots_failsItsDrill_othersStillRun() {
    EngineHarness h = harness();

    RunReport r = verify(h);

    assertEquals(1, r.exitCode());
    RunRecord rec = h.latest();
    // files has volumes but nothing in the repository: a drill exists to catch that
    assertEquals(
        List.of("verify dump db: ok", "verify volumes files: failed", "verify volumes web: ok"),
        steps(rec).stream().sorted().toList());
    assertTrue(rec.error().contains("no volume snapshot of service 'files'"), rec.error());
    assertEquals(List.of(), h.runtime.workers());
    assertTrue(
        h.journal.entries().stream().noneMatch(l -> l.startsWith("stop ") || l.startsWith("exec ")),
        h.journal.entries().toString());
  }

  static String lastScratchCall(EngineHarness h) {
    return h.journal.entries().stream()
        .filter(l -> l.contains("scratch"))
        .reduce((a, b) -> b)
        .orElse("");
  }
}
