package dev.stackback.engine;

import static dev.stackback.engine.EngineHarness.CHECK;
import static dev.stackback.engine.EngineHarness.FORGET;
import static dev.stackback.engine.EngineHarness.REPO;
import static dev.stackback.engine.EngineHarness.SELF_ERROR;
import static dev.stackback.engine.EngineHarness.SELF_FINALLY;
import static dev.stackback.engine.EngineHarness.SELF_POST;
import static dev.stackback.engine.EngineHarness.SELF_PRE;
import static dev.stackback.engine.EngineHarness.WEB_ERROR;
import static dev.stackback.engine.EngineHarness.WEB_FINALLY;
import static dev.stackback.engine.EngineHarness.WORKER_REMOVE;
import static dev.stackback.engine.EngineHarness.WORKER_START;
import static dev.stackback.engine.EngineHarness.standardStack;
import static dev.stackback.engine.EngineHarness.steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.Stack;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ResticException;
import dev.stackback.state.RunRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code BACKUP_CONCURRENCY} (snapshots and dumps between two stops or starts at once) and the
 * worker's head start (created while the repository is checked and the pre hooks run).
 */
class RunEngineConcurrencyTest {
  @TempDir Path state;

  private static final String A = "worker backup a /volumes/a/data";
  private static final String B = "worker backup b /volumes/b/data";

  /** Services a and b (volumes, not stopped), c stopped, d a database; {@code env} on the stack. */
  private static Stack stack(String... env) {
    Stack s = new Stack();
    for (int i = 0; i < env.length; i += 2) {
      s.env(env[i], env[i + 1]);
    }
    s.service("a").backsUpData();
    s.service("b").backsUpData();
    s.service("c").backsUpData().stopDuringBackup();
    s.service("d").postgres();
    return s;
  }

  /**
   * Runs {@code h} with a's snapshot waiting up to {@code wait} ms for b's to begin; true when it
   * began meanwhile (the two overlapped).
   */
  private static boolean overlapped(EngineHarness h, long wait) {
    CountDownLatch bBegun = new CountDownLatch(1);
    AtomicBoolean overlapped = new AtomicBoolean();
    h.journal.on(B).before(bBegun::countDown);
    h.journal.on(A).before(() -> overlapped.set(bBegun.await(wait, TimeUnit.MILLISECONDS)));
    RunReport report = h.run();
    assertEquals(0, report.exitCode(), steps(report.record()).toString());
    return overlapped.get();
  }

  @Test
  void concurrencyTwo_snapshotsOfServicesNotStoppedOverlap_everyStepStillRunsOnce() {
    EngineHarness h = new EngineHarness(stack("BACKUP_CONCURRENCY", "2"), state);

    assertTrue(overlapped(h, 10_000), h.journal.entries().toString());

    List<String> j = h.journal.entries();
    for (String line : List.of(A, B, "worker backup c /volumes/c/data", "stop c", "start c")) {
      assertEquals(1, j.stream().filter(line::equals).count(), line + " in " + j);
    }
    // c's own window stays stop -> snapshot -> start, and after the wave of a, b and d
    int stop = j.indexOf("stop c");
    assertTrue(j.indexOf(A) < stop && j.indexOf(B) < stop, j.toString());
    assertTrue(j.indexOf("worker backup c /volumes/c/data") > stop, j.toString());
    assertTrue(j.indexOf("start c") > j.indexOf("worker backup c /volumes/c/data"), j.toString());
    RunRecord r = h.latest();
    assertEquals(RunRecord.SUCCEEDED, r.state());
    assertEquals(
        List.of(
            "dump d: ok",
            "snapshot a: ok",
            "snapshot b: ok",
            "snapshot c: ok",
            "start c: ok",
            "stop c: ok"),
        steps(r).stream()
            .filter(x -> !x.startsWith("check") && !x.startsWith("forget"))
            .sorted()
            .toList());
  }

  @Test
  void defaultConcurrency_oneAtATime() {
    EngineHarness h = new EngineHarness(stack(), state);

    assertFalse(overlapped(h, 300), h.journal.entries().toString());
  }

  @Test
  void orderedPlan_oneAtATimeWhateverTheConcurrency() {
    Stack s = stack("BACKUP_CONCURRENCY", "4");
    s.self().label("stack-back.ordered", "true");
    EngineHarness h = new EngineHarness(s, state);

    assertFalse(overlapped(h, 300), h.journal.entries().toString());
  }

  /** Services x and y, both stopped around their snapshots; {@code env} on the stack. */
  private static Stack twoStopped(String... env) {
    Stack s = new Stack();
    for (int i = 0; i < env.length; i += 2) {
      s.env(env[i], env[i + 1]);
    }
    s.service("x").backsUpData().stopDuringBackup();
    s.service("y").backsUpData().stopDuringBackup();
    return s;
  }

  /**
   * Runs {@code h} with x's start waiting up to {@code wait} ms for y's snapshot to begin (y's stop
   * is recorded by then); true when it began meanwhile (x's start overlapped y's stop).
   */
  private static boolean startOverlapsNextStop(EngineHarness h, long wait) {
    CountDownLatch yStopping = new CountDownLatch(1);
    AtomicBoolean overlapped = new AtomicBoolean();
    h.journal.on("worker backup y /volumes/y/data").before(yStopping::countDown);
    h.journal
        .on("start x")
        .before(() -> overlapped.set(yStopping.await(wait, TimeUnit.MILLISECONDS)));
    RunReport report = h.run();
    assertEquals(0, report.exitCode(), steps(report.record()).toString());
    return overlapped.get();
  }

