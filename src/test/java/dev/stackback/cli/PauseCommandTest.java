package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.FakeRestic;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.engine.fakes.Stack;
import dev.stackback.state.Pause;
import dev.stackback.state.PauseFile;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pause}, {@code resume} and the skip decision of {@code backup --trigger=schedule} through
 * picocli with the journaling fakes: a paused scheduled run touches neither Docker nor restic and
 * leaves a {@code skipped} record; a manual run still backs up; an ended pause skips nothing.
 */
class PauseCommandTest {
  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

  @TempDir Path state;

  final Journal journal = new Journal();
  StringWriter out = new StringWriter();
  StringWriter err = new StringWriter();
  Instant now = NOW;

  int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    Stack stack = new Stack();
    stack.service("web").backsUpData().hook("pre", 1, "echo web-pre");
    return FakeApp.of(stack, state, journal, new FakeRestic(journal))
        .withEnv("HOSTNAME", "sidecar1")
        .withClock(Clock.fixed(now, ZoneOffset.UTC))
        .execute(out, err, args);
  }

  Pause pauseOnFile() {
    return new PauseFile(state).read().orElseThrow();
  }

  @Test
  void pauseFor2h_writesThePause_saysUntilWhen() {
    int code = run("pause", "--for", "2h", "--reason", "db migration");

    assertEquals(0, code, err::toString);
    Pause p = pauseOnFile();
    assertEquals(NOW, p.since());
    assertEquals(NOW.plus(Duration.ofHours(2)), p.until());
    assertEquals("db migration", p.reason());
    assertTrue(p.by().endsWith("@sidecar1"), p.by());
    assertTrue(
        out.toString()
            .contains(
                "Paused scheduled runs until 2026-12-02T12:00:00Z (db migration), 2h from now."),
        out::toString);
    assertEquals(List.of(), journal.entries(), "pause touches neither Docker nor restic");
  }

  @Test
  void pauseTwice_replaces_andSaysWhatItReplaced() {
    run("pause", "--reason", "first");
    int code = run("pause", "--for", "30m");

    assertEquals(0, code, err::toString);
    assertTrue(out.toString().contains("Replaced the pause until resumed (first)."), out::toString);
    assertEquals(NOW.plus(Duration.ofMinutes(30)), pauseOnFile().until());
    assertNull(pauseOnFile().reason());
  }

  @Test
  void pauseWithBadDuration_exit2_namesTheOption_writesNothing() {
    for (String bad : List.of("soon", "0s", "-5m", "2 hours", "99999999999999999999d")) {
      int code = run("pause", "--for", bad);

      assertEquals(2, code, bad);
      assertTrue(err.toString().contains("--for: '" + bad + "'"), err::toString);
      assertFalse(Files.exists(state.resolve("pause.json")), bad);
    }
  }

  @Test
  void scheduledBackupWhilePaused_skippedRecord_exit0_noDockerNoRestic() {
    run("pause", "--reason", "moving the database");

    now = NOW.plusSeconds(60);
    int code = run("backup", "--trigger=schedule");

    assertEquals(0, code, err::toString);
    assertEquals(List.of(), journal.entries(), "no hooks, no Docker, no restic");
    RunRecord r = new RunStore(state).latest().orElseThrow();
    assertEquals(RunRecord.SKIPPED, r.state());
    assertEquals("schedule", r.trigger());
    assertEquals(0, r.exitCode());
    assertEquals(now, r.startedAt());
    assertEquals(now, r.endedAt());
    assertEquals("paused until resumed (moving the database)", r.reason());
    assertNull(r.error());
    assertTrue(out.toString().contains(": skipped: paused until resumed"), out::toString);
    assertFalse(Files.exists(state.resolve("run.lock")), "no run lock taken");
  }

  @Test
  void manualBackupWhilePaused_backsUp() {
    run("pause");

    int code = run("backup");

    assertEquals(0, code, err::toString);
    assertTrue(
        journal.entries().contains("exec web sh -c echo web-pre"), journal.entries()::toString);
    assertEquals(RunRecord.SUCCEEDED, new RunStore(state).latest().orElseThrow().state());
  }

  @Test
  void scheduledBackupAfterThePauseEnded_backsUp() {
    run("pause", "--for", "1h");

    now = NOW.plus(Duration.ofHours(1));
    int code = run("backup", "--trigger=schedule");

    assertEquals(0, code, err::toString);
    assertTrue(
        journal.entries().contains("exec web sh -c echo web-pre"), journal.entries()::toString);
    assertEquals(RunRecord.SUCCEEDED, new RunStore(state).latest().orElseThrow().state());
  }

  @Test
  void scheduledBackupWithAnUnreadablePauseFile_backsUp() throws Exception {
    Files.writeString(state.resolve("pause.json"), "not json");

    int code = run("backup", "--trigger=schedule");

    assertEquals(0, code, err::toString);
    assertEquals(RunRecord.SUCCEEDED, new RunStore(state).latest().orElseThrow().state());
  }

  @Test
  void resume_removesThePause_thenScheduledRunsRunAgain() {
    run("pause", "--for", "2h", "--reason", "x");

    assertEquals(0, run("resume"), err::toString);
    assertEquals(
        "Resumed scheduled runs (was paused until 2026-12-02T12:00:00Z (x)).",
        out.toString().trim());
    assertFalse(Files.exists(state.resolve("pause.json")));

    assertEquals(0, run("backup", "--trigger=schedule"), err::toString);
    assertEquals(RunRecord.SUCCEEDED, new RunStore(state).latest().orElseThrow().state());
  }

  @Test
  void resume_whenNotPausedOrEnded_exit0_saysSo() {
    assertEquals(0, run("resume"));
    assertEquals("Scheduled runs were not paused; nothing to do.", out.toString().trim());

    run("pause", "--for", "10m");
    now = NOW.plus(Duration.ofMinutes(11));
    assertEquals(0, run("resume"));
    assertTrue(out.toString().contains("had ended; removed it."), out::toString);
    assertFalse(Files.exists(state.resolve("pause.json")));
  }

  @Test
  void statusModel_saysPausedUntilAndWhy_orThatItEnded() {
    Pause p = new Pause(NOW, NOW.plusSeconds(600), "why", "root@h");
    Map<String, Object> active = ScheduledPause.model(new PauseFile.Active(p));
    assertEquals(true, active.get("paused"));
    assertEquals("2026-12-02T10:10:00Z", active.get("until"));
    assertEquals(
        "yes, scheduled runs are skipped until 2026-12-02T10:10:00Z (why);"
            + " since 2026-12-02T10:00:00Z by root@h",
        ScheduledPause.text(active));

    Map<String, Object> ended = ScheduledPause.model(new PauseFile.Ended(p));
    assertEquals(false, ended.get("paused"));
    assertEquals(true, ended.get("ended"));
    assertEquals("no (the pause 'why' ended at 2026-12-02T10:10:00Z)", ScheduledPause.text(ended));

    assertEquals("no", ScheduledPause.text(ScheduledPause.model(new PauseFile.None())));
  }
}
