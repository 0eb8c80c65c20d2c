package dev.stackback.engine;

import static dev.stackback.engine.EngineHarness.SELF_ERROR;
import static dev.stackback.engine.EngineHarness.SELF_FINALLY;
import static dev.stackback.engine.EngineHarness.WEB_ERROR;
import static dev.stackback.engine.EngineHarness.WEB_FINALLY;
import static dev.stackback.engine.EngineHarness.standardStack;
import static dev.stackback.engine.EngineHarness.steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.config.Config;
import dev.stackback.engine.fakes.FakeContainerRuntime;
import dev.stackback.engine.fakes.FakeLocalShell;
import dev.stackback.engine.fakes.FakeRestic;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.engine.fakes.Stack;
import dev.stackback.port.Restic;
import dev.stackback.port.ResticException;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine given the outcome of a repository check made elsewhere (in the background while the run
 * was planned) records it as its repository step, with the same failure semantics.
 */
class RunEngineRepositoryCheckTest {
  @TempDir Path state;

  final Journal journal = new Journal();

  RunReport run(Supplier<Restic.RepositoryState> check) {
    Stack stack = standardStack();
    Config config = stack.config();
    RunEngine engine =
        new RunEngine(
            new FakeContainerRuntime(journal, stack.containers()),
            new FakeRestic(journal),
            new FakeLocalShell(journal),
            new RunStore(state),
            new EngineSettings(
                config.stopTimeout(),
                config.stopTimeout().plusSeconds(60),
                Duration.ofHours(1),
                config.resticEnv(),
                config.keep(),
                false,
                Duration.ofSeconds(1),
                Duration.ZERO),
            Clock.systemUTC(),
            check);
    engine.prestartWorkerWith(Runnable::run); // the head start at once: a deterministic journal
    return engine.run(stack.plan(), "manual");
  }

  @Test
  void givenCheckSucceeded_recordedAsTheRepositoryStep_resticNotAskedAgain() {
    RunReport report = run(() -> Restic.RepositoryState.INITIALISED);

    assertEquals(0, report.exitCode());
    assertFalse(journal.entries().contains(EngineHarness.REPO), journal.entries()::toString);
    var step = report.record().steps().get(0);
    assertEquals("check repository", step.name());
    assertEquals("ok", step.outcome());
    assertEquals("initialised a new repository", step.message());
  }

  @Test
  void givenCheckFailed_noPreHooksNothingStopped_errorAndFinallyRun_exit1() {
    RunReport report =
        run(
            () -> {
              throw new ResticException(ResticException.Kind.WRONG_PASSWORD, 12, "wrong password");
            });

    assertEquals(1, report.exitCode());
    // the worker's head start is undone before the error hooks
    assertEquals(
        List.of(
            EngineHarness.WORKER_START,
            EngineHarness.WORKER_REMOVE,
            WEB_ERROR,
            SELF_ERROR,
            WEB_FINALLY,
            SELF_FINALLY),
        journal.entries());
    RunRecord r = report.record();
    assertEquals(RunRecord.FAILED, r.state());
    assertEquals("check repository: failed", steps(r).get(0));
    assertTrue(r.error().contains("wrong password"), r.error());
  }
}
