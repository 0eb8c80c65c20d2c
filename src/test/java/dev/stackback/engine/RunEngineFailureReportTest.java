package dev.stackback.engine;

import static dev.stackback.engine.EngineHarness.CONFIRM;
import static dev.stackback.engine.EngineHarness.WEB_PRE;
import static dev.stackback.engine.EngineHarness.WEB_WORKER;
import static dev.stackback.engine.EngineHarness.standardStack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.FakeContainerRuntime;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.engine.fakes.Stack;
import dev.stackback.port.ContainerEvent;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ContainerState;
import dev.stackback.state.FailureReport;
import dev.stackback.state.FailureReport.ContainerReport;
import dev.stackback.state.RunRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failure report a run that went wrong carries: {@link FailureReporter} in the engine. */
class RunEngineFailureReportTest {
  private static final Instant T = Instant.parse("2026-03-01T02:00:00Z");

  @TempDir Path state;

  private static ContainerState web(String status, Integer exit, boolean oom, int restarts) {
    return new ContainerState(
        "id-web", "web", status, exit, oom, restarts, null, null, Map.of("DB_PASSWORD", "s3cret"));
  }

  @Test
  void preHookInContainerExits3_reportNamesHook_containerStateLogsRedactedEvents() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.journal.on(WEB_PRE).exits(3);
    h.runtime.diagnosis(
        "web",
        web("running", null, false, 0),
        List.of("starting", "connecting with password s3cret to http://u:pw@db/"),
        List.of(
            new ContainerEvent(T, "exec_start: sh -c echo web-pre", Map.of()),
            new ContainerEvent(T, "exec_die", Map.of("exitCode", "3"))));

    RunReport report = h.run();

