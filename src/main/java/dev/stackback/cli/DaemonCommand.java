package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.config.Schedule;
import dev.stackback.dashboard.Dashboard;
import dev.stackback.metrics.MetricsServer;
import dev.stackback.state.Pause;
import dev.stackback.state.PauseFile;
import dev.stackback.state.RunLock;
import dev.stackback.state.RunStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stack-back daemon}: the image's default command. Backups on {@code CRON_SCHEDULE},
 * maintenance on {@code MAINTENANCE_SCHEDULE}; one run at a time; SIGTERM lets a running backup
 * start what it stopped and run its error/finally hooks before the process exits. With {@code
 * METRICS_PORT}, serves {@code /healthz} and {@code /metrics} until then. Every run (the start-up
 * repair, each backup, each maintenance) is a child process ({@link ChildRuns}): the daemon itself
 * only waits, and stays small.
 */
@Command(
    name = "daemon",
    mixinStandardHelpOptions = true,
    description = {
      "Runs backups on CRON_SCHEDULE, maintenance on MAINTENANCE_SCHEDULE and restore drills",
      "(verify) on VERIFY_SCHEDULE until SIGTERM.",
      "Exit 2 on invalid configuration (e.g. a CRON_SCHEDULE that is not a cron expression)."
    })
final class DaemonCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.daemon");

  private final App app;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final ChildRuns children;

  /** A dashboard's "back up now" is in progress. */
  private final AtomicBoolean manualRun = new AtomicBoolean();

  /** Whether we run in a container (then runs exec'd into it die with us): set at start-up. */
  private volatile boolean inContainer;

  @Spec CommandSpec spec;

  @Option(
      names = "--startup-repair",
      hidden = true,
      description = "The daemon's start-up in its child process: wait for Docker, repair, exit.")
  boolean startupRepair;

  DaemonCommand(App app) {
    this.app = app;
    this.children = new ChildRuns(app.env());
  }

  @Override
  public Integer call() {
    return run(spec.commandLine().getErr());
  }

  /** The daemon (or, with {@code --startup-repair}, its start-up child); errors to {@code err}. */
  int run(PrintWriter err) {
    Config config;
    try {
      config = Session.config(app, err);
    } catch (Session.Exit e) {
      return e.code;
    }
    if (startupRepair) {
      return new StartupRepair(app).run(config, err);
    }
    // without STACK_BACK_CONTAINER we can only work in a container; refined once Docker answers
    inContainer = config.stackBackContainer().isEmpty();
    Optional<AgentMode> agent;
    try {
      agent = AgentMode.start(app, config, err);
    } catch (Session.Exit e) {
      return e.code;
    }
    Thread hook = new Thread(this::shutdown, "stack-back-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    MetricsServer metrics = startMetrics(config);
    try {
      if (agent.isPresent() && agent.get().only()) {
        // a swarm worker node: its stack-back only serves the agent API until SIGTERM
        awaitStop();
        return 0;
      }
      LOG.info(
          "stack-back {} daemon: backups on '{}', maintenance {}",
          VersionCommand.version(),
          config.cronSchedule().text(),
          config
              .maintenanceSchedule()
              .map(s -> "on '" + s.text() + "'")
              .orElse("after each successful backup"));
      config.verifySchedule().ifPresent(v -> LOG.info("restore drills (verify) on '{}'", v.text()));
      OptionalInt repaired = child("start-up repair", List.of("daemon", "--startup-repair"));
      if (repaired.isEmpty() && stopping.getCount() == 0) {
        return 0;
      }
      if (repaired.orElse(StartupRepair.IN_CONTAINER) == StartupRepair.NOT_IN_CONTAINER) {
        inContainer = false;
      }
      loop(config);
      return 0;
    } finally {
      agent.ifPresent(AgentMode::close);
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
          RunStore.withoutJackson(config.stateDir()),
          new PauseFile(config.stateDir()),
          app.clock(),
          () -> stopping.getCount() > 0,
          config.dashboard() ? new Dashboard(config, app.clock(), dashboardBackend(config)) : null);
    } catch (RuntimeException e) {
      LOG.error("no /metrics and /healthz: {}", e.getMessage());
      return null;
    }
  }

  /**
   * The dashboard's actions: "back up now" is a manual backup in a child process, like a scheduled
   * one, on a thread of its own (the HTTP thread returns at once); busy while another run holds the
   * run lock or the last one started here is still going. The plan is {@code status --json} in a
   * child process.
   */
  private Dashboard.Backend dashboardBackend(Config config) {
    return new Dashboard.Backend() {
      @Override
      public Dashboard.BackupStart backupNow() {
        if (stopping.getCount() == 0) {
          return Dashboard.BackupStart.STOPPING;
        }
        Optional<RunLock> free = RunLock.tryAcquire(config.stateDir());
        if (free.isEmpty()) {
          return Dashboard.BackupStart.BUSY;
        }
        free.get().close();
        if (!manualRun.compareAndSet(false, true)) {
          return Dashboard.BackupStart.BUSY;
        }
        Thread t =
            new Thread(
                () -> {
                  try {
                    child("dashboard backup", List.of("backup", "--trigger=manual"))
                        .ifPresent(
                            code -> LOG.info("dashboard backup finished with exit code {}", code));
                  } finally {
                    manualRun.set(false);
                  }
                },
                "stack-back-dashboard-backup");
        t.setDaemon(true);
        t.start();
        return Dashboard.BackupStart.STARTED;
      }

      @Override
      public String statusJson() throws IOException {
        return children.output(List.of("status", "--json"), STATUS_LIMIT, Set.of(0, 2));
      }
    };
  }

  /** The longest the dashboard waits for {@code status --json} (Docker, restic). */
  private static final Duration STATUS_LIMIT = Duration.ofMinutes(3);

  /**
   * SIGTERM: stop sleeping, let a run in progress finish safely, then let the JVM exit. Our own run
   * is a child process: it gets SIGTERM and stops safely on its own (starts what it stopped, runs
   * its hooks). Runs that were started by hand in our container ({@code docker exec ... stack-back
   * backup}) would be killed outright when we exit (Docker kills every process of a container when
   * its main process ends), so they get SIGTERM too, and we wait for all of them.
   */
  private void shutdown() {
    LOG.info("SIGTERM: stopping; a run in progress starts what it stopped and runs its hooks");
    stopping.countDown();
    long deadline = System.nanoTime() + BackupCommand.SHUTDOWN_GRACE.toNanos();
    List<ProcessHandle> others = inContainer ? SiblingRuns.terminate() : List.of();
    List<ProcessHandle> ours = children.terminate();
    try {
      stopped.await(BackupCommand.SHUTDOWN_GRACE.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // a dashboard's backup runs beside the loop: wait for it as for runs started by hand
    List<ProcessHandle> all = new ArrayList<>(others);
    all.addAll(ours);
    SiblingRuns.await(all, Duration.ofNanos(deadline - System.nanoTime()));
  }

  /** Waits until SIGTERM. */
  private void awaitStop() {
    try {
      stopping.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What the daemon runs on a schedule: backups, maintenance, restore drills. */
  private enum Job {
    BACKUP("backup", List.of("backup", "--trigger=schedule")),
    MAINTENANCE("maintenance", List.of("maintenance")),
    VERIFY("restore drill", List.of("verify"));

    final String what;
    final List<String> args;

    Job(String what, List<String> args) {
      this.what = what;
      this.args = args;
    }
  }

  private void loop(Config config) {
    while (stopping.getCount() > 0) {
      ZonedDateTime now = ZonedDateTime.now(app.clock());
      Map<Job, ZonedDateTime> next = new EnumMap<>(Job.class);
      next(config.cronSchedule(), now).ifPresent(t -> next.put(Job.BACKUP, t));
      config
          .maintenanceSchedule()
          .flatMap(s -> next(s, now))
          .ifPresent(t -> next.put(Job.MAINTENANCE, t));
      config.verifySchedule().flatMap(s -> next(s, now)).ifPresent(t -> next.put(Job.VERIFY, t));
      if (next.isEmpty()) {
        // config load rejects schedules that never fire; never die with a stack trace here
        if (sleep(Duration.ofHours(1))) {
          return;
        }
        continue;
      }
      // the earliest; at the same time the backup first, then maintenance, then the drill
      Job job =
          next.entrySet().stream()
              .min(
                  Map.Entry.<Job, ZonedDateTime>comparingByValue()
                      .thenComparing(Map.Entry.comparingByKey()))
              .orElseThrow()
              .getKey();
      ZonedDateTime at = next.get(job);
      LOG.info("next {} at {}", job.what, at);
      if (sleep(Duration.between(ZonedDateTime.now(app.clock()), at))) {
        return;
      }
      Optional<Pause> paused = ScheduledPause.active(config, app.clock().instant());
      Optional<String> deferred = SwarmSchedule.deferral(app, config);
      if (deferred.isPresent()) {
        // no record, no ping: the leader's run is the swarm's one run
        LOG.info("scheduled {} skipped: {}", job.what, deferred.get());
      } else if (job != Job.BACKUP && paused.isPresent()) {
        // a scheduled backup records its own skipped run in its child
        LOG.info("scheduled {} skipped: paused {}", job.what, paused.get().describe());
      } else {
        child("scheduled " + job.what, job.args)
            .ifPresent(
                code ->
                    LOG.info(
                        "scheduled {} finished with exit code {}{}",
                        job.what,
                        code,
                        code == BackupRunner.BUSY
                            ? ": skipped, another run holds the lock (the line above names it)"
                            : ""));
      }
    }
  }

  /**
   * Runs {@code args} in a child process (see {@link ChildRuns}); its exit code, or empty when we
   * are stopping or it could not be started (logged).
   */
  private OptionalInt child(String what, List<String> args) {
    try {
      return children.run(args);
    } catch (IOException | RuntimeException e) {
      LOG.error("{} not started: {}", what, e.getMessage());
      return OptionalInt.empty();
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
