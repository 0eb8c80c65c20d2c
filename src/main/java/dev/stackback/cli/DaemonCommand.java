package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.config.Schedule;
import dev.stackback.metrics.MetricsServer;
import dev.stackback.state.RunLock;
import dev.stackback.state.RunStore;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code stack-back daemon}: the image's default command. Backups on {@code CRON_SCHEDULE},
 * maintenance on {@code MAINTENANCE_SCHEDULE}; one run at a time; SIGTERM lets a running backup
 * start what it stopped and run its error/finally hooks before the process exits. With {@code
 * METRICS_PORT}, serves {@code /healthz} and {@code /metrics} until then.
 */
@Command(
    name = "daemon",
    mixinStandardHelpOptions = true,
    description = {
      "Runs backups on CRON_SCHEDULE and maintenance on MAINTENANCE_SCHEDULE until SIGTERM.",
      "Exit 2 on invalid configuration (e.g. a CRON_SCHEDULE that is not a cron expression)."
    })
final class DaemonCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.daemon");
  private static final Duration DOCKER_RETRY = Duration.ofSeconds(10);

  private final App app;
  private final BackupRunner runner;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  /** Whether we run in a container (then runs exec'd into it die with us): set at start-up. */
  private volatile boolean inContainer;

  @Spec CommandSpec spec;

  DaemonCommand(App app) {
    this.app = app;
    this.runner = new BackupRunner(app);
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Config config;
    try {
      config = Session.config(app, err);
    } catch (Session.Exit e) {
      return e.code;
    }
    // without STACK_BACK_CONTAINER we can only work in a container; refined once Docker answers
    inContainer = config.stackBackContainer().isEmpty();
    Thread hook = new Thread(this::shutdown, "stack-back-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    MetricsServer metrics = startMetrics(config);
    try {
      LOG.info(
          "stack-back {} daemon: backups on '{}', maintenance {}",
          VersionCommand.version(),
          config.cronSchedule().text(),
          config
              .maintenanceSchedule()
              .map(s -> "on '" + s.text() + "'")
              .orElse("after each successful backup"));
      if (!waitForDocker(config, err)) {
        return 0;
      }
      loop(config, out, err);
      return 0;
    } finally {
      if (metrics != null) {
        metrics.close();
      }
      stopped.countDown();
    }
  }

  /**
   * {@code /healthz} and {@code /metrics} on 0.0.0.0:METRICS_PORT, or null when it is unset. A port
   * that cannot be bound is logged and backups go on without it.
   */
  private MetricsServer startMetrics(Config config) {
    if (config.metricsPort().isEmpty()) {
      return null;
    }
    try {
      return MetricsServer.start(
          new InetSocketAddress("0.0.0.0", config.metricsPort().get()),
          new RunStore(config.stateDir()),
          () -> stopping.getCount() > 0);
    } catch (RuntimeException e) {
      LOG.error("no /metrics and /healthz: {}", e.getMessage());
      return null;
    }
  }

  /**
   * SIGTERM: stop sleeping, let a run in progress finish safely, then let the JVM exit. Runs that
   * were started by hand in our container ({@code docker exec ... stack-back backup}) would be
   * killed outright when we exit (Docker kills every process of a container when its main process
   * ends), so they get SIGTERM too, and we wait for them: each then stops safely like ours.
   */
  private void shutdown() {
    LOG.info("SIGTERM: stopping; a run in progress starts what it stopped and runs its hooks");
    stopping.countDown();
    long deadline = System.nanoTime() + BackupCommand.SHUTDOWN_GRACE.toNanos();
    List<ProcessHandle> others = inContainer ? SiblingRuns.terminate() : List.of();
    runner.cancel();
    try {
      stopped.await(BackupCommand.SHUTDOWN_GRACE.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    SiblingRuns.await(others, Duration.ofNanos(deadline - System.nanoTime()));
  }

  /**
   * Retries until Docker answers; then repairs interrupted runs (under the run lock and the engine
   * lock of our backup host). False on SIGTERM.
   */
  private boolean waitForDocker(Config config, PrintWriter err) {
    while (true) {
      try (Session s = Session.connect(app, err)) {
        inContainer =
            config.stackBackContainer().isEmpty() || s.runtime.findOwnContainerId().isPresent();
        Optional<RunLock> lock = BackupRunner.tryLock(s, "recovery", err);
        if (lock.isPresent()) {
          RunLock held = lock.get();
          try (held) {
            runner.recover(s.runtime, s.config, s.host());
          }
        } else {
          LOG.warn("interrupted runs are repaired by the next backup run instead");
        }
        return true;
      } catch (Session.Exit e) {
        if (e.code != 1) {
          // invalid setup (e.g. STACK_BACK_CONTAINER names no container): every backup says so
          LOG.error("no repair of interrupted runs at start-up: {}", e.getMessage());
          return true;
        }
        LOG.warn("Docker is not reachable yet ({}); retrying in {}s", e.getMessage(), secs());
      } catch (RuntimeException e) {
        LOG.warn("Docker is not reachable yet ({}); retrying in {}s", e.getMessage(), secs());
      }
      if (sleep(DOCKER_RETRY)) {
        return false;
      }
    }
  }

  private static long secs() {
    return DOCKER_RETRY.toSeconds();
  }

  private void loop(Config config, PrintWriter out, PrintWriter err) {
    while (stopping.getCount() > 0) {
      ZonedDateTime now = ZonedDateTime.now(app.clock());
      Optional<ZonedDateTime> nextBackup = next(config.cronSchedule(), now);
      Optional<ZonedDateTime> nextMaintenance =
          config.maintenanceSchedule().flatMap(s -> next(s, now));
      if (nextBackup.isEmpty() && nextMaintenance.isEmpty()) {
        // config load rejects schedules that never fire; never die with a stack trace here
        if (sleep(Duration.ofHours(1))) {
          return;
        }
        continue;
      }
      boolean maintenanceFirst =
          nextMaintenance.isPresent()
              && (nextBackup.isEmpty() || nextMaintenance.get().isBefore(nextBackup.get()));
      ZonedDateTime at = maintenanceFirst ? nextMaintenance.get() : nextBackup.get();
      LOG.info("next {} at {}", maintenanceFirst ? "maintenance" : "backup", at);
      if (sleep(Duration.between(ZonedDateTime.now(app.clock()), at))) {
        return;
      }
      if (maintenanceFirst) {
        Maintenance.run(app, config, out, err);
      } else {
        backup(out, err);
      }
      releaseMemory();
    }
  }

  /**
   * Between runs the daemon only sleeps: a full collection lets the serial collector shrink the
   * heap the run grew back to MaxHeapFreeRatio and uncommit it (the image's JVM options), so the
   * idle process holds no run-sized heap until the next run. The Docker client was closed with the
   * run's session.
   */
  private static void releaseMemory() {
    System.gc();
  }

  private void backup(PrintWriter out, PrintWriter err) {
    try (Session s = Session.connect(app, err)) {
      int code = runner.backup(s, "schedule", out, err, w -> LOG.warn("{}", w));
      LOG.info("scheduled backup finished with exit code {}", code);
    } catch (Session.Exit e) {
      LOG.error("scheduled backup skipped: {}", e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("scheduled backup failed: {}", e.toString());
    }
  }

  /** The next time of {@code s}; empty (logged) when it has none. */
  private static Optional<ZonedDateTime> next(Schedule s, ZonedDateTime now) {
    Optional<ZonedDateTime> at = s.next(now);
    if (at.isEmpty()) {
      LOG.error("schedule '{}' has no next time; nothing runs on it", s.text());
    }
    return at;
  }

  /** Sleeps up to {@code d}; true when SIGTERM arrived meanwhile. */
  private boolean sleep(Duration d) {
    try {
      return stopping.await(Math.max(0, d.toMillis()), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }
}
