package dev.stackback.engine;

import static dev.stackback.engine.EngineHarness.WEB_WORKER;
import static dev.stackback.engine.EngineHarness.standardStack;
import static dev.stackback.engine.EngineHarness.step;
import static dev.stackback.engine.EngineHarness.steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.FakeContainerRuntime;
import dev.stackback.engine.fakes.Stack;
import dev.stackback.port.ExecRequest;
import dev.stackback.state.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot gate in the run ({@link SnapshotGate}): a stop-during-backup service's restic starts
 * with its stop and reads once the stop is done; it is aborted when the stop fails or the run is
 * cancelled; no gate where stops are grouped or snapshots run concurrently.
 */
class RunEngineGateTest {
  @TempDir Path state;

  /** The worker execs of {@code service} so far. */
  private static List<ExecRequest> workerExecs(EngineHarness h, String service) {
    return h.runtime.execs().stream()
        .filter(e -> e.containerId().equals(FakeContainerRuntime.WORKER_ID))
        .filter(e -> e.command().contains("service=" + service))
        .toList();
  }

  /**
   * files backed up running, web stopped: web's is the run's first gated snapshot, whose stop waits
   * until its restic is at the gate (or ended).
   */
  private static Stack webStopped() {
    Stack s = new Stack();
    s.service("files").backsUpData();
    s.service("web").backsUpData().stopDuringBackup();
    return s;
  }

  private static boolean gated(ExecRequest e) {
    return e.command().size() > 3 && e.command().get(3).equals("stack-back-gate");
  }

  @Test
  void theFakeSaysWhatTheScriptSays() {
    assertEquals(SnapshotGate.REACHED, FakeContainerRuntime.GATE_REACHED);
  }

  @Test
  void stopDuringBackup_resticWaitsAtTheGateBeforeTheStop_andReadsOnlyAfterIt() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    AtomicBoolean startedBeforeStop = new AtomicBoolean();
    // files is the run's first gated snapshot: its stop waits until restic is at the gate (later
    // ones may stop earlier, timed from the first: RunEngineGateTest cannot see when)
    h.journal
        .on("stop files")
        .before(() -> startedBeforeStop.set(workerExecs(h, "files").size() == 1));

    RunReport report = h.run();

    assertEquals(0, report.exitCode(), steps(report.record()).toString());
    assertTrue(startedBeforeStop.get(), "files' restic was not started before its stop");
    assertTrue(gated(workerExecs(h, "files").get(0)));
    assertTrue(gated(workerExecs(h, "web").get(0)));
    List<String> j = h.journal.entries();
    // the fake runs restic's backup once the gate opened: after the stop, before the start
    for (String svc : List.of("files", "web")) {
      String backup = "worker backup " + svc + " /volumes/" + svc + "/data";
      assertTrue(
          j.indexOf("stop " + svc) < j.indexOf(backup)
              && j.indexOf(backup) < j.indexOf("start " + svc),
          j.toString());
    }
    assertEquals("ok", step(h.latest(), "snapshot web").outcome());
  }

  @Test
  void cancelWhileResticWaitsAtTheGate_itReadsNothing_theServiceIsStartedAgain() {
    EngineHarness h = new EngineHarness(webStopped(), state);
    h.journal.on("stop web").before(() -> h.engine.cancel());

    RunReport report = h.run();

    List<String> j = h.journal.entries();
    assertTrue(j.contains("worker gate aborted web"), j.toString());
    assertFalse(j.contains(WEB_WORKER), j.toString());
    assertTrue(j.indexOf("worker gate aborted web") < j.indexOf("start web"), j.toString());
    RunRecord r = h.latest();
    assertEquals("skipped", step(r, "snapshot web").outcome());
    assertEquals(List.of(), r.stopped());
    assertEquals(1, report.exitCode());
  }

  @Test
  void resticFailsBeforeTheGate_theServiceIsNotStopped_theSnapshotFails() {
    EngineHarness h = new EngineHarness(webStopped(), state);
    h.runtime.failsBeforeGate("web", "Fatal: wrong password or no key found");

    RunReport report = h.run();

    List<String> j = h.journal.entries();
    assertFalse(j.contains("stop web"), j.toString());
    assertFalse(j.contains("start web"), j.toString());
    assertTrue(j.contains("worker backup files /volumes/files/data"), j.toString());
    RunRecord r = h.latest();
    assertEquals("skipped", step(r, "stop web").outcome());
    assertEquals("failed", step(r, "snapshot web").outcome());
    assertEquals(1, report.exitCode());
    assertEquals(List.of(), r.stopped());
  }

  @Test
  void theNextRunsFirstStop_isTimedFromTheLastRun_notAwaited() throws Exception {
    Path timings = state.resolve(RunEngine.GATE_TIMINGS);

    EngineHarness first = new EngineHarness(webStopped(), state);
    first.runtime.gateDelay(Duration.ofMillis(300));
    AtomicBoolean firstWaited = new AtomicBoolean();
    first.journal.on("stop web").before(() -> firstWaited.set(first.runtime.atGate("web")));
    assertEquals(0, first.run().exitCode());
    assertTrue(firstWaited.get(), "no timings yet: the stop waits until restic is at the gate");
    String kept = Files.readString(timings).strip();
    assertTrue(kept.matches("\\d+ \\d+"), kept);
    // about the 300 ms restic took to the gate (not the ~0 of a gate never waited for); the fake's
    // delay and the engine's clock begin a moment apart, and the file keeps whole milliseconds
    assertTrue(Long.parseLong(kept.split(" ")[0]) >= 250, kept);

    // restic got to the gate at once last time, and the stop took long: stop at once now
    Files.writeString(timings, "0 100\n");
    EngineHarness next = new EngineHarness(webStopped(), state);
    next.runtime.gateDelay(Duration.ofMillis(300));
    AtomicBoolean nextWaited = new AtomicBoolean(true);
    next.journal.on("stop web").before(() -> nextWaited.set(next.runtime.atGate("web")));
    assertEquals(0, next.run().exitCode());
    assertFalse(nextWaited.get(), "the stop waited for restic although the timings said not to");
    List<String> j = next.journal.entries();
    assertTrue(
        j.indexOf("stop web") < j.indexOf("worker backup web /volumes/web/data"), j.toString());
  }

  @Test
  void stopScopeRun_noGate_oneResticAtATime() {
    Stack s = new Stack().env("STOP_SCOPE", "run");
    s.service("files").backsUpData().stopDuringBackup();
    s.service("web").backsUpData().stopDuringBackup();
    EngineHarness h = new EngineHarness(s, state);

    assertEquals(0, h.run().exitCode());

    assertEquals(1, workerExecs(h, "files").size());
    assertFalse(gated(workerExecs(h, "files").get(0)));
    assertFalse(gated(workerExecs(h, "web").get(0)));
  }

  @Test
  void concurrency_noGate() {
    Stack s = new Stack().env("BACKUP_CONCURRENCY", "2");
    s.service("a").backsUpData();
    s.service("c").backsUpData().stopDuringBackup();
    EngineHarness h = new EngineHarness(s, state);

    assertEquals(0, h.run().exitCode());

    assertFalse(gated(workerExecs(h, "c").get(0)));
    assertFalse(gated(workerExecs(h, "a").get(0)));
  }

  @Test
  void notStopped_noGate() {
    Stack s = new Stack();
    s.service("a").backsUpData();
    EngineHarness h = new EngineHarness(s, state);

    assertEquals(0, h.run().exitCode());

    assertFalse(gated(workerExecs(h, "a").get(0)));
  }
}
