package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.FakeRestic;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.engine.fakes.Stack;
import dev.stackback.port.Snapshot;
import dev.stackback.state.RunLock;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restore --in-place} through picocli with the journaling fakes: without {@code --yes}
 * nothing happens but a read of the snapshots, with it one recorded run; a held lock gives exit 5.
 */
class RestoreInPlaceCommandTest {
  static final Snapshot SNAP =
      new Snapshot(
          "ab12cd34ef",
          "ab12cd34",
          Instant.parse("2026-02-28T02:00:00Z"),
          "app",
          List.of("/volumes/web/data"),
          List.of("stack-back", "project=app", "service=web"));

  @TempDir Path state;

  final Journal journal = new Journal();
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    Stack stack = FakeApp.webStack();
    return FakeApp.of(stack, state, journal, new FakeRestic(journal).withSnapshots(SNAP))
        .execute(out, err, args);
  }

  @Test
  void withoutYes_saysWhatWouldBeOverwritten_touchesNothing_exit1() {
    int code = run("restore", "--service", "web", "--in-place");

    assertEquals(1, code, err::toString);
    assertEquals(List.of("restic snapshots"), journal.entries());
    String e = err.toString();
    assertTrue(e.contains("overwrites volume web_data (at /data)  <-  /volumes/web/data"), e);
    assertTrue(e.contains("--yes"), e);
    assertTrue(new RunStore(state).latest().isEmpty(), "no run is recorded");
  }

  @Test
  void withYes_oneRecordedRestoreRun() {
    int code = run("restore", "--service", "web", "--in-place", "--yes");

    assertEquals(0, code, err::toString);
    assertEquals(
        List.of(
            "restic snapshots",
            "exec web sh -c echo web-pre",
            "stop web",
            "worker web restic restore ab12cd34ef --target / --include /volumes/web/data",
            "start web",
            "confirm running web",
            "exec web sh -c echo web-finally"),
        journal.entries());
    assertEquals("restore", new RunStore(state).latest().orElseThrow().trigger());
    assertTrue(out.toString().contains("succeeded (exit 0)"), out::toString);
  }

  @Test
  void unknownSnapshot_exit1_nothingHappens() {
    int code = run("restore", "--service", "web", "--in-place", "--yes", "--snapshot", "ffff");

    assertEquals(1, code);
    assertEquals(List.of("restic snapshots"), journal.entries());
    assertTrue(
        err.toString().contains("no volume snapshot 'ffff' of service 'web'"), err::toString);
  }

  @Test
  void aKilledRunLeftTheServiceStopped_recoveryStartsItBeforeTheRestoreLooksForIt() {
    new RunStore(state)
        .save(
            new RunRecord(
                "20260301T020000Z",
                "restore",
                RunRecord.RUNNING,
                Long.MAX_VALUE,
                "app",
                Instant.parse("2026-03-01T02:00:00Z"),
                null,
                null,
                List.of("id-web"),
                List.of(),
                null,
                null,
                List.of(),
                null));

    Stack stack = FakeApp.webStack();
    stack.get("web").notRunning();
    FakeApp.of(stack, state, journal, new FakeRestic(journal).withSnapshots(SNAP))
        .execute(out, err, "restore", "--service", "web", "--in-place", "--yes");

    // recovery first, under the lock; (the fake's containers keep their state, so the restore
    // itself does not find web running: SwarmRestoreIT shows the whole case on a real swarm)
    assertEquals("start web", journal.entries().get(0), journal.entries()::toString);
    assertEquals(
        RunRecord.FAILED, new RunStore(state).find("20260301T020000Z").orElseThrow().state());
  }

  @Test
  void lockHeld_exit5_nothingHappens() {
    RunLock held = RunLock.tryAcquire(state).orElseThrow();
    try (held) {
      int code = run("restore", "--service", "web", "--in-place", "--yes");

      assertEquals(5, code);
      assertEquals(List.of(), journal.entries());
    }
  }

  @Test
  void yesWithoutInPlace_exit2() {
    assertEquals(2, run("restore", "--service", "web", "--target", "/tmp/x", "--yes"));
    assertEquals(List.of(), journal.entries());
  }
}
