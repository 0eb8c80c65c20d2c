package dev.stackback.engine;

import dev.stackback.engine.HookRunner.StageResult;
import dev.stackback.label.HookSpec.Stage;
import dev.stackback.plan.BackupSteps;
import dev.stackback.plan.ContainerRef;
import dev.stackback.plan.HookStep;
import dev.stackback.plan.Plan;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.LocalShell;
import dev.stackback.port.Restic;
import dev.stackback.port.ResticException;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import dev.stackback.util.OutputTail;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one backup of a {@link Plan} (SPEC 2) through the ports: repository check, pre hooks, stop /
 * snapshot / dump / start, post or error hooks, finally hooks, maintenance. Every container it
 * stops is started again before any later stage, also on failure or cancellation.
 */
public final class RunEngine {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.run");

  /** File in the state directory: the snapshot gate's last timings ({@link BackupPhase}). */
  static final String GATE_TIMINGS = "gate-timings";

  private final ContainerRuntime runtime;
  private final Restic restic;
  private final LocalShell shell;
  private final RunStore store;
  private final EngineSettings settings;
  private final Clock clock;
  private final HookRunner.Sleeper sleeper;
  private final Supplier<Restic.RepositoryState> repositoryCheck;
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicReference<BackupPhase> phase = new AtomicReference<>();
  private final AtomicReference<VerifyRun> drill = new AtomicReference<>();

  public RunEngine(
      ContainerRuntime runtime,
      Restic restic,
      LocalShell shell,
      RunStore store,
      EngineSettings settings,
      Clock clock) {
    this(runtime, restic, shell, store, settings, clock, d -> Thread.sleep(d.toMillis()));
  }

  /**
   * An engine whose repository check step takes its answer from {@code repositoryCheck} instead of
   * calling {@link Restic#ensureRepository()} itself: e.g. a check started in the background while
   * the run was planned. The step, its record and its failure semantics stay the same.
   */
  public RunEngine(
      ContainerRuntime runtime,
      Restic restic,
      LocalShell shell,
      RunStore store,
      EngineSettings settings,
      Clock clock,
      Supplier<Restic.RepositoryState> repositoryCheck) {
    this(
        runtime,
        restic,
        shell,
        store,
        settings,
        clock,
        d -> Thread.sleep(d.toMillis()),
        repositoryCheck);
  }

  RunEngine(
      ContainerRuntime runtime,
      Restic restic,
      LocalShell shell,
      RunStore store,
      EngineSettings settings,
      Clock clock,
      HookRunner.Sleeper sleeper) {
    this(runtime, restic, shell, store, settings, clock, sleeper, restic::ensureRepository);
  }

  /** Runs the worker's head start ({@link BackupPhase#prestart}): a thread of its own. */
  private static final Executor OWN_THREAD =
      r -> Thread.ofPlatform().daemon().name("stack-back-worker-start").start(r);

  private volatile Executor workerPrestart = OWN_THREAD;

  /**
   * For tests: runs the worker's head start on {@code executor} ({@code Runnable::run}: at once, in
   * order; {@code r -> {}}: never, so the worker starts at the first stop or snapshot).
   */
  RunEngine prestartWorkerWith(Executor executor) {
    this.workerPrestart = Objects.requireNonNull(executor, "executor");
    return this;
  }

  private volatile boolean startsInBackground = true;

  /**
   * For tests: {@code false} runs each start of the backup phase in line, where the plan lists it,
   * instead of on the phase's starter thread ({@link BackupPhase#startInBackground}).
   */
  RunEngine startsInBackground(boolean on) {
    this.startsInBackground = on;
    return this;
  }

