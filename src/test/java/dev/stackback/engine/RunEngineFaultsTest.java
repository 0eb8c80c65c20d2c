package dev.stackback.engine;

import static dev.stackback.engine.EngineHarness.DB_STDIN;
import static dev.stackback.engine.EngineHarness.DB_STREAM;
import static dev.stackback.engine.EngineHarness.FILES_PRE;
import static dev.stackback.engine.EngineHarness.FILES_WORKER;
import static dev.stackback.engine.EngineHarness.REPO;
import static dev.stackback.engine.EngineHarness.SELF_ERROR;
import static dev.stackback.engine.EngineHarness.SELF_FINALLY;
import static dev.stackback.engine.EngineHarness.SELF_PRE;
import static dev.stackback.engine.EngineHarness.WEB_ERROR;
import static dev.stackback.engine.EngineHarness.WEB_FINALLY;
import static dev.stackback.engine.EngineHarness.WEB_PRE;
import static dev.stackback.engine.EngineHarness.WEB_WORKER;
import static dev.stackback.engine.EngineHarness.standardStack;
import static dev.stackback.engine.EngineHarness.step;
import static dev.stackback.engine.EngineHarness.steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.Stack;
import dev.stackback.plan.Plan;
import dev.stackback.plan.Target;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Port calls that throw in the error and finally paths (a container removed mid-run, an engine that
 * went away): every remaining hook is still attempted, the record is closed with the right state
 * and exit code, and the run returns a report instead of throwing.
 */
class RunEngineFaultsTest {
  private static final String GONE = "No such container: id-web";

  @TempDir Path state;