    assertEquals(1, report.exitCode());
    RunRecord saved = h.latest();
    FailureReport f = saved.failure();
    assertNotNull(f, "the saved record carries the report");
    assertEquals(report.record().failure(), f);
    assertEquals("pre web#1", f.step());
    assertEquals("hook", f.kind());
    assertEquals(3, f.exitCode());
    assertEquals(List.of("tail line"), f.tail());
    assertEquals(1, f.containers().size());
    ContainerReport c = f.containers().get(0);
    assertEquals("web", c.name());
    assertEquals("pre web#1", c.step());
    assertEquals("running", c.status());
    assertEquals(
        List.of("starting", "connecting with password *** to http://***@db/"), c.logTail());
    assertEquals(
        List.of(
            "2026-03-01T02:00:00Z exec_start: sh -c echo web-pre",
            "2026-03-01T02:00:00Z exec_die (exitCode=3)"),
        c.events());
    assertEquals(List.of(), f.notes());
    assertEquals(List.of("state web", "logs web 20", "events web"), h.runtime.diagnosticCalls());
  }

  @Test
  void restartedContainerDies_exit4_reportCarriesExitCodeOomAndRestartCount() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.runtime.notStayingUp("web", "container 'web' exited 120ms after start (exit code 137)");
    h.runtime.diagnosis("web", web("exited", 137, true, 2), List.of("Killed"), List.of());

    RunReport report = h.run();

    assertEquals(4, report.exitCode());
    FailureReport f = h.latest().failure();
    assertEquals("start", f.kind());
    assertEquals("start web", f.step());
    ContainerReport c = f.containers().get(0);
    assertEquals("web", c.name());
    assertEquals("exited", c.status());
    assertEquals(137, c.exitCode());
    assertTrue(c.oomKilled());
    assertEquals(2, c.restartCount());
    assertEquals(List.of("Killed"), c.logTail());
  }

  @Test
  void exited137WithAnOomEvent_isOomKilled_evenWhenTheEngineFlagSaysNo() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.runtime.notStayingUp("web", "container 'web' exited 80ms after start (exit code 137)");
    h.runtime.diagnosis(
        "web",
        web("exited", 137, false, 0),
        List.of(),
        List.of(
            new ContainerEvent(T, "die", Map.of("exitCode", "137")),
            new ContainerEvent(T, "oom", Map.of())));
    // the control: an oom of some process while the container runs on is no OOM kill of it
    h.runtime.diagnosis(
        "files",
        new ContainerState("id-files", "files", "running", null, false, 0, null, null, Map.of()),
        List.of(),
        List.of(new ContainerEvent(T, "oom", Map.of())));
    h.runtime.notStayingUp("files", "container 'files' exited 90ms after start (exit code 1)");

    h.run();

    FailureReport f = h.latest().failure();
    Map<String, Boolean> oom = new java.util.TreeMap<>();
    f.containers().forEach(c -> oom.put(c.name(), c.oomKilled()));
    assertEquals(Map.of("files", false, "web", true), oom);
  }

  @Test
  void dumpFails_thenRestartFails_reportCoversDumpContainerAndRestartedOne() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.journal.on(EngineHarness.DB_STREAM).exits(2);
    h.runtime.notStayingUp("files", "container 'files' exited 50ms after start (exit code 1)");

    RunReport report = h.run();

    assertEquals(4, report.exitCode());
    FailureReport f = h.latest().failure();
    assertEquals("dump db", f.step());
    assertEquals(
        List.of("db <- dump db", "files <- start files"),
        f.containers().stream().map(c -> c.name() + " <- " + c.step()).toList());
  }

  @Test
  void engineCannotAnswer_runOutcomeUnchanged_notesSayWhy() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.journal.on(WEB_PRE).exits(3);
    h.runtime.diagnosticsFail(new ContainerRuntimeException("engine gone"));

    RunReport report = h.run();

    assertEquals(1, report.exitCode());
    assertEquals(RunRecord.FAILED, report.record().state());
    assertEquals("a pre hook failed", report.record().error());
    FailureReport f = h.latest().failure();
    assertEquals("pre web#1", f.step());
    ContainerReport c = f.containers().get(0);
    assertNull(c.status());
    assertEquals(List.of(), c.logTail());
    assertEquals(
        List.of(
            "state of web: engine gone", "log of web: engine gone", "events of web: engine gone"),
        f.notes());
  }

  @Test
  void engineHangs_reportCutAtItsBudget_withNote() {
    Stack s = standardStack();
    FakeContainerRuntime runtime = new FakeContainerRuntime(new Journal(), s.containers());
    runtime.diagnosticsDelay(Duration.ofMinutes(5));
    RunRecord failed = failedHookRun();

    FailureReport f =
        new FailureReporter(runtime, Clock.systemUTC(), Duration.ofMillis(200))
            .report(s.plan(), failed)
            .orElseThrow();

    assertEquals("pre web#1", f.step());
    assertEquals(List.of(), f.containers());
    assertTrue(
        f.notes().stream().anyMatch(n -> n.startsWith("the engine did not answer within")),
        f.notes().toString());
    assertEquals("state web", runtime.diagnosticCalls().get(0));
    assertEquals(1, f.notes().size(), f.notes().toString());
  }

  @Test
  void snapshotFails_reportWithoutContainers_noEngineCalls() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.journal.on(WEB_WORKER).exits(1);

    h.run();

    FailureReport f = h.latest().failure();
    assertEquals("snapshot web", f.step());
    assertEquals(List.of(), f.containers());
    assertEquals(List.of(), h.runtime.diagnosticCalls());
  }

  @Test
  void succeededRun_noReport_noEngineCalls() {
    EngineHarness h = new EngineHarness(standardStack(), state);

    RunReport report = h.run();

    assertEquals(0, report.exitCode());
    assertNull(h.latest().failure());
    assertFalse(h.journal.entries().isEmpty());
    assertTrue(h.journal.entries().contains(CONFIRM));
    assertEquals(List.of(), h.runtime.diagnosticCalls());
  }

  /** A record whose pre hook on web failed. */
  private RunRecord failedHookRun() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.journal.on(WEB_PRE).exits(3);
    return h.run().record();
  }
}
