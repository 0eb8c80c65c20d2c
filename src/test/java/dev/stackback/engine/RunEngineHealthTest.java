package dev.stackback.engine;

import static dev.stackback.engine.EngineHarness.CONFIRM;
import static dev.stackback.engine.EngineHarness.SELF_POST;
import static dev.stackback.engine.EngineHarness.WEB_ERROR;
import static dev.stackback.engine.EngineHarness.WEB_POST;
import static dev.stackback.engine.EngineHarness.standardStack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.Stack;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health-aware restarts: containers with a healthcheck are awaited before post hooks run. */
class RunEngineHealthTest {
  private static final String UNHEALTHY =
      "container 'web' is unhealthy 2.1s after start; last health check: exit code 1: not ready";

  @TempDir Path state;

  @Test
  void restartedWithHealthcheck_awaitedInTheOneConfirmation_beforePostHooks() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.runtime.healthcheck("web", Optional.empty());

    RunReport report = h.run();

    List<String> journal = h.journal.entries();
    assertEquals(0, report.exitCode());
    // one confirmation after the last start; the health wait is part of it; post hooks after
    assertEquals(journal.indexOf(CONFIRM) + 1, journal.indexOf("await health web"));
    assertTrue(journal.indexOf("start web") < journal.indexOf(CONFIRM));
    assertTrue(journal.indexOf("await health web") < journal.indexOf(WEB_POST));
    assertFalse(journal.contains("await health files"), "files has no healthcheck");
  }

  @Test
  void unhealthyAfterRestart_failedStartStep_exit4_noPostHooks_errorHooksRun() {
    EngineHarness h = new EngineHarness(standardStack(), state);
    h.runtime.healthcheck("web", Optional.of(UNHEALTHY));

    RunReport report = h.run();

    List<String> journal = h.journal.entries();
    assertEquals(4, report.exitCode());
    assertFalse(journal.contains(WEB_POST));
    assertFalse(journal.contains(SELF_POST));
    assertTrue(journal.indexOf("await health web") < journal.indexOf(WEB_ERROR));
    RunRecord r = h.latest();
    assertEquals(4, r.exitCode());
    List<StepRecord> starts =
        r.steps().stream().filter(st -> st.name().equals("start web")).toList();
    assertEquals(List.of("ok", "failed"), starts.stream().map(StepRecord::outcome).toList());
    assertEquals(UNHEALTHY, starts.get(1).message());
    // it runs: crash recovery has nothing to start again
    assertEquals(List.of(), r.stopped());
    assertTrue(r.error().contains("web did not become healthy after its restart"), r.error());
  }

  @Test
  void healthTimeoutZero_noHealthWait_postHooksRun() {
    Stack s = standardStack().env("HEALTH_TIMEOUT", "0");
    EngineHarness h = new EngineHarness(s, state);
    h.runtime.healthcheck("web", Optional.of(UNHEALTHY));

    RunReport report = h.run();

    assertEquals(0, report.exitCode());
    assertFalse(h.journal.entries().contains("await health web"));
    assertTrue(h.journal.entries().contains(WEB_POST));
  }

  @Test
  void stopScopeRun_startsBackToBack_healthAwaitedOnceAfterTheLastStart() {
    Stack s = standardStack().env("STOP_SCOPE", "run");
    EngineHarness h = new EngineHarness(s, state);
    h.runtime.healthcheck("files", Optional.empty());
    h.runtime.healthcheck("web", Optional.empty());

    RunReport report = h.run();

    List<String> journal = h.journal.entries();
    assertEquals(0, report.exitCode());
    // no wait between the starts: the next start is the next journal entry
    assertEquals(journal.indexOf("start files") + 1, journal.indexOf("start web"));
    assertTrue(journal.indexOf("start web") < journal.indexOf("await health files"));
    assertTrue(journal.indexOf("await health web") < journal.indexOf(WEB_POST));
  }
}
