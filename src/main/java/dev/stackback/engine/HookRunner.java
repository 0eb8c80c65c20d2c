package dev.stackback.engine;

import dev.stackback.label.HookSpec;
import dev.stackback.label.HookSpec.Mode;
import dev.stackback.label.HookSpec.OnError;
import dev.stackback.label.HookSpec.Stage;
import dev.stackback.plan.HookStep;
import dev.stackback.plan.HookStep.HookTarget;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.LocalShell;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the hooks of a stage: blocking ones in order with retries and backoff, async ones in the
 * background (awaited by {@link #awaitAsync()} before the run ends). Records every outcome.
 */
final class HookRunner {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.hook");
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /** What a stage did. */
  record StageResult(boolean aborted, int failures) {}

  /** Pauses between retries; a fake in tests. */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final ContainerRuntime runtime;
  private final LocalShell shell;
  private final Recorder recorder;
  private final Sleeper sleeper;
  private final Duration backoff;
  private final ExecutorService async;
  private final String runId;
  private final AtomicBoolean cancelled;
  private final List<Pending> pending = new ArrayList<>();

  private record Pending(HookStep step, CompletableFuture<Void> future) {}

  HookRunner(
      ContainerRuntime runtime,
      LocalShell shell,
      Recorder recorder,
      Sleeper sleeper,
      Duration backoff,
      ExecutorService async,
      String runId,
      AtomicBoolean cancelled) {
    this.runtime = runtime;
    this.shell = shell;
    this.recorder = recorder;
    this.sleeper = sleeper;
    this.backoff = backoff;
    this.async = async;
    this.runId = runId;
    this.cancelled = cancelled;
  }

  /**
   * Runs a stage. In {@code pre} and {@code post} a failed blocking hook with {@code on-error:
   * abort} skips the rest of the stage, and so does a cancelled run; in {@code error} and {@code
   * finally} nothing is skipped.
   */
  StageResult runStage(Stage stage, List<HookStep> steps) {
    boolean aborted = false;
    int failures = 0;
    boolean mayAbort = stage == Stage.PRE || stage == Stage.POST;
    for (HookStep step : steps) {
      boolean interrupted = mayAbort && cancelled.get();
      if (aborted || interrupted) {
        recorder.simple(
            "hook",
            name(step),
            stage.word(),
            step.from(),
            "skipped",
            recorder.now(),
            interrupted
                ? "the run was interrupted"
                : "an earlier " + stage.word() + " hook failed");
        continue;
      }
      if (step.spec().mode() == Mode.ASYNC) {
        startAsync(step);
        continue;
      }
      if (!runContained(step)) {
        if (step.spec().onError() == OnError.ABORT) {
          failures++;
          aborted = mayAbort;
        }
      }
    }
    return new StageResult(aborted, failures);
  }

  /**
   * {@link #runBlocking}, but whatever it throws (a store that cannot be written, a bug) is a
   * failed hook: the stage, and the run's error and finally stages, go on.
   */
  private boolean runContained(HookStep step) {
    try {
      return runBlocking(step);
    } catch (RuntimeException e) {
      LOG.error("hook {} failed unexpectedly", name(step), e);
      try {
        recorder.simple(
            "hook",
            name(step),
            step.spec().stage().word(),
            step.from(),
            "failed",
            recorder.now(),
            "could not run: " + describe(e));
      } catch (RuntimeException again) {
        LOG.error("cannot record hook {}: {}", name(step), again.toString());
      }
      return false;
    }
  }

  /** Waits for the async hooks still running, each bounded by its own timeout. */
  void awaitAsync() {
    List<Pending> all;
    synchronized (pending) {
      all = List.copyOf(pending);
      pending.clear();
    }
    for (Pending p : all) {
      try {
        // the hook's exec is bounded by its timeout; a little slack for the kill
        p.future().get(p.step().timeout().toMillis() + 15_000, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        recorder.simple(
            "hook",
            name(p.step()),
            p.step().spec().stage().word(),
            p.step().from(),
            "timeout",
            recorder.now(),
            "async hook did not finish in time");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        LOG.error("async hook {} failed: {}", name(p.step()), e.getCause().toString());
      }
    }
  }

  private void startAsync(HookStep step) {
    LOG.info("starting async hook {} ({})", name(step), step.whereText());
    CompletableFuture<Void> f = CompletableFuture.runAsync(() -> runContained(step), async);
    synchronized (pending) {
      pending.add(new Pending(step, f));
    }
  }

  /** Runs one hook with its retries; true when it finally succeeded. */
  private boolean runBlocking(HookStep step) {
    HookSpec spec = step.spec();
    Instant started = recorder.now();
    int attempts = 0;
    ExecResult last = null;
    String thrown = null;
    while (attempts <= spec.retries()) {
      if (attempts > 0 && !pause(attempts)) {
        break;
      }
      attempts++;
      try {
        last = execute(step);
        thrown = null;
      } catch (RuntimeException e) {
        // the container is gone, the engine is down: a failed attempt, not a crashed run
        last = null;
        thrown = describe(e);
        LOG.warn("hook {} attempt {} could not run: {}", name(step), attempts, thrown);
        continue;
      }
      if (last == null) {
        break; // unresolved context: retrying cannot help
      }
      if (last.succeeded()) {
        recorder.step(
            "hook", name(step), spec.stage().word(), step.from(), started, last, attempts, "");
        return true;
      }
      LOG.warn("hook {} attempt {} failed ({})", name(step), attempts, describe(last));
    }
    if (thrown != null) {
      recorder.finished(
          "hook",
          name(step),
          spec.stage().word(),
          step.from(),
          "failed",
          started,
          null,
          attempts,
          "could not run: " + thrown,
          List.of());
    } else if (last == null) {
      recorder.simple(
          "hook",
          name(step),
          spec.stage().word(),
          step.from(),
          "failed",
          started,
          "no running container in scope for service '" + contextOf(step) + "'");
    } else {
      recorder.step(
          "hook",
          name(step),
          spec.stage().word(),
          step.from(),
          started,
          last,
          attempts,
          describe(last));
    }
    return false;
  }

  private boolean pause(int attempt) {
    long factor = 1L << Math.min(attempt - 1, 10);
    Duration wait = backoff.multipliedBy(factor);
    try {
      sleeper.sleep(wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs the hook once; null when its context cannot be resolved. */
  private ExecResult execute(HookStep step) {
    String label = name(step);
    OutputLog out = new OutputLog(LOG, label); // rate-limited: noisy hooks cannot flood the log
    Map<String, String> env =
        Map.of(
            "STACK_BACK_STAGE", step.spec().stage().word(),
            "STACK_BACK_RUN_ID", runId,
            "STACK_BACK_SERVICE", step.from());
    LOG.info("running hook {} ({}): {}", label, step.whereText(), step.spec().cmd());
    try (out) {
      return switch (step.where()) {
        case HookTarget.Local l -> shell.run(step.spec().cmd(), env, step.timeout(), out);
        case HookTarget.InContainer c ->
            runtime.exec(
                new ExecRequest(
                    c.container().id(),
                    List.of("sh", "-c", step.spec().cmd()),
                    step.spec().user(),
                    env,
                    step.timeout()),
                out);
        case HookTarget.Unresolved u -> null;
      };
    }
  }

  private static String contextOf(HookStep step) {
    return step.where() instanceof HookTarget.Unresolved u ? u.context() : step.spec().context();
  }

  /** An exception's message, or its class when it has none. */
  static String describe(RuntimeException e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  static String describe(ExecResult r) {
    return r.timedOut() ? "timed out" : "exit code " + r.exitCode();
  }

  /** {@code pre web#1}: stage, declaring service, N. */
  static String name(HookStep step) {
    return step.spec().stage().word() + " " + step.from() + "#" + step.spec().index();
  }
}
