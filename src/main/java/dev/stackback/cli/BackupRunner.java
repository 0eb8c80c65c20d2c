package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.engine.EngineSettings;
import dev.stackback.engine.Recovery;
import dev.stackback.engine.RunEngine;
import dev.stackback.engine.RunReport;
import dev.stackback.plan.Plan;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.state.RunLock;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One guarded backup run, shared by {@code backup} and {@code daemon}: take the run lock (or report
 * busy), repair interrupted runs, run the engine, notify. {@link #cancel()} interrupts a run in
 * progress the safe way (restarts and error/finally hooks still happen).
 */
final class BackupRunner {
  /** Exit code when another run holds the lock. */
  static final int BUSY = 5;

  private static final Logger LOG = LoggerFactory.getLogger("stack-back.notify");

  private final App app;
  private final AtomicReference<RunEngine> current = new AtomicReference<>();
  private volatile boolean cancelled;

  BackupRunner(App app) {
    this.app = app;
  }

  /** Cancels the run in progress, and any run that would start after this call. */
  void cancel() {
    cancelled = true;
    RunEngine e = current.get();
    if (e != null) {
      e.cancel();
    }
  }

  /** Runs {@code plan} under the lock; the exit code of SPEC 7 (or {@link #BUSY}). */
  int run(Session s, Plan plan, String trigger, PrintWriter out, PrintWriter err) {
    Optional<RunLock> lock = tryLock(s, err);
    if (lock.isEmpty()) {
      return BUSY;
    }
    RunLock held = lock.get();
    try (held) {
      return runLocked(s, plan, e -> e.run(plan, trigger), out, err);
    }
  }

  /** The run lock, or empty after saying on {@code err} that another run holds it. */
  static Optional<RunLock> tryLock(Session s, PrintWriter err) {
    Optional<RunLock> lock = RunLock.tryAcquire(s.config.stateDir());
    if (lock.isEmpty()) {
      busy(err, "the lock " + s.config.stateDir().resolve("run.lock") + " is held");
    }
    return lock;
  }

  /**
   * Runs {@code body} (a backup or a restore) on a new engine; the caller holds the lock. Repairs
   * interrupted runs first, prints the summary and notifies; the exit code of SPEC 7 (or {@link
   * #BUSY}).
   */
  int runLocked(
      Session s, Plan plan, Function<RunEngine, RunReport> body, PrintWriter out, PrintWriter err) {
    // with the lock held, workers of a crashed run are orphans: recovery removes them first
    recover(s.runtime, s.config);
    if (Recovery.workerBusy(s.runtime, plan.host())) {
      return busy(
          err,
          "a worker container of host '"
              + plan.host()
              + "' is running (another stack-back with another STATE_DIR?)");
    }
    RunEngine engine =
        new RunEngine(
            s.runtime,
            app.restic(s.config),
            app.shell(),
            new RunStore(s.config.stateDir()),
            settings(s.config),
            app.clock());
    current.set(engine);
    if (cancelled) {
      engine.cancel();
    }
    try {
      RunReport report = body.apply(engine);
      try {
        summary(out, report);
      } finally {
        notifyEnded(s.config, report.record());
      }
      return report.exitCode();
    } finally {
      current.set(null);
    }
  }

  private static int busy(PrintWriter err, String why) {
    err.println("error: another backup run is in progress: " + why + "; try again later");
    err.flush();
    return BUSY;
  }

  /**
   * Repairs runs a crash left {@code running} and notifies about each; the caller holds the lock.
   */
  void recover(ContainerRuntime runtime, Config config) {
    List<RunRecord> closed =
        new Recovery(runtime, new RunStore(config.stateDir()), settings(config), app.clock())
            .repair();
    closed.forEach(r -> notifyEnded(config, r));
  }

  /** Notifications never change a run's outcome: whatever goes wrong here is only logged. */
  private void notifyEnded(Config config, RunRecord record) {
    try {
      app.notifier(config).runEnded(record);
    } catch (RuntimeException e) {
      LOG.error("notification about run {} failed: {}", record.id(), e.toString());
    }
  }

  static EngineSettings settings(Config config) {
    return new EngineSettings(
        config.stopTimeout(),
        config.stopTimeout().plusSeconds(60),
        config.backupTimeout(),
        config.resticEnv(),
        config.keep(),
        config.maintenanceSchedule().isEmpty(),
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
    for (var st : r.steps()) {
      out.printf(
          "  %-11s %-10s %-30s %8s  %s%n",
          st.kind(),
          st.outcome(),
          st.name(),
          st.durationMs() + "ms",
          st.message() == null ? "" : st.message());
    }
    out.flush();
  }
}