  @Test
  void backgroundStarts_aStartOverlapsTheNextStop_startsInOrder_confirmedAfterBoth() {
    EngineHarness h = new EngineHarness(twoStopped(), state);
    h.engine.startsInBackground(true);

    assertTrue(startOverlapsNextStop(h, 10_000), h.journal.entries().toString());

    List<String> j = h.journal.entries();
    // each container is still stopped only around its own snapshot
    assertTrue(j.indexOf("stop x") < j.indexOf("worker backup x /volumes/x/data"), j.toString());
    assertTrue(j.indexOf("worker backup x /volumes/x/data") < j.indexOf("start x"), j.toString());
    assertTrue(j.indexOf("stop y") < j.indexOf("worker backup y /volumes/y/data"), j.toString());
    assertTrue(j.indexOf("worker backup y /volumes/y/data") < j.indexOf("start y"), j.toString());
    assertTrue(j.indexOf("start x") < j.indexOf("start y"), j.toString());
    int confirm = indexOfPrefix(j, "confirm running");
    assertTrue(confirm > j.indexOf("start y") && confirm > j.indexOf("start x"), j.toString());
    RunRecord r = h.latest();
    assertEquals(RunRecord.SUCCEEDED, r.state());
    // the record lists x's start where the plan has it, though it ended after y's stop
    assertEquals(
        List.of(
            "stop x: ok",
            "snapshot x: ok",
            "start x: ok",
            "stop y: ok",
            "snapshot y: ok",
            "start y: ok"),
        steps(r).stream().filter(x -> x.matches("(stop|snapshot|start) [xy]: .*")).toList());
  }

  @Test
  void backgroundStarts_aFailedStartStillFailsTheRunWithExit4_theOtherIsStarted() {
    EngineHarness h = new EngineHarness(twoStopped(), state);
    h.engine.startsInBackground(true);
    h.journal.on("start x").throwing(new ContainerRuntimeException("no such network"));

    RunReport report = h.run();

    assertEquals(4, report.exitCode(), steps(report.record()).toString());
    List<String> j = h.journal.entries();
    assertTrue(j.contains("start y"), j.toString());
    assertTrue(
        steps(report.record()).contains("start x: failed"), steps(report.record()).toString());
  }

  @Test
  void backgroundStarts_orderedPlan_eachStartInLine() {
    Stack s = twoStopped();
    s.self().label("stack-back.ordered", "true");
    EngineHarness h = new EngineHarness(s, state);
    h.engine.startsInBackground(true);

    assertFalse(startOverlapsNextStop(h, 300), h.journal.entries().toString());
  }

  private static int indexOfPrefix(List<String> lines, String prefix) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void concurrentSnapshotFailsForItsOwnData_theOtherStillSucceeds_runFails() {
    EngineHarness h = new EngineHarness(stack("BACKUP_CONCURRENCY", "2"), state);
    h.journal.on(A).throwing(new ResticException(ResticException.Kind.FAILED, 1, "unreadable"));

    RunReport report = h.run();

    assertEquals(1, report.exitCode());
    List<String> steps = steps(h.latest());
    assertTrue(steps.contains("snapshot a: failed"), steps.toString());
    assertTrue(steps.contains("snapshot b: ok"), steps.toString());
    assertTrue(steps.contains("start c: ok"), steps.toString());
  }

  @Test
  void headStart_workerCreatedBeforeTheRepositoryCheck_onlyOnce() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.engine.prestartWorkerWith(Runnable::run);

    RunReport report = h.run();

    assertEquals(0, report.exitCode());
    List<String> j = h.journal.entries();
    assertEquals(List.of(WORKER_START, REPO, SELF_PRE), j.subList(0, 3));
    assertEquals(1, h.runtime.workers().size(), j.toString());
    assertTrue(j.contains(WORKER_REMOVE), j.toString());
    assertTrue(j.indexOf(SELF_POST) > j.indexOf(WORKER_REMOVE), j.toString());
    assertEquals(List.of(FORGET, CHECK), j.subList(j.size() - 2, j.size()));
  }

  @Test
  void headStart_repositoryCheckFails_workerRemovedBeforeTheErrorHooks() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.engine.prestartWorkerWith(Runnable::run);
    h.journal
        .on(REPO)
        .throwing(new ResticException(ResticException.Kind.WRONG_PASSWORD, 12, "wrong password"));

    RunReport report = h.run();

    assertEquals(1, report.exitCode());
    assertEquals(
        List.of(
            WORKER_START, REPO, WORKER_REMOVE, WEB_ERROR, SELF_ERROR, WEB_FINALLY, SELF_FINALLY),
        h.journal.entries());
  }

  @Test
  void headStartFails_reportedAtTheFirstStop_asWithoutOne() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.engine.prestartWorkerWith(Runnable::run);
    h.journal.on(WORKER_START).throwing(new ContainerRuntimeException("no such image"));

    RunReport report = h.run();

    assertEquals(1, report.exitCode());
    RunRecord r = h.latest();
    assertEquals(
        1, h.journal.entries().stream().filter(WORKER_START::equals).count(), "tried once");
    assertTrue(
        r.steps().stream()
            .anyMatch(
                st ->
                    st.name().equals("stop files")
                        && st.outcome().equals("skipped")
                        && st.message().contains("no such image")),
        steps(r).toString());
  }
}
