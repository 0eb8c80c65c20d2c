package dev.stackback.engine;

import static dev.stackback.engine.EngineHarness.CHECK;
import static dev.stackback.engine.EngineHarness.CONFIRM;
import static dev.stackback.engine.EngineHarness.DB_STDIN;
import static dev.stackback.engine.EngineHarness.DB_STREAM;
import static dev.stackback.engine.EngineHarness.FILES_PRE;
import static dev.stackback.engine.EngineHarness.FILES_WORKER;
import static dev.stackback.engine.EngineHarness.FORGET;
import static dev.stackback.engine.EngineHarness.REPO;
import static dev.stackback.engine.EngineHarness.SELF_ERROR;
import static dev.stackback.engine.EngineHarness.SELF_FINALLY;
import static dev.stackback.engine.EngineHarness.SELF_POST;
import static dev.stackback.engine.EngineHarness.SELF_PRE;
import static dev.stackback.engine.EngineHarness.WEB_ERROR;
import static dev.stackback.engine.EngineHarness.WEB_FINALLY;
import static dev.stackback.engine.EngineHarness.WEB_POST;
import static dev.stackback.engine.EngineHarness.WEB_PRE;
import static dev.stackback.engine.EngineHarness.WEB_WORKER;
import static dev.stackback.engine.EngineHarness.WORKER_REMOVE;
import static dev.stackback.engine.EngineHarness.WORKER_START;
import static dev.stackback.engine.EngineHarness.standardStack;
import static dev.stackback.engine.EngineHarness.step;
import static dev.stackback.engine.EngineHarness.steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.FakeContainerRuntime;
import dev.stackback.engine.fakes.Stack;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.MountInfo;
import dev.stackback.port.ResticException;
import dev.stackback.port.WorkerSpec;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run lifecycle of SPEC 2 through fakes of the three ports: stages, stops, snapshots. */
class RunEngineLifecycleTest {
  @TempDir Path state;

  private EngineHarness harness(Stack stack) {
    return new EngineHarness(stack, state);
  }

