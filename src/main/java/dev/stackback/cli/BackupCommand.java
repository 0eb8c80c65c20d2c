package dev.stackback.cli;

import dev.stackback.engine.EngineSettings;
import dev.stackback.engine.Recovery;
import dev.stackback.engine.RunEngine;
import dev.stackback.engine.RunReport;
import dev.stackback.plan.Plan;
import dev.stackback.state.RunLock;
import dev.stackback.state.RunStore;
import dev.stackback.state.StepRecord;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stack-back backup}: one run now. */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Runs one backup now: pre hooks, stop, back up, start, post/error/finally hooks.",
      "Exit 0 ok, 1 failed, 2 invalid configuration or labels, 3 a snapshot incomplete,",
      "4 a container could not be restarted, 5 another run is in progress."
    })
final class BackupCommand implements Callable<Integer> {
  /** How long a SIGTERM waits for the run to start containers and run its hooks. */
  static final Duration SHUTDOWN_GRACE = Duration.ofMinutes(5);

  private final App app;

  @Spec CommandSpec spec;

  @Option(names = "--dry-run", description = "Print the ordered steps and touch nothing.")
  boolean dryRun;

  BackupCommand(App app) {
    this.app = app;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (Session s = Session.open(app, err)) {
      if (s.plan.plan().isEmpty()) {
        Session.printProblems(err, "invalid labels", s.plan.errors());
        return 2;
      }
      Plan plan = s.plan.plan().get();
      plan.warnings().forEach(w -> err.println("warning: " + w));
      if (dryRun) {
        DryRun.lines(plan, s.config).forEach(out::println);
        out.flush();
        return 0;
      }
      return guarded(s, plan, out, err);
    } catch (Session.Exit e) {
      return e.code;
    }
  }

  /** Exit code when another run holds the lock. */
  static final int BUSY = 5;

  private int guarded(Session s, Plan plan, PrintWriter out, PrintWriter err) {
    Optional<RunLock> lock = RunLock.tryAcquire(s.config.stateDir());
    if (lock.isEmpty() || Recovery.workerBusy(s.runtime, plan.host())) {
      lock.ifPresent(RunLock::close);
      err.println(
          "error: another backup run is in progress (lock "
              + s.config.stateDir().resolve("run.lock")
              + " is held, or a worker container of host '"
              + plan.host()
              + "' is running); try again later");
      err.flush();
      return BUSY;
    }
    try (RunLock held = lock.get()) {
      new Recovery(s.runtime, new RunStore(s.config.stateDir()), settings(s), app.clock()).repair();
      return run(s, plan, out);
    }
  }

  private int run(Session s, Plan plan, PrintWriter out) {
    RunEngine engine =
        new RunEngine(
            s.runtime,
            app.restic(s.config),
            app.shell(),
            new RunStore(s.config.stateDir()),
            settings(s),
            app.clock());
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              engine.cancel();
              try {
                done.await(SHUTDOWN_GRACE.toSeconds(), TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "stack-back-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      RunReport report = engine.run(plan, "manual");
      summary(out, report);
      return report.exitCode();
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting because of a signal; the hook is already running
      }
    }
  }

  static EngineSettings settings(Session s) {
    return new EngineSettings(
        s.config.stopTimeout(),
        s.config.stopTimeout().plusSeconds(60),
        s.config.backupTimeout(),
        s.config.resticEnv(),
        s.config.keep(),
        s.config.maintenanceSchedule().isEmpty(),
        Duration.ofSeconds(1));
  }

  static void summary(PrintWriter out, RunReport report) {
    var r = report.record();
    out.println(
        "Run "
            + r.id()
            + ": "
            + r.state()
            + " (exit "
            + report.exitCode()
            + ")"
            + (r.error() == null ? "" : ": " + r.error()));
    for (StepRecord st : r.steps()) {
      out.printf(
          "  %-10s %-11s %-28s %8s  %s%n",
          st.kind(),
          st.outcome(),
          st.name(),
          st.durationMs() + "ms",
          st.message() == null ? "" : st.message());
    }
    out.flush();
  }
}
