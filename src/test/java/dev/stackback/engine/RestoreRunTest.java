package dev.stackback.engine;

import static dev.stackback.engine.EngineHarness.steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.Stack;
import dev.stackback.plan.Plan;
import dev.stackback.plan.Target;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.MountInfo;
import dev.stackback.port.Snapshot;
import dev.stackback.port.WorkerSpec;
import dev.stackback.port.WorkerSpec.WorkerMount;
import dev.stackback.state.RunRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RunEngine#restoreInPlace} against the journaling fakes: only the service's own hooks run,
 * around stop → restore worker → start, and the containers are started again whatever happens.
 */
class RestoreRunTest {
  static final String ID = "5eed0000aaaabbbbccccddddeeeeffff0000111122223333444455556666aaaa";
  static final Snapshot WEB_SNAP =
      new Snapshot(
          ID,
          "5eed0000",
          Instant.parse("2026-02-28T02:00:00Z"),
          "app",
          List.of("/volumes/web/data"),
          List.of("stack-back", "project=app", "service=web"));

  static final String WEB_PRE = "exec web sh -c echo web-pre";
  static final String STOP = "stop web";
  static final String WORKER =
      "worker web restic restore " + ID + " --target / --include /volumes/web/data";
  static final String START = "start web";
  static final String CONFIRM = "confirm running web";
  static final String WEB_POST = "exec web sh -c echo web-post";
  static final String WEB_ERROR = "exec web sh -c echo web-error";
  static final String WEB_FINALLY = "exec web sh -c echo web-finally";

  @TempDir Path state;

  private RunReport restore(EngineHarness h) {
    Plan plan = h.stack.plan();
    Target web = plan.targets().stream().filter(t -> t.name().equals("web")).findFirst().get();
    return h.engine.restoreInPlace(plan, InPlaceRestore.of(web, WEB_SNAP));
  }

  @Test
  void restore_runsOwnPreHooks_stop_restoreWorker_start_post_finally() {
    EngineHarness h = new EngineHarness(EngineHarness.standardStack(), state);

    RunReport r = restore(h);

    assertEquals(0, r.exitCode());
    // the stack-back container's hooks and the other services' hooks do not take part
    assertEquals(
        List.of(WEB_PRE, STOP, WORKER, START, CONFIRM, WEB_POST, WEB_FINALLY), h.journal.entries());
    RunRecord rec = h.latest();
    assertEquals("restore", rec.trigger());
    assertEquals(RunRecord.SUCCEEDED, rec.state());
    assertEquals(List.of(), rec.stopped());
    assertEquals(
        List.of(
            "pre web#1: ok",
            "stop web: ok",
            "restore web: ok",
            "start web: ok",
            "post web#1: ok",
            "finally web#1: ok"),
        steps(rec));
  }

  @Test
  void restoreWorker_stackBackImageAndMounts_volumesReadWriteAtSnapshotPaths_noSocket() {
    EngineHarness h = new EngineHarness(EngineHarness.standardStack(), state);

    restore(h);

    WorkerSpec w = h.runtime.workers().get(0);
    assertEquals("stack-back:test", w.image());
    assertEquals("web", w.labels().get(BackupPhase.WORKER_SERVICE_LABEL));
    assertEquals("app", w.labels().get(BackupPhase.WORKER_HOST_LABEL));
    assertEquals("secret", w.env().get("RESTIC_PASSWORD"));
    assertEquals(
        List.of(
            new WorkerMount(MountInfo.Type.BIND, "/srv/repo", "/repo", false),
            new WorkerMount(MountInfo.Type.VOLUME, "web_data", "/volumes/web/data", false)),
        w.mounts());
  }

  @Test
  void restoreFails_containersStartedAgain_errorAndFinallyHooks_exit1() {
    EngineHarness h = new EngineHarness(EngineHarness.standardStack(), state);
    h.journal.on(WORKER).exits(1);

    RunReport r = restore(h);

    assertEquals(1, r.exitCode());
    assertEquals(
        List.of(WEB_PRE, STOP, WORKER, START, CONFIRM, WEB_ERROR, WEB_FINALLY),
        h.journal.entries());
    RunRecord rec = h.latest();
    assertEquals(RunRecord.FAILED, rec.state());
    assertTrue(
        rec.error().startsWith("restore of web failed: restic restore exit code 1"), rec.error());
    assertEquals(List.of(), rec.stopped());
  }

  @Test
  void workerThrows_containersStartedAgain_exit1() {
    EngineHarness h = new EngineHarness(EngineHarness.standardStack(), state);
    h.journal.on(WORKER).throwing(new ContainerRuntimeException("no such image"));

    RunReport r = restore(h);

    assertEquals(1, r.exitCode());
    assertEquals(
        List.of(WEB_PRE, STOP, WORKER, START, CONFIRM, WEB_ERROR, WEB_FINALLY),
        h.journal.entries());
  }

