package dev.stackback.engine;

import static dev.stackback.engine.EngineHarness.CHECK;
import static dev.stackback.engine.EngineHarness.FORGET;
import static dev.stackback.engine.EngineHarness.REPO;
import static dev.stackback.engine.EngineHarness.SELF_ERROR;
import static dev.stackback.engine.EngineHarness.SELF_FINALLY;
import static dev.stackback.engine.EngineHarness.SELF_PRE;
import static dev.stackback.engine.EngineHarness.WEB_ERROR;
import static dev.stackback.engine.EngineHarness.WEB_FINALLY;
import static dev.stackback.engine.EngineHarness.WEB_PRE;
import static dev.stackback.engine.EngineHarness.WEB_WORKER;
import static dev.stackback.engine.EngineHarness.WORKER_REMOVE;
import static dev.stackback.engine.EngineHarness.standardStack;
import static dev.stackback.engine.EngineHarness.step;
import static dev.stackback.engine.EngineHarness.steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.Stack;
import dev.stackback.port.ExecRequest;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hooks in a run: timeouts, retries, async, ordering, context, error and finally stages. */
class RunEngineHooksTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @TempDir Path state;

  @Test
  void hookTimeout_countsAsFailure_outcomeTimeout() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.journal.on(WEB_PRE).timesOut();

    RunReport report = h.run();

    assertEquals(1, report.exitCode());
    StepRecord pre = step(h.latest(), "pre web#1");
    assertEquals("timeout", pre.outcome());
    assertNull(pre.exitCode());
    assertTrue(pre.message().contains("timed out"), pre.message());
    assertFalse(h.journal.entries().contains("stop web"));
  }

  @Test
  void retriesThenSuccess_attempts3_backoffDoubles() {
    Stack s = new Stack();
    s.service("web").backsUpData().hook("pre", 1, "echo web-pre").hook("pre", 1, "retries", "2");
    EngineHarness h = new EngineHarness(s, state);
    h.journal.on(WEB_PRE).exits(1, 1, 0);

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            WEB_PRE,
            "sleep 1s",
            WEB_PRE,
            "sleep 2s",
            WEB_PRE,
            "worker start /volumes/web/data",
            WEB_WORKER,
            WORKER_REMOVE,
            FORGET,
            CHECK),
        h.journal.entries());
    assertEquals(0, report.exitCode());
    StepRecord pre = step(h.latest(), "pre web#1");
    assertEquals("ok", pre.outcome());
    assertEquals(3, pre.attempts());
    assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), h.sleeps);
  }

  @Test
  void retriesExhausted_failsWithLastExitCode_allAttemptsCounted() {
    Stack s = new Stack();
    s.service("web").backsUpData().hook("pre", 1, "echo web-pre").hook("pre", 1, "retries", "1");
    EngineHarness h = new EngineHarness(s, state);
    h.journal.on(WEB_PRE).exits(1, 7);

    RunReport report = h.run();

    assertEquals(List.of(REPO, WEB_PRE, "sleep 1s", WEB_PRE), h.journal.entries());
    assertEquals(1, report.exitCode());
    StepRecord pre = step(h.latest(), "pre web#1");
    assertEquals("failed", pre.outcome());
    assertEquals(2, pre.attempts());
    assertEquals(7, pre.exitCode());
  }

  @Test
  void asyncHook_stageDoesNotWait_awaitedBeforeRunEnds_failureRecordedRunSucceeds() {
    Stack s = new Stack();
    s.service("web")
        .backsUpData()
        .stopDuringBackup()
        .hook("pre", 1, "slow")
        .hook("pre", 1, "mode", "async")
        .hook("pre", 2, "echo web-pre")
        .hook("finally", 1, "echo web-finally");
    EngineHarness h = new EngineHarness(s, state);
    CountDownLatch asyncStarted = new CountDownLatch(1);
    String slow = "exec web sh -c slow";
    h.journal
        .on(slow)
        .exits(1)
        .after(
            () -> {
              asyncStarted.countDown();
              // still running after the backup and the finally hooks...
              h.journal.awaitEntry(WEB_FINALLY, WAIT);
              // ...and a little longer: a run that did not await it would end first
              Thread.sleep(200);
            });
    // keeps the journal order fixed: the async exec is journaled before the next pre hook
    h.journal.on(WEB_PRE).before(() -> assertTrue(asyncStarted.await(5, TimeUnit.SECONDS)));

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            slow,
            WEB_PRE,
            "worker start /volumes/web/data",
            "stop web",
            WEB_WORKER,
            "start web",
            WORKER_REMOVE,
            "confirm running web",
            WEB_FINALLY,
            FORGET,
            CHECK),
        h.journal.entries());
    assertEquals(0, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.SUCCEEDED, r.state());
    StepRecord async = step(r, "pre web#1");
    assertEquals("failed", async.outcome());
    assertEquals(1, async.exitCode());
    // recorded after finally#1: it finished last
    List<String> steps = steps(r);
    assertTrue(
        steps.indexOf("pre web#1: failed") > steps.indexOf("finally web#1: ok"), steps.toString());
  }

  @Test
  void ordering_severalContainers_orderedLabels_hookOnlyAfterTargets_selfFirstInPreLastAfter() {
    Stack s = new Stack();
    s.self()
        .label("stack-back.ordered", "true")
        .label("stack-back.order.1", "web")
        .label("stack-back.order.2", "hooky")
        .label("stack-back.order.5", "db")
        .hook("pre", 1, "self-pre")
        .hook("post", 1, "self-post")
        .hook("finally", 1, "self-finally");
    s.service("db").postgres().hook("pre", 1, "db-pre").hook("post", 1, "db-post");
    s.service("files").backsUpData().hook("pre", 1, "files-pre").hook("post", 1, "files-post");
    s.service("hooky").hook("pre", 1, "hooky-pre").hook("post", 1, "hooky-post");
    s.service("web")
        .backsUpData()
        .stopDuringBackup()
        .hook("pre", 10, "web-pre-10")
        .hook("pre", 2, "web-pre-2")
        .hook("post", 1, "web-post")
        .hook("finally", 1, "web-finally");
    s.service("plain"); // no labels: neither target nor hooks
    EngineHarness h = new EngineHarness(s, state);

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            "local sh -c self-pre",
            "exec web sh -c web-pre-2",
            "exec web sh -c web-pre-10",
            "exec db sh -c db-pre",
            "exec files sh -c files-pre",
            "exec hooky sh -c hooky-pre",
            "worker start /volumes/web/data /volumes/files/data",
            "stop web",
            WEB_WORKER,
            "start web",
            "restic backupStdin /databases/db/all_databases.sql",
            "stream db pg_dumpall",
            "worker backup files /volumes/files/data",
            WORKER_REMOVE,
            "confirm running web",
            "exec web sh -c web-post",
            "exec db sh -c db-post",
            "exec files sh -c files-post",
            "exec hooky sh -c hooky-post",
            "local sh -c self-post",
            "exec web sh -c web-finally",
            "local sh -c self-finally",
            FORGET,
            CHECK),
        h.journal.entries());
    assertEquals(0, report.exitCode());
  }

  @Test
  void context_hookExecsIntoNamedService_selfHookWithContextToo_userAndEnvPassed() {
    Stack s = new Stack();
    s.self().hook("pre", 1, "self-in-db").hook("pre", 1, "context", "db");
    s.service("db").postgres();
    s.service("web")
        .backsUpData()
        .hook("pre", 1, "checkpoint")
        .hook("pre", 1, "context", "db")
        .hook("pre", 1, "user", "postgres");
    EngineHarness h = new EngineHarness(s, state);

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            "exec db sh -c self-in-db",
            "exec db sh -c checkpoint",
            "restic backupStdin /databases/db/all_databases.sql",
            "stream db pg_dumpall",
            "worker start /volumes/web/data",
            WEB_WORKER,
            WORKER_REMOVE,
            FORGET,
            CHECK),
        h.journal.entries());
    assertEquals(0, report.exitCode());
    ExecRequest checkpoint = h.runtime.execs().get(1);
    assertEquals("id-db", checkpoint.containerId());
    assertEquals("postgres", checkpoint.user());
    assertEquals("pre", checkpoint.env().get("STACK_BACK_STAGE"));
    assertEquals("web", checkpoint.env().get("STACK_BACK_SERVICE"));
    assertEquals(h.latest().id(), checkpoint.env().get("STACK_BACK_RUN_ID"));
  }

  @Test
  void contextOutOfScope_failsThatHookWithoutExec() {
    Stack s = standardStack();
    s.get("web").hook("pre", 1, "context", "ghost");
    s.service("ghost").project("other").backsUpData();
    EngineHarness h = new EngineHarness(s, state);

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            SELF_PRE,
            "exec files sh -c echo files-pre",
            WEB_ERROR,
            SELF_ERROR,
            WEB_FINALLY,
            SELF_FINALLY),
        h.journal.entries());
    assertEquals(1, report.exitCode());
    StepRecord pre = step(h.latest(), "pre web#1");
    assertEquals("failed", pre.outcome());
    assertTrue(pre.message().contains("'ghost'"), pre.message());
  }

  @Test
  void errorAndFinallyHooks_failureWithAbortSkipsNothing() {
    Stack s = new Stack();
    s.self().hook("error", 1, "self-error").hook("finally", 1, "self-finally");
    s.service("web")
        .backsUpData()
        .hook("pre", 1, "boom")
        .hook("error", 1, "e1")
        .hook("error", 2, "e2")
        .hook("finally", 1, "f1")
        .hook("finally", 2, "f2");
    EngineHarness h = new EngineHarness(s, state);
    h.journal.on("exec web sh -c boom").exits(1);
    h.journal.on("exec web sh -c e1").exits(1);
    h.journal.on("exec web sh -c f1").exits(1);

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            "exec web sh -c boom",
            "exec web sh -c e1",
            "exec web sh -c e2",
            "local sh -c self-error",
            "exec web sh -c f1",
            "exec web sh -c f2",
            "local sh -c self-finally"),
        h.journal.entries());
    assertEquals(1, report.exitCode());
    assertEquals(
        List.of(
            "check repository: ok",
            "pre web#1: failed",
            "error web#1: failed",
            "error web#2: ok",
            "error backup#1: ok",
            "finally web#1: failed",
            "finally web#2: ok",
            "finally backup#1: ok"),
        steps(h.latest()));
    // the first error is the one that failed the run, not a later hook
    assertTrue(h.latest().error().contains("pre hook"), h.latest().error());
  }

  @Test
  void finallyHookFailsAfterSuccessfulBackup_runFailed_noMaintenance() {
    Stack s = new Stack();
    s.service("web").backsUpData().hook("finally", 1, "f1").hook("post", 1, "p1");
    EngineHarness h = new EngineHarness(s, state);
    h.journal.on("exec web sh -c f1").exits(1);

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            "worker start /volumes/web/data",
            WEB_WORKER,
            WORKER_REMOVE,
            "exec web sh -c p1",
            "exec web sh -c f1"),
        h.journal.entries());
    assertEquals(1, report.exitCode());
    assertEquals(RunRecord.FAILED, h.latest().state());
  }

  @Test
  void localHookGetsStageRunIdAndService() {
    Stack s = new Stack();
    s.self().hook("pre", 1, "echo self-pre");
    s.service("web").backsUpData();
    EngineHarness h = new EngineHarness(s, state);

    h.run();

    Map<String, String> env = h.shell.envs().get(0);
    assertEquals("pre", env.get("STACK_BACK_STAGE"));
    assertEquals("backup", env.get("STACK_BACK_SERVICE"));
    assertEquals(h.latest().id(), env.get("STACK_BACK_RUN_ID"));
  }
}