  @Test
  void happyPath_checkPreStopSnapshotStartPostFinallyMaintenance() {
    EngineHarness h = harness(standardStack());

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            SELF_PRE,
            FILES_PRE,
            WEB_PRE,
            DB_STDIN,
            DB_STREAM,
            WORKER_START,
            "stop files",
            FILES_WORKER,
            "start files",
            "stop web",
            WEB_WORKER,
            "start web",
            WORKER_REMOVE,
            CONFIRM,
            WEB_POST,
            SELF_POST,
            WEB_FINALLY,
            SELF_FINALLY,
            FORGET,
            CHECK),
        h.journal.entries());
    assertEquals(0, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.SUCCEEDED, r.state());
    assertEquals(0, r.exitCode());
    assertEquals(List.of(), r.stopped());
    assertEquals(
        List.of(
            "check repository: ok",
            "pre backup#1: ok",
            "pre files#1: ok",
            "pre web#1: ok",
            "dump db: ok",
            "stop files: ok",
            "snapshot files: ok",
            "start files: ok",
            "stop web: ok",
            "snapshot web: ok",
            "start web: ok",
            "post web#1: ok",
            "post backup#1: ok",
            "finally web#1: ok",
            "finally backup#1: ok",
            "forget + prune: ok",
            "check: ok"),
        steps(r));
    assertEquals("-- dump of db\n", h.restic.stdin().get("/databases/db/all_databases.sql"));
    assertEquals(List.of(h.stack.config().keep()), h.restic.forgets());
  }

  @Test
  void happyPath_workerGetsOwnImageRepositoryMountsAndTargetReadOnly_notTheSocket() {
    EngineHarness h = harness(standardStack());

    String run = "run=" + h.run().record().id();

    assertEquals(1, h.runtime.workers().size(), "one worker per run");
    WorkerSpec worker = h.runtime.workers().get(0);
    assertEquals("stack-back:test", worker.image());
    assertEquals(
        List.of(
            new WorkerSpec.WorkerMount(MountInfo.Type.BIND, "/srv/repo", "/repo", false),
            new WorkerSpec.WorkerMount(
                MountInfo.Type.VOLUME, "files_data", "/volumes/files/data", true),
            new WorkerSpec.WorkerMount(
                MountInfo.Type.VOLUME, "web_data", "/volumes/web/data", true)),
        worker.mounts());
    assertEquals(List.of(), worker.entrypoint(), "an idle worker: restic runs in it with exec");
    assertEquals(Map.of("stack-back.worker.host", "app"), worker.labels());
    assertEquals(WorkerSpec.hostnameFor("app"), worker.hostname(), "its locks: DeadWorkerLocks");
    assertEquals("/repo", worker.env().get("RESTIC_REPOSITORY"));
    assertEquals(WorkerSpec.NO_NETWORK, worker.networksOf(), "a repository on a path: no network");
    ExecRequest web =
        h.runtime.execs().stream()
            .filter(e -> e.containerId().equals(FakeContainerRuntime.WORKER_ID))
            .toList()
            .get(1);
    // a stop-during-backup service: restic runs behind the snapshot gate (SnapshotGate), which
    // it reads as one more exclude file
    List<String> gated = web.command();
    assertEquals(List.of("sh", "-c", SnapshotGate.SCRIPT, "stack-back-gate"), gated.subList(0, 4));
    String fifo = gated.get(4);
    assertTrue(fifo.startsWith("/tmp/stack-back-gate-"), fifo);
    List<String> restic = new ArrayList<>(gated.subList(5, gated.size()));
    assertEquals("--exclude-file=" + fifo, restic.remove(2));
    assertEquals(
        h.restic.backupCommand(
            "app",
            List.of("stack-back", "project=app", "service=web", run),
            List.of("/volumes/web/data")),
        restic);
    assertEquals("INT", web.stopSignal(), "restic is stopped with SIGINT: it drops its lock");
    assertEquals(
        List.of("stack-back", "project=app", "service=db", run),
        h.restic.stdinTags().get("/databases/db/all_databases.sql"),
        "the dump is tagged with the run too: one restore point");
    assertEquals(
        DumpCommands.command(h.stack.plan().targets().get(0).dump().orElseThrow()),
        h.runtime.execs().stream()
            .filter(e -> e.containerId().equals("id-db"))
            .findFirst()
            .orElseThrow()
            .command());
  }

  @Test
  void preHookFailsWithAbort_skipsRestOfPreAndBackup_runsErrorThenFinally() {
    EngineHarness h = harness(standardStack());
    h.journal.on(FILES_PRE).exits(1);

    RunReport report = h.run();

    assertEquals(
        List.of(REPO, SELF_PRE, FILES_PRE, WEB_ERROR, SELF_ERROR, WEB_FINALLY, SELF_FINALLY),
        h.journal.entries());
    assertEquals(1, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.FAILED, r.state());
    assertEquals(
        List.of(
            "check repository: ok",
            "pre backup#1: ok",
            "pre files#1: failed",
            "pre web#1: skipped",
            "error web#1: ok",
            "error backup#1: ok",
            "finally web#1: ok",
            "finally backup#1: ok"),
        steps(r));
    assertEquals(1, step(r, "pre files#1").exitCode());
  }

  @Test
  void preHookFailsWithContinue_backupAndPostRun_exit0() {
    Stack s = standardStack();
    s.get("files").hook("pre", 1, "on-error", "continue");
    EngineHarness h = harness(s);
    h.journal.on(FILES_PRE).exits(2);

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            SELF_PRE,
            FILES_PRE,
            WEB_PRE,
            DB_STDIN,
            DB_STREAM,
            WORKER_START,
            "stop files",
            FILES_WORKER,
            "start files",
            "stop web",
            WEB_WORKER,
            "start web",
            WORKER_REMOVE,
            CONFIRM,
            WEB_POST,
            SELF_POST,
            WEB_FINALLY,
            SELF_FINALLY,
            FORGET,
            CHECK),
        h.journal.entries());
    assertEquals(0, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.SUCCEEDED, r.state());
    StepRecord failed = step(r, "pre files#1");
    assertEquals("failed", failed.outcome());
    assertEquals(2, failed.exitCode());
  }

  @Test
  void repositoryCheckFails_noPreHooksNothingStopped_errorAndFinallyRun_exit1() {
    EngineHarness h = harness(standardStack());
    h.journal
        .on(REPO)
        .throwing(new ResticException(ResticException.Kind.WRONG_PASSWORD, 12, "wrong password"));

    RunReport report = h.run();

    assertEquals(
        List.of(REPO, WEB_ERROR, SELF_ERROR, WEB_FINALLY, SELF_FINALLY), h.journal.entries());
    assertEquals(1, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.FAILED, r.state());
    assertEquals(
        List.of(
            "check repository: failed",
            "error web#1: ok",
            "error backup#1: ok",
            "finally web#1: ok",
            "finally backup#1: ok"),
        steps(r));
    assertTrue(r.error().contains("wrong password"), r.error());
  }

  @Test
  void snapshotFailsForItsOwnData_startedAgain_otherTargetStillBackedUp_noPost_exit1() {
    EngineHarness h = harness(standardStack());
    h.journal.on(FILES_WORKER).exits(1);

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            SELF_PRE,
            FILES_PRE,
            WEB_PRE,
            DB_STDIN,
            DB_STREAM,
            WORKER_START,
            "stop files",
            FILES_WORKER,
            "start files",
            "stop web",
            WEB_WORKER,
            "start web",
            WORKER_REMOVE,
            CONFIRM,
            WEB_ERROR,
            SELF_ERROR,
            WEB_FINALLY,
            SELF_FINALLY),
        h.journal.entries());
    assertEquals(1, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.FAILED, r.state());
    assertEquals(
        List.of(
            "check repository: ok",
            "pre backup#1: ok",
            "pre files#1: ok",
            "pre web#1: ok",
            "dump db: ok",
            "stop files: ok",
            "snapshot files: failed",
            "start files: ok",
            "stop web: ok",
            "snapshot web: ok",
            "start web: ok",
            "error web#1: ok",
            "error backup#1: ok",
            "finally web#1: ok",
            "finally backup#1: ok"),
        steps(r));
    assertTrue(r.error().contains("snapshot of files failed"), r.error());
    assertEquals(List.of(), r.stopped());
  }

  @Test
  void snapshotFailsOnTheRepository_laterSnapshotsAndDumpsSkippedWithReason_startedAgain_exit1() {
    Stack s = new Stack();
    s.service("files").backsUpData().stopDuringBackup();
    s.service("web").backsUpData().stopDuringBackup();
    s.service("zdb").postgres();
    EngineHarness h = harness(s);
    // restic 0.17+: 11 = the repository lock could not be taken
    h.journal.on(FILES_WORKER).exits(11);

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            WORKER_START,
            "stop files",
            FILES_WORKER,
            "start files",
            WORKER_REMOVE,
            "confirm running files"),
        h.journal.entries());
    assertEquals(1, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(
        List.of(
            "check repository: ok",
            "stop files: ok",
            "snapshot files: failed",
            "start files: ok",
            "stop web: skipped",
            "snapshot web: skipped",
            "dump zdb: skipped"),
        steps(r));
    String why = step(r, "snapshot web").message();
    assertTrue(why.startsWith("the repository failed: "), why);
    assertEquals(why, step(r, "dump zdb").message());
    assertEquals(List.of(), r.stopped());
  }

  @Test
  void stopFails_itsSnapshotSkipped_otherTargetStillBackedUp_everythingStartedAgain_exit1() {
    EngineHarness h = harness(standardStack());
    h.journal.on("stop files").throwing(new ContainerRuntimeException("files refused to stop"));

    RunReport report = h.run();

    List<String> journal = h.journal.entries();
    assertEquals(
        List.of(
            WORKER_START,
            "stop files",
            // its restic started with the stop, at the gate: made to exit without reading
            "worker gate aborted files",
            "start files",
            "stop web",
            WEB_WORKER,
            "start web",
            WORKER_REMOVE,
            CONFIRM,
            WEB_ERROR),
        journal.subList(journal.indexOf(WORKER_START), journal.indexOf(WEB_ERROR) + 1));
    assertEquals(1, report.exitCode());
    RunRecord r = h.latest();
    assertEquals("failed", step(r, "stop files").outcome());
    assertEquals("skipped", step(r, "snapshot files").outcome());
    assertEquals("stopping files failed", step(r, "snapshot files").message());
    assertEquals("ok", step(r, "snapshot web").outcome());
    assertEquals(List.of(), r.stopped());
  }

  @Test
  void repositoryNotOnAPath_theWorkerJoinsStackBacksNetworks() {
    for (String[] env :
        List.of(
            new String[] {"RESTIC_REPOSITORY", "rest:http://rest-server:8000/"},
            new String[] {"RESTIC_REPOSITORY", "sftp:backup@sftp:/repo"})) {
      EngineHarness h = harness(standardStack().env(env[0], env[1]));

      h.run();

      assertEquals(
          h.stack.plan().self().primary().id(),
          h.runtime.workers().get(0).networksOf(),
          String.join("=", env));
    }
  }

  @Test
  void workerCannotStart_nothingStopped_firstSnapshotFailed_restSkipped_dumpStillRuns_exit1() {
    EngineHarness h = harness(standardStack());
    h.journal.on(WORKER_START).throwing(new ContainerRuntimeException("no such image"));

    RunReport report = h.run();

    assertFalse(h.journal.entries().contains("stop files"));
    assertFalse(h.journal.entries().contains("stop web"));
    assertFalse(h.journal.entries().contains(WORKER_REMOVE));
    assertTrue(h.journal.entries().contains(DB_STREAM));
    assertEquals(1, report.exitCode());
    RunRecord r = h.latest();
    assertEquals("ok", step(r, "dump db").outcome());
    assertEquals("skipped", step(r, "stop files").outcome());
    assertTrue(step(r, "stop files").message().contains("no such image"));
    assertEquals("failed", step(r, "snapshot files").outcome());
    // the worker failed: the later snapshot is skipped with the reason, not tried again
    assertEquals("skipped", step(r, "snapshot web").outcome());
    assertTrue(step(r, "snapshot web").message().contains("no such image"));
    assertEquals(1, h.runtime.workers().size(), "a failed worker start is not retried");
  }

  @Test
  void onlyDumps_noWorkerStarted() {
    Stack s = new Stack();
    s.service("db").postgres();
    EngineHarness h = harness(s);

    RunReport report = h.run();

    assertEquals(List.of(REPO, DB_STDIN, DB_STREAM, FORGET, CHECK), h.journal.entries());
    assertEquals(0, report.exitCode());
    assertEquals(List.of(), h.runtime.workers());
  }

  @Test
  void postHookFails_skipsRestOfPost_runsErrorThenFinally_exit1() {
    EngineHarness h = harness(standardStack());
    h.journal.on(WEB_POST).exits(1);

    RunReport report = h.run();

    List<String> journal = h.journal.entries();
    assertEquals(
        List.of(WEB_POST, WEB_ERROR, SELF_ERROR, WEB_FINALLY, SELF_FINALLY),
        journal.subList(journal.indexOf(WEB_POST), journal.size()));
    assertEquals(1, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.FAILED, r.state());
    List<String> steps = steps(r);
    assertEquals(
        List.of(
            "post web#1: failed",
            "post backup#1: skipped",
            "error web#1: ok",
            "error backup#1: ok",
            "finally web#1: ok",
            "finally backup#1: ok"),
        steps.subList(steps.indexOf("post web#1: failed"), steps.size()));
  }

  @Test
  void restartFails_exit4_otherStoppedContainersStillStarted_errorAndFinallyRun() {
    Stack s = standardStack().env("STOP_SCOPE", "run");
    EngineHarness h = harness(s);
    h.journal.on("start files").throwing(new ContainerRuntimeException("files exited at once"));

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            SELF_PRE,
            FILES_PRE,
            WEB_PRE,
            WORKER_START,
            "stop files",
            "stop web",
            DB_STDIN,
            DB_STREAM,
            FILES_WORKER,
            WEB_WORKER,
            "start files",
            "start web",
            WORKER_REMOVE,
            "confirm running web",
            WEB_ERROR,
            SELF_ERROR,
            WEB_FINALLY,
            SELF_FINALLY),
        h.journal.entries());
    assertEquals(4, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.FAILED, r.state());
    assertEquals(4, r.exitCode());
    assertEquals("failed", step(r, "start files").outcome());
    assertEquals("ok", step(r, "start web").outcome());
    // still down: the record says so, for whoever looks next
    assertEquals(List.of("id-files"), r.stopped());
  }

  @Test
  void stopScopeRun_dumpOfStoppedDbFirst_thenAllStops_allSnapshots_allStarts() {
    Stack s = new Stack().env("STOP_SCOPE", "run");
    s.service("db").postgres().backsUpData().stopDuringBackup();
    s.service("files").backsUpData();
    s.service("web").backsUpData().stopDuringBackup();
    EngineHarness h = harness(s);

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            DB_STDIN,
            DB_STREAM,
            "worker start /volumes/db/data /volumes/files/data /volumes/web/data",
            "stop db",
            "stop web",
            "worker backup db /volumes/db/data",
            FILES_WORKER,
            WEB_WORKER,
            "start db",
            "start web",
            WORKER_REMOVE,
            "confirm running db web",
            FORGET,
            CHECK),
        h.journal.entries());
    assertEquals(0, report.exitCode());
    assertEquals(RunRecord.SUCCEEDED, h.latest().state());
  }

  @Test
  void incompleteSnapshot_exit3_stateIncomplete_postRuns_noMaintenance() {
    EngineHarness h = harness(standardStack());
    h.journal.on(WEB_WORKER).exits(3);

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            SELF_PRE,
            FILES_PRE,
            WEB_PRE,
            DB_STDIN,
            DB_STREAM,
            WORKER_START,
            "stop files",
            FILES_WORKER,
            "start files",
            "stop web",
            WEB_WORKER,
            "start web",
            WORKER_REMOVE,
            CONFIRM,
            WEB_POST,
            SELF_POST,
            WEB_FINALLY,
            SELF_FINALLY),
        h.journal.entries());
    assertEquals(3, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.INCOMPLETE, r.state());
    assertEquals("incomplete", step(r, "snapshot web").outcome());
  }

  @Test
  void incompleteDump_exit3() {
    EngineHarness h = harness(standardStack());
    h.journal.on(DB_STDIN).incomplete();

    RunReport report = h.run();

    assertEquals(3, report.exitCode());
    assertEquals("incomplete", step(h.latest(), "dump db").outcome());
    assertFalse(h.journal.entries().contains(FORGET));
  }

  @Test
  void dumpFails_resticAborted_noSnapshot_volumesStillBackedUp_errorHooks_exit1() {
    EngineHarness h = harness(standardStack());
    h.journal.on(DB_STREAM).exits(1);

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            SELF_PRE,
            FILES_PRE,
            WEB_PRE,
            DB_STDIN,
            DB_STREAM,
            "restic abort",
            WORKER_START,
            "stop files",
            FILES_WORKER,
            "start files",
            "stop web",
            WEB_WORKER,
            "start web",
            WORKER_REMOVE,
            CONFIRM,
            WEB_ERROR,
            SELF_ERROR,
            WEB_FINALLY,
            SELF_FINALLY),
        h.journal.entries());
    assertEquals(1, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.FAILED, r.state());
    StepRecord dump = step(r, "dump db");
    assertEquals("failed", dump.outcome());
    assertEquals(1, dump.exitCode());
    assertTrue(dump.message().contains("no snapshot was made"), dump.message());
    assertTrue(dump.message().contains("exit code 1"), dump.message());
    assertEquals(Map.of(), h.restic.stdin());
    assertEquals("ok", step(r, "snapshot files").outcome());
    assertEquals("ok", step(r, "snapshot web").outcome());
    assertTrue(r.error().startsWith("dump of db failed"), r.error());
  }

  @Test
  void cancelDuringSnapshot_resticGetsSigint_restSkipped_stoppedStarted_workerRemoved_exit1() {
    Stack s = standardStack().env("STOP_SCOPE", "run");
    EngineHarness h = harness(s);
    h.journal.on(FILES_WORKER).after(h.engine::cancel);

    RunReport report = h.run();

    assertEquals(
        List.of(
            REPO,
            SELF_PRE,
            FILES_PRE,
            WEB_PRE,
            WORKER_START,
            "stop files",
            "stop web",
            DB_STDIN,
            DB_STREAM,
            FILES_WORKER,
            "worker interrupt SIGINT",
            "start files",
            "start web",
            WORKER_REMOVE,
            CONFIRM,
            WEB_ERROR,
            SELF_ERROR,
            WEB_FINALLY,
            SELF_FINALLY),
        h.journal.entries());
    assertEquals(1, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(RunRecord.FAILED, r.state());
    assertEquals("failed", step(r, "snapshot files").outcome());
    assertTrue(step(r, "snapshot files").message().contains("SIGINT"));
    assertEquals("skipped", step(r, "snapshot web").outcome());
    assertEquals("the run was interrupted", step(r, "snapshot web").message());
    assertEquals(List.of(), r.stopped());
    assertFalse(Thread.currentThread().isInterrupted(), "the interrupt must not leak");
  }

  @Test
  void restartDoesNotHold_failedStartStep_exit4_afterEveryStartOneCheck() {
    EngineHarness h = harness(standardStack());
    h.runtime.notStayingUp("files", "container 'files' exited 120ms after start (exit code 1)");

    RunReport report = h.run();

    List<String> journal = h.journal.entries();
    // the check comes once, after the last start, not after each
    assertEquals(1, journal.stream().filter(l -> l.startsWith("confirm running")).count());
    assertEquals(journal.indexOf("start web") + 2, journal.indexOf(CONFIRM));
    assertTrue(journal.contains(WEB_ERROR));
    assertFalse(journal.contains(WEB_POST));
    assertEquals(4, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(4, r.exitCode());
    List<StepRecord> starts =
        r.steps().stream().filter(st -> st.name().equals("start files")).toList();
    assertEquals(List.of("ok", "failed"), starts.stream().map(StepRecord::outcome).toList());
    assertEquals(
        "container 'files' exited 120ms after start (exit code 1)", starts.get(1).message());
    assertEquals(List.of("id-files"), r.stopped());
  }

  @Test
  void cancelFromPreHook_restOfPreAndBackupSkipped_errorAndFinally_exit1() {
    EngineHarness h = harness(standardStack());
    h.journal.on(FILES_PRE).after(h.engine::cancel);

    RunReport report = h.run();

    assertEquals(
        List.of(REPO, SELF_PRE, FILES_PRE, WEB_ERROR, SELF_ERROR, WEB_FINALLY, SELF_FINALLY),
        h.journal.entries());
    assertEquals(1, report.exitCode());
    RunRecord r = h.latest();
    assertEquals("the run was interrupted", r.error());
    assertEquals("skipped", step(r, "pre web#1").outcome());
    assertEquals("the run was interrupted", step(r, "pre web#1").message());
  }

  @Test
  void runRecordWrittenAsItGoes_stoppedContainerOnDiskBeforeStart() {
    EngineHarness h = harness(standardStack());
    List<RunRecord> seen = new ArrayList<>();
    h.journal.on("start web").before(() -> seen.add(h.latest()));

    h.run();

    assertEquals(1, seen.size());
    RunRecord during = seen.get(0);
    assertEquals(RunRecord.RUNNING, during.state());
    assertEquals(List.of("id-web"), during.stopped());
    assertEquals(null, during.endedAt());
    List<String> steps = steps(during);
    assertEquals("snapshot web: ok", steps.get(steps.size() - 1));
    assertEquals(List.of(), h.latest().stopped());
  }

  @Test
  void maintenanceCheckFails_runFails_exit1_checkStepFailed() {
    EngineHarness h = harness(standardStack());
    h.journal
        .on(CHECK)
        .throwing(
            new dev.stackback.port.ResticException(
                dev.stackback.port.ResticException.Kind.DAMAGED, 1, "Fatal: pack damaged"));

    RunReport report = h.run();

    assertEquals(1, report.exitCode());
    assertEquals("ok", step(h.latest(), "forget + prune").outcome());
    assertEquals("failed", step(h.latest(), "check").outcome());
    assertEquals(RunRecord.FAILED, h.latest().state());
  }

  @Test
  void maintenanceForgetFails_noCheck() {
    EngineHarness h = harness(standardStack());
    h.journal
        .on(FORGET)
        .throwing(
            new dev.stackback.port.ResticException(
                dev.stackback.port.ResticException.Kind.LOCKED, 1, "locked"));

    RunReport report = h.run();

    assertEquals(1, report.exitCode());
    assertFalse(h.journal.entries().contains(CHECK), h.journal.entries().toString());
  }
}