  @Test
  void preHookFails_nothingStoppedOrRestored_errorAndFinally_exit1() {
    EngineHarness h = new EngineHarness(EngineHarness.standardStack(), state);
    h.journal.on(WEB_PRE).exits(7);

    RunReport r = restore(h);

    assertEquals(1, r.exitCode());
    assertEquals(List.of(WEB_PRE, WEB_ERROR, WEB_FINALLY), h.journal.entries());
    assertFalse(steps(h.latest()).contains("stop web: ok"));
  }

  @Test
  void startFails_exit4_errorAndFinallyHooksStillRun() {
    EngineHarness h = new EngineHarness(EngineHarness.standardStack(), state);
    h.journal.on(START).throwing(new ContainerRuntimeException("port is already allocated"));

    RunReport r = restore(h);

    assertEquals(4, r.exitCode());
    assertEquals(
        List.of(WEB_PRE, STOP, WORKER, START, WEB_ERROR, WEB_FINALLY), h.journal.entries());
  }

  @Test
  void stopFails_noRestore_theContainerIsStartedAgain() {
    EngineHarness h = new EngineHarness(EngineHarness.standardStack(), state);
    h.journal.on(STOP).throwing(new ContainerRuntimeException("timeout"));

    RunReport r = restore(h);

    assertEquals(1, r.exitCode());
    assertEquals(
        List.of(WEB_PRE, STOP, START, CONFIRM, WEB_ERROR, WEB_FINALLY), h.journal.entries());
    assertTrue(steps(h.latest()).contains("restore web: skipped"), steps(h.latest())::toString);
  }

  @Test
  void cancelledDuringRestore_startedAgain_noPost_errorAndFinally() {
    EngineHarness h = new EngineHarness(EngineHarness.standardStack(), state);
    h.journal.on(WORKER).after(h.engine::cancel);

    RunReport r = restore(h);

    assertEquals(1, r.exitCode());
    assertEquals(
        List.of(WEB_PRE, STOP, WORKER, START, CONFIRM, WEB_ERROR, WEB_FINALLY),
        h.journal.entries());
    assertEquals("the run was interrupted", h.latest().error());
  }

  @Test
  void pick_latestOrIdPrefix_onlyVolumeSnapshotsOfThisServiceAndHost() {
    Snapshot older = snap("aaaa1111", "2026-02-01T00:00:00Z", "app", "web", "/volumes/web/data");
    Snapshot newer = snap("bbbb2222", "2026-02-02T00:00:00Z", "app", "web", "/volumes/web/data");
    Snapshot otherService =
        snap("cccc3333", "2026-02-03T00:00:00Z", "app", "files", "/volumes/files/data");
    Snapshot otherHost = snap("dddd4444", "2026-02-04T00:00:00Z", "h2", "web", "/volumes/web/data");
    Snapshot dump =
        snap("eeee5555", "2026-02-05T00:00:00Z", "app", "web", "/databases/web/all.sql");
    List<Snapshot> all = List.of(older, newer, otherService, otherHost, dump);

    assertEquals(newer, InPlaceRestore.pick(all, "app", "web", "latest").orElseThrow());
    assertEquals(older, InPlaceRestore.pick(all, "app", "web", "aaaa").orElseThrow());
    assertTrue(InPlaceRestore.pick(all, "app", "web", "cccc").isEmpty());
    assertTrue(InPlaceRestore.pick(all, "app", "web", "dddd").isEmpty());
    assertTrue(InPlaceRestore.pick(all, "app", "web", "eeee").isEmpty());
  }

  @Test
  void of_restoresOnlyPathsThatAreVolumesNow() {
    Stack s = new Stack();
    s.service("web").backsUpData().volume("/cache");
    Target web = s.plan().targets().get(0);
    Snapshot snap =
        new Snapshot(
            "f",
            "f",
            Instant.EPOCH,
            "app",
            List.of("/volumes/web/data", "/volumes/web/old"),
            List.of("service=web"));

    InPlaceRestore r = InPlaceRestore.of(web, snap);

    assertEquals(List.of("/volumes/web/data"), r.includes());
    assertEquals(List.of("/volumes/web/old"), r.notMounted());
    assertEquals(
        List.of("/volumes/web/cache"),
        r.notInSnapshot().stream().map(v -> v.snapshotPath()).toList());
  }

  static Snapshot snap(String id, String time, String host, String service, String path) {
    return new Snapshot(
        id,
        id,
        Instant.parse(time),
        host,
        List.of(path),
        List.of("stack-back", "project=app", "service=" + service));
  }
}
