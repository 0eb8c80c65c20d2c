package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.config.Config;
import dev.stackback.engine.fakes.FakeRestic;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.notify.Notifier;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.LocalShell;
import dev.stackback.port.Restic;
import dev.stackback.state.Pause;
import dev.stackback.state.PauseFile;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link Main} starts for a plain {@code backup} before picocli: the command uses that restic
 * (with its repository check) and that Docker connection, not new ones, and prints what connecting
 * reported as if it had connected itself; other command lines, an invalid configuration and a
 * scheduled run while paused start nothing.
 */
class EarlyBackupTest {
  @TempDir Path state;

  final Journal journal = new Journal();
  final AtomicInteger restics = new AtomicInteger();
  final AtomicInteger runtimes = new AtomicInteger();

  App app;

  @BeforeEach
  void webStack() {
    app = counting(FakeApp.of(FakeApp.webStack(), state, journal, new FakeRestic(journal)));
  }

  @AfterEach
  void nothingLeftBehind() {
    EarlyBackup.discard(app);
  }

  /** {@code fake}, counting the restic adapters and Docker clients made. */
  App counting(FakeApp fake) {
    return new App() {
      @Override
      public Map<String, String> env() {
        return fake.env();
      }

      @Override
      public ContainerRuntime runtime(Config config) {
        runtimes.incrementAndGet();
        return fake.runtime(config);
      }

      @Override
      public Restic restic(Config config) {
        restics.incrementAndGet();
        return fake.restic(config);
      }

      @Override
      public LocalShell shell() {
        return fake.shell();
      }

      @Override
      public Clock clock() {
        return fake.clock();
      }

      @Override
      public Notifier notifier(Config config) {
        return Notifier.none();
      }
    };
  }

  int execute(StringWriter out, StringWriter err, String... args) {
    var cl = StackBackCommand.commandLine(app);
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void plainBackup_startedEarly_theCommandRunsWithIt() {
    for (String[] line :
        List.of(
            new String[] {"backup"},
            new String[] {"backup", "--trigger=schedule"},
            new String[] {"backup", "--trigger", "manual"})) {
      restics.set(0);
      runtimes.set(0);
      EarlyBackup.start(app, line);
      assertEquals(1, restics.get(), "restic made before the command line is parsed");

      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = execute(out, err, line);

      assertEquals(0, code, err::toString);
      assertEquals(1, restics.get(), "the command took the early restic, made no other");
      assertEquals(1, runtimes.get(), "the command took the early connection, made no other");
      assertEquals(RunRecord.SUCCEEDED, new RunStore(state).latest().orElseThrow().state());
      assertTrue(journal.entries().contains("restic ensureRepository"), journal::toString);
    }
  }

  @Test
  void otherCommandLines_startNothing() {
    for (String[] line :
        List.of(
            new String[] {"backup", "--dry-run"},
            new String[] {"backup", "--trigger=schedule", "--log-level", "debug"},
            new String[] {"status"},
            new String[] {"backup", "--help"})) {
      EarlyBackup.start(app, line);
      assertEquals(0, restics.get() + runtimes.get(), String.join(" ", line));
      assertFalse(EarlyBackup.waiting(app), String.join(" ", line));
    }
  }

  @Test
  void invalidConfiguration_startsNothing_theCommandReportsIt() {
    app =
        counting(
            FakeApp.of(FakeApp.webStack(), state, journal, new FakeRestic(journal))
                .withEnv("BACKUP_TIMEOUT", "soon"));

    EarlyBackup.start(app, new String[] {"backup"});
    assertEquals(0, restics.get() + runtimes.get());

    StringWriter err = new StringWriter();
    assertEquals(2, execute(new StringWriter(), err, "backup"));
    assertTrue(err.toString().contains("BACKUP_TIMEOUT"), err::toString);
  }

  @Test
  void scheduledWhilePaused_startsNothing_skippedAsBefore() {
    new PauseFile(state).write(new Pause(Instant.now().minusSeconds(60), null, "x", "me@here"));

    EarlyBackup.start(app, new String[] {"backup", "--trigger=schedule"});
    assertEquals(0, restics.get() + runtimes.get(), "no restic, no Docker while paused");

    assertEquals(
        0, execute(new StringWriter(), new StringWriter(), "backup", "--trigger=schedule"));
    assertEquals(RunRecord.SKIPPED, new RunStore(state).latest().orElseThrow().state());
    assertEquals(List.of(), journal.entries());
  }

  @Test
  void connectingFails_thePrintedErrorAndExitAreTheCommandsOwn() {
    app =
        counting(
            FakeApp.of(FakeApp.webStack(), state, journal, new FakeRestic(journal))
                .withEnv("STACK_BACK_CONTAINER", "no-such-container"));
    StringWriter plainErr = new StringWriter();
    int plain = execute(new StringWriter(), plainErr, "backup");

    EarlyBackup.start(app, new String[] {"backup"});
    StringWriter earlyErr = new StringWriter();
    int early = execute(new StringWriter(), earlyErr, "backup");

    assertTrue(plain != 0, plainErr::toString);
    assertEquals(plain, early);
    assertTrue(plainErr.toString().contains("no-such-container"), plainErr::toString);
    assertEquals(plainErr.toString(), earlyErr.toString());
  }

  @Test
  void notTaken_discarded() {
    EarlyBackup.start(app, new String[] {"backup"});
    assertTrue(EarlyBackup.waiting(app));
    EarlyBackup.discard(app);
    assertFalse(EarlyBackup.waiting(app));
  }
}