  private RunEngine(
      ContainerRuntime runtime,
      Restic restic,
      LocalShell shell,
      RunStore store,
      EngineSettings settings,
      Clock clock,
      HookRunner.Sleeper sleeper,
      Supplier<Restic.RepositoryState> repositoryCheck) {
    this.repositoryCheck = repositoryCheck;
    this.runtime = runtime;
    this.restic = restic;
    this.shell = shell;
    this.store = store;
    this.settings = settings;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /**
   * Asks a running backup to stop early: no further snapshot or dump starts, but stopped containers
   * are started and the error and finally hooks run. Safe from any thread.
   */
  public void cancel() {
    cancelled.set(true);
    BackupPhase running = phase.get();
    if (running != null) {
      running.interrupt(); // a snapshot in progress: restic gets SIGINT
    }
    VerifyRun verifying = drill.get();
    if (verifying != null) {
      verifying.interrupt(); // a drill in progress: its scratch container is still removed
    }
  }

  /** Runs the plan; {@code trigger} is {@code manual} or {@code schedule}. */
  public RunReport run(Plan plan, String trigger) {
    return recorded(plan, trigger, (rec, hooks) -> execute(plan, rec, hooks));
  }

  /**
   * Restores a service's volume snapshot into its own volumes (trigger {@code restore}): its pre
   * hooks, stop, a worker running {@code restic restore}, start (always), then post or error hooks
   * and finally hooks. See {@link RestoreRun}.
   */
  public RunReport restoreInPlace(Plan plan, InPlaceRestore restore) {
    return recorded(
        plan,
        "restore",
        (rec, hooks) ->
            finish(
                rec,
                new RestoreRun(runtime, restic, rec, hooks, settings, plan, cancelled)
                    .execute(restore)));
  }

  /**
   * A restore drill (trigger {@code verify}) of {@code services} (all when empty): volume snapshots
   * restored under {@code scratchRoot}, dumps loaded into scratch database containers. See {@link
   * VerifyRun}.
   */
  public RunReport verify(Plan plan, Set<String> services, Path scratchRoot) {
    return recorded(
        plan,
        VerifyRun.KIND,
        (rec, hooks) -> {
          VerifyRun v =
              new VerifyRun(
                  new VolumeDrill(restic, plan, scratchRoot),
                  new DumpDrill(runtime, restic, settings, plan, sleeper),
                  restic,
                  rec,
                  plan,
                  services,
                  cancelled);
          drill.set(v);
          try {
            return finish(rec, v.execute());
          } finally {
            drill.set(null);
          }
        });
  }

  /** One recorded run: its id, record, hook runner and async pool around {@code body}. */
  private RunReport recorded(
      Plan plan, String trigger, BiFunction<Recorder, HookRunner, RunReport> body) {
    Instant start = clock.instant();
    String id = RunRecord.newId(start);
    RunRecord initial =
        new RunRecord(
            id,
            trigger,
            RunRecord.RUNNING,
            ProcessHandle.current().pid(),
            plan.host(),
            start,
            null,
            null,
            List.of(),
            List.of(),
            null);
    Recorder rec = new Recorder(store, clock, initial);
    ExecutorService async = Executors.newCachedThreadPool(daemonThreads());
    try {
      HookRunner hooks =
          new HookRunner(
              runtime, shell, rec, sleeper, settings.retryBackoff(), async, id, cancelled);
      return withFailureReport(plan, rec, body.apply(rec, hooks));
    } catch (RuntimeException e) {
      // a bug or a broken store: the record is still closed, the caller still notifies
      LOG.error("run {} failed unexpectedly", id, e);
      Outcome out = new Outcome();
      out.fail("stack-back failed unexpectedly: " + HookRunner.describe(e));
      out.restartFailed = !rec.stillStopped().isEmpty();
      return withFailureReport(plan, rec, finish(rec, out));
    } finally {
      async.shutdownNow();
    }
  }

  /**
   * A run that went wrong gets its failure report ({@link FailureReporter}): bounded, and never
   * changes the run's outcome.
   */
  private RunReport withFailureReport(Plan plan, Recorder rec, RunReport report) {
    if (RunRecord.SUCCEEDED.equals(report.record().state())) {
      return report;
    }
    return new FailureReporter(runtime, clock)
        .report(plan, report.record())
        .map(f -> new RunReport(rec.failure(f), report.exitCode()))
        .orElse(report);
  }

  private RunReport execute(Plan plan, Recorder rec, HookRunner hooks) {
    Outcome out = new Outcome();
    LOG.info(
        "backup run {} started: {} target(s), host '{}'",
        rec.record().id(),
        plan.targets().size(),
        plan.host());
    try {
      checkPreBackupPost(plan, rec, hooks, out);
    } catch (RuntimeException e) {
      // every container BackupPhase stopped is started in its finally; the error and finally
      // hooks below still run
      LOG.error("backup run {} failed unexpectedly", rec.record().id(), e);
      out.fail("stack-back failed unexpectedly: " + HookRunner.describe(e));
    }
    if (cancelled.get()) {
      out.fail("the run was interrupted");
    }
    closingStages(hooks, plan.hooks(Stage.ERROR), plan.hooks(Stage.FINALLY), out);
    if (settings.maintenanceAfterRun() && !out.failed && !out.incomplete && !cancelled.get()) {
      maintenance(plan, rec, out);
    }
    return finish(rec, out);
  }

  private void checkPreBackupPost(Plan plan, Recorder rec, HookRunner hooks, Outcome out) {
    BackupPhase backup = new BackupPhase(runtime, restic, rec, settings, plan, cancelled);
    backup.gateTimingsIn(store.directory().resolveSibling(GATE_TIMINGS));
    backup.startInBackground(startsInBackground);
    // the worker container starts while the repository is checked and the pre hooks run
    backup.prestart(workerPrestart);
    boolean ran = false;
    try {
      if (checkRepository(rec, out)) {
        StageResult pre = hooks.runStage(Stage.PRE, plan.hooks(Stage.PRE));
        if (pre.failures() > 0) {
          out.fail("a pre hook failed");
        }
        if (!pre.aborted() && !out.failed) {
          phase.set(backup);
          ran = true;
          try {
            if (cancelled.get()) {
              backup.interrupt();
            }
            backup.run(BackupSteps.of(plan), out);
          } finally {
            phase.set(null);
          }
        } else {
          LOG.warn("skipping stop and backup: a pre hook failed");
        }
      }
    } finally {
      if (!ran) {
        backup.discard();
      }
    }
    if (!out.failed && !cancelled.get()) {
      StageResult post = hooks.runStage(Stage.POST, plan.hooks(Stage.POST));
      if (post.failures() > 0) {
        out.fail("a post hook failed");
      }
    }
  }

  /**
   * The error hooks (when the run failed) and the finally hooks, then the async hooks are awaited.
   * Nothing here may end the run early: a hook that cannot even be run is a failed hook (see {@link
   * HookRunner}), and whatever else goes wrong is recorded in {@code out}, never thrown.
   */
  static void closingStages(
      HookRunner hooks, List<HookStep> error, List<HookStep> always, Outcome out) {
    if (out.failed) {
      contained(out, "error hooks", () -> hooks.runStage(Stage.ERROR, error), "an error hook");
    }
    contained(out, "finally hooks", () -> hooks.runStage(Stage.FINALLY, always), "a finally hook");
    try {
      hooks.awaitAsync();
    } catch (RuntimeException e) {
      LOG.error("waiting for async hooks failed", e);
    }
  }

  private static void contained(
      Outcome out, String what, Supplier<StageResult> stage, String failedHook) {
    try {
      if (stage.get().failures() > 0) {
        out.fail(failedHook + " failed");
      }
    } catch (RuntimeException e) {
      LOG.error("{} failed unexpectedly", what, e);
      out.fail(what + " failed: " + HookRunner.describe(e));
    }
  }

  private boolean checkRepository(Recorder rec, Outcome out) {
    Instant t = rec.now();
    try {
      Restic.RepositoryState state = repositoryCheck.get();
      rec.simple(
          "repository",
          "check repository",
          null,
          null,
          "ok",
          t,
          state == Restic.RepositoryState.INITIALISED
              ? "initialised a new repository"
              : "reachable");
      return true;
    } catch (ResticException e) {
      rec.simple("repository", "check repository", null, null, "failed", t, e.getMessage());
      out.fail("repository check failed: " + e.getMessage());
      return false;
    } catch (RuntimeException e) {
      rec.simple("repository", "check repository", null, null, "failed", t, e.toString());
      out.fail("repository check failed: " + e);
      return false;
    }
  }

  private void maintenance(Plan plan, Recorder rec, Outcome out) {
    Instant t = rec.now();
    // restic's tables go to the record's tail (and DEBUG); the step's line sums them up
    OutputTail tail = new OutputTail();
    try {
      List<String> lines =
          restic.forget(
              plan.host(),
              "stack-back",
              settings.keep(),
              true,
              (s, l) -> {
                tail.add(l);
                LOG.debug("[maintenance] {}", l);
              });
      rec.finished(
          "maintenance",
          "forget + prune",
          null,
          null,
          "ok",
          t,
          null,
          1,
          ForgetReport.describe(restic.summarizeForget(lines), lines),
          tail.snapshot());
    } catch (RuntimeException e) {
      rec.finished(
          "maintenance",
          "forget + prune",
          null,
          null,
          "failed",
          t,
          null,
          1,
          e.getMessage(),
          tail.snapshot());
      out.fail("maintenance failed: " + e.getMessage());
      return;
    }
    // SPEC 2: maintenance is forget, prune and check (the Python tool's maintenance too)
    Instant c = rec.now();
    try {
      restic.check(Optional.empty(), (s, l) -> LOG.debug("[maintenance] {}", l));
      rec.simple("maintenance", "check", null, null, "ok", c, "no errors were found");
    } catch (RuntimeException e) {
      rec.simple("maintenance", "check", null, null, "failed", c, e.getMessage());
      out.fail("maintenance check failed: " + e.getMessage());
    }
  }

  private RunReport finish(Recorder rec, Outcome out) {
    int code;
    String state;
    if (out.restartFailed) {
      code = RunReport.RESTART_FAILED;
      state = RunRecord.FAILED;
    } else if (out.failed) {
      code = RunReport.FAILED;
      state = RunRecord.FAILED;
    } else if (out.incomplete) {
      code = RunReport.INCOMPLETE;
      state = RunRecord.INCOMPLETE;
    } else {
      code = RunReport.OK;
      state = RunRecord.SUCCEEDED;
    }
    RunRecord done = rec.end(state, code, out.firstError);
    LOG.info(
        "{} run {} {} (exit {}){}",
        switch (done.trigger()) {
          case "restore" -> "restore";
          case VerifyRun.KIND -> "restore drill";
          default -> "backup";
        },
        done.id(),
        state,
        code,
        out.firstError == null ? "" : ": " + out.firstError);
    return new RunReport(done, code);
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    return r -> {
      Thread t = new Thread(r, "stack-back-async-hook");
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * What has gone wrong so far; the first error is kept. The snapshots of a concurrent wave write
   * it from several threads.
   */
  static final class Outcome {
    volatile boolean failed;
    volatile boolean incomplete;
    volatile boolean restartFailed;
    volatile String firstError;

    synchronized void fail(String why) {
      failed = true;
      if (firstError == null) {
        firstError = why;
      }
    }
  }

  /** For logs: a target's containers. */
  static String names(List<ContainerRef> refs) {
    return String.join(", ", refs.stream().map(ContainerRef::name).toList());
  }
}