  @Test
  void errorAndFinallyHooksExecIntoAVanishedContainer_allHooksAttempted_recordClosed_exit1() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.journal.on(WEB_PRE).exits(1);
    h.journal.on(WEB_ERROR).throwing(new ContainerRuntimeException(GONE));
    h.journal.on(WEB_FINALLY).throwing(new ContainerRuntimeException(GONE));

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO, SELF_PRE, FILES_PRE, WEB_PRE, WEB_ERROR, SELF_ERROR, WEB_FINALLY, SELF_FINALLY),
        h.journal.entries());
    assertEquals(1, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.FAILED, r.state());
    assertEquals(1, r.exitCode());
    assertNotNull(r.endedAt());
    assertEquals("a pre hook failed", r.error());
    StepRecord error = step(r, "error web#1");
    assertEquals("failed", error.outcome());
    assertTrue(error.message().contains(GONE), error.message());
    assertEquals("ok", step(r, "error backup#1").outcome());
    assertEquals("failed", step(r, "finally web#1").outcome());
    assertEquals("ok", step(r, "finally backup#1").outcome());
  }

  @Test
  void restartFails_thenHooksIntoTheStoppedContainerThrow_staysExit4_everyHookAttempted() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.journal.on("start web").throwing(new ContainerRuntimeException("web exited at once"));
    h.journal
        .on(WEB_ERROR)
        .throwing(new ContainerRuntimeException("Container id-web is not running"));
    h.journal
        .on(WEB_FINALLY)
        .throwing(new ContainerRuntimeException("Container id-web is not running"));

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            SELF_PRE,
            FILES_PRE,
            WEB_PRE,
            DB_STDIN,
            DB_STREAM,
            "worker start /volumes/files/data /volumes/web/data",
            "stop files",
            FILES_WORKER,
            "start files",
            "stop web",
            WEB_WORKER,
            "start web",
            "remove worker",
            "confirm running files",
            WEB_ERROR,
            SELF_ERROR,
            WEB_FINALLY,
            SELF_FINALLY),
        h.journal.entries());
    assertEquals(4, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.FAILED, r.state());
    assertEquals(4, r.exitCode());
    assertNotNull(r.endedAt());
    assertTrue(r.error().startsWith("could not start web again"), r.error());
    assertTrue(step(r, "error web#1").message().contains("is not running"));
    assertEquals("failed", step(r, "finally web#1").outcome());
    assertEquals("ok", step(r, "finally backup#1").outcome());
  }

  @Test
  void engineGoneMidBackup_everyContainerCallThrows_localHooksStillRun_exit4() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    ContainerRuntimeException down =
        new ContainerRuntimeException("cannot reach the Docker engine: connection refused");
    h.journal.on(FILES_WORKER).throwing(down);
    h.journal.on("start files").throwing(down);
    h.journal.on(WEB_ERROR).throwing(down);
    h.journal.on(WEB_FINALLY).throwing(down);

    RunReport report = h.run();

    List<String> journal = h.journal.entries();
    // the worker's exec failed at the engine: the rest of the phase is skipped, not tried
    assertEquals(
        List.of("start files", "remove worker", WEB_ERROR, SELF_ERROR, WEB_FINALLY, SELF_FINALLY),
        journal.subList(journal.indexOf("start files"), journal.size()));
    assertEquals("skipped", step(h.latest(), "snapshot web").outcome());
    assertEquals(4, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.FAILED, r.state());
    // still listed: the next run's recovery tries again
    assertEquals(List.of("id-files"), r.stopped());
    assertTrue(step(r, "snapshot files").message().contains("connection refused"));
    assertEquals("ok", step(r, "error backup#1").outcome());
    assertEquals("ok", step(r, "finally backup#1").outcome());
  }

  @Test
  void hookThatThrowsWithRetries_eachAttemptCounted_thenFailedWithTheMessage() {
    Stack s = new Stack();
    s.service("web")
        .backsUpData()
        .hook("pre", 1, "echo web-pre")
        .hook("pre", 1, "retries", "1")
        .hook("finally", 1, "echo web-finally");
    EngineHarness h = new EngineHarness(s, state);
    h.journal.on(WEB_PRE).throwing(new ContainerRuntimeException(GONE));

    RunReport report = h.run();

    assertEquals(List.of(REPO, WEB_PRE, "sleep 1s", WEB_PRE, WEB_FINALLY), h.journal.entries());
    assertEquals(1, report.exitCode());
    StepRecord pre = step(h.latest(), "pre web#1");
    assertEquals("failed", pre.outcome());
    assertEquals(2, pre.attempts());
    assertEquals("could not run: " + GONE, pre.message());
  }

  @Test
  void asyncFinallyHookThrows_recordedAsFailed_runStillCloses() {
    Stack s = new Stack();
    s.service("web")
        .backsUpData()
        .hook("finally", 1, "echo web-finally")
        .hook("finally", 1, "mode", "async")
        .hook("finally", 2, "echo web-finally-2");
    EngineHarness h = new EngineHarness(s, state);
    h.journal.on(WEB_FINALLY).throwing(new ContainerRuntimeException(GONE));

    RunReport report = h.run();

    // an async hook's failure is reported but never fails the run (SPEC 1)
    assertEquals(0, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.SUCCEEDED, r.state());
    assertEquals("failed", step(r, "finally web#1").outcome());
    assertEquals("ok", step(r, "finally web#2").outcome());
  }

  @Test
  void stateDirectoryBecomesUnwritableMidRun_runGoesOn_containersStarted_hooksRun_lastWriteWins()
      throws Exception {
    EngineHarness h = new EngineHarness(standardStack(), state);
    Path runs = state.resolve("runs");
    Path parked = state.resolve("runs-parked");
    // while web is stopped the records directory turns into a file: every save fails
    h.journal
        .on(WEB_WORKER)
        .before(
            () -> {
              java.nio.file.Files.move(runs, parked);
              java.nio.file.Files.writeString(runs, "not a directory");
            });
    h.journal
        .on(WEB_FINALLY)
        .after(
            () -> {
              java.nio.file.Files.delete(runs);
              java.nio.file.Files.move(parked, runs);
            });

    RunReport report = h.run();

    List<String> journal = h.journal.entries();
    assertTrue(
        journal.containsAll(List.of("start web", WEB_FINALLY, SELF_FINALLY)), journal::toString);
    assertEquals(0, report.exitCode());
    // the writes after the directory came back caught up: the record on disk is complete
    RunRecord r = h.latest();
    assertEquals(RunRecord.SUCCEEDED, r.state());
    assertEquals("ok", step(r, "start web").outcome());
    assertEquals("ok", step(r, "finally backup#1").outcome());
  }

  @Test
  void restoreInPlace_errorAndFinallyHooksIntoAGoneContainer_recordClosed_exit4() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.journal.on("start web").throwing(new ContainerRuntimeException(GONE));
    h.journal.on(WEB_ERROR).throwing(new ContainerRuntimeException(GONE));
    h.journal.on(WEB_FINALLY).throwing(new ContainerRuntimeException(GONE));
    Plan plan = h.stack.plan();
    Target web = plan.targets().stream().filter(t -> t.name().equals("web")).findFirst().get();

    RunReport report =
        h.engine.restoreInPlace(plan, InPlaceRestore.of(web, RestoreRunTest.WEB_SNAP));

    assertEquals(
        List.of(WEB_PRE, "stop web", RestoreRunTest.WORKER, "start web", WEB_ERROR, WEB_FINALLY),
        h.journal.entries());
    assertEquals(4, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.FAILED, r.state());
    assertEquals(4, r.exitCode());
    assertEquals(
        List.of(
            "pre web#1: ok",
            "stop web: ok",
            "restore web: ok",
            "start web: failed",
            "error web#1: failed",
            "finally web#1: failed"),
        steps(r));
  }
}
