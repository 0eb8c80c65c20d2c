package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.engine.DeadWorkerLocks;
import dev.stackback.engine.EngineSettings;
import dev.stackback.engine.Recovery;
import dev.stackback.engine.RunEngine;
import dev.stackback.engine.RunReport;
import dev.stackback.lock.EngineLock;
import dev.stackback.lock.LockHolder;
import dev.stackback.lock.ProcessIdentity;
import dev.stackback.lock.SwarmLock;
import dev.stackback.lock.SwarmLockHolder;
import dev.stackback.notify.Pinger;
import dev.stackback.plan.Plan;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.Restic;
import dev.stackback.port.SwarmLocks;
import dev.stackback.port.SwarmNode;
import dev.stackback.state.RunLock;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One guarded backup run, shared by {@code backup} and {@code daemon}: take the run lock and the
 * engine-wide lock (or report busy), repair interrupted runs, then discover and plan (while the
 * repository check runs in the background), run the engine, notify. {@link #cancel()} interrupts a
 * run in progress the safe way (restarts and error/finally hooks still happen).
 */
final class BackupRunner {
  /** Exit code when another run holds the lock. */
  static final int BUSY = 5;

  private static final Logger LOG = LoggerFactory.getLogger("stack-back.notify");
  private static final Logger TIMING = LoggerFactory.getLogger("stack-back.run.start");

  private final App app;
  private final AtomicReference<RunEngine> current = new AtomicReference<>();
  private volatile boolean cancelled;

  private final Pinger pinger;

  BackupRunner(App app) {
    this(app, Pinger.none());
  }

  /** A runner whose runs are reported to {@code pinger} when they end (backups, not restores). */
  BackupRunner(App app, Pinger pinger) {
    this.app = app;
    this.pinger = pinger;
  }

  /** Cancels the run in progress, and any run that would start after this call. */
  void cancel() {
    cancelled = true;
    RunEngine e = current.get();
    if (e != null) {
      e.cancel();
    }
  }

  /** True once {@link #cancel()} was called (SIGTERM): nothing more should start. */
  boolean cancelled() {
    return cancelled;
  }

  /**
   * One backup run from a connected session: the run lock and the engine-wide lock (or {@link
   * #BUSY}), then the repository check in the background while interrupted runs are repaired and
   * the containers are listed and planned, then the run. The caller may have started the check's
   * first read on {@code restic} already ({@link Restic#prefetchRepositoryCheck()}), before it
   * connected to Docker. Label errors throw {@link Session.Exit} 2 (after the repair); warnings go
   * to {@code warn}. The exit code of SPEC 7.
   */
  int backup(
      Session s,
      Restic restic,
      String trigger,
      PrintWriter out,
      PrintWriter err,
      Consumer<String> warn) {
    long t0 = System.nanoTime();
    Optional<RunLock> lock = tryLock(s, trigger, err);
    if (lock.isEmpty()) {
      return BUSY;
    }
    RunLock held = lock.get();
    try (held) {
      long t1 = System.nanoTime();
      try (RepositoryCheck check = RepositoryCheck.start(restic)) {
        // repair first: a container a crashed run left stopped is running again when we plan
        recover(s.runtime, s.config, s.host());
        sweepDeadWorkerLocks(s, restic, s.host());
        long t2 = System.nanoTime();
        Plan plan = s.discover(err).validPlan(err, "invalid labels");
        plan.warnings().forEach(w -> warn.accept(String.valueOf(w)));
        if (s.config.swarmMode()) {
          // the agents of the other nodes are known now: workers a killed run left there
          new Recovery(
                  s.runtime, new RunStore(s.config.stateDir()), settings(s.config), app.clock())
              .removeOrphanWorkers(plan.host());
        }
        TIMING.debug(
            "locks {}ms, repair {}ms, discovery and plan {}ms (repository check in parallel)",
            (t1 - t0) / 1_000_000,
            (t2 - t1) / 1_000_000,
            (System.nanoTime() - t2) / 1_000_000);
        return execute(s, restic, check, e -> e.run(plan, trigger), out, err);
      }
    }
  }

  /** The run lock and the engine-wide lock, or empty after saying on {@code err} who holds them. */
  static Optional<RunLock> tryLock(Session s, PrintWriter err) {
    return tryLock(s, "", err);
  }

  /**
   * The run lock ({@code STATE_DIR/run.lock}) and, under it, the engine-wide lock of our backup
   * host ({@link EngineLock}), as one {@link RunLock}; or empty after saying on {@code err} who
   * holds them. {@code trigger} is written into the engine lock for others' messages.
   */
  static Optional<RunLock> tryLock(Session s, String trigger, PrintWriter err) {
    Optional<RunLock> lock = RunLock.tryAcquire(s.config.stateDir());
    if (lock.isEmpty()) {
      busy(err, "the lock " + s.config.stateDir().resolve("run.lock") + " is held");
      return lock;
    }
    RunLock file = lock.get();
    LockHolder me;
    EngineLock engine;
    try {
      me = holder(s, trigger);
      EngineLock.Result r = EngineLock.acquire(s.runtime, image(s.self), me);
      switch (r) {
        case EngineLock.Acquired a -> engine = a.lock();
        case EngineLock.Busy b -> {
          file.close();
          busy(err, b.message());
          return Optional.empty();
        }
      }
    } catch (RuntimeException e) {
      file.close();
      err.println("error: cannot take the engine-wide run lock: " + e.getMessage());
      err.flush();
      throw new Session.Exit(1, "engine lock failed");
    }
    try {
      Optional<SwarmLock.Result> swarm = swarmLock(s, me);
      if (swarm.isEmpty()) {
        return Optional.of(file.with(engine));
      }
      return switch (swarm.get()) {
        case SwarmLock.Acquired a ->
            Optional.of(
                file.with(
                    () -> {
                      try (engine) {
                        a.lock().close(); // the swarm lock first: it was taken last
                      }
                    }));
        case SwarmLock.Busy b -> {
          engine.close();
          file.close();
          busy(err, b.message());
          yield Optional.empty();
        }
      };
    } catch (RuntimeException e) {
      engine.close();
      file.close();
      err.println("error: cannot take the swarm-wide run lock: " + e.getMessage());
      err.flush();
      throw new Session.Exit(1, "swarm lock failed");
    }
  }

  /**
   * With {@code SWARM_MODE} on a manager, the swarm-wide lock of our backup host ({@link
   * SwarmLock}): one run at a time across every manager's stack-back. Empty without {@code
   * SWARM_MODE}, and on an engine that is no swarm manager (discovery then fails the run naming
   * {@code SWARM_MODE}).
   */
  private static Optional<SwarmLock.Result> swarmLock(Session s, LockHolder me) {
    if (!s.config.swarmMode()) {
      return Optional.empty();
    }
    Optional<SwarmLocks> swarm = s.runtime.swarmLocks();
    Optional<SwarmNode> node = swarm.flatMap(SwarmLocks::localNode);
    if (node.isEmpty() || !node.get().manager()) {
      return Optional.empty();
    }
    String hostname =
        swarm.get().nodes().stream()
            .filter(n -> n.id().equals(node.get().id()))
            .map(SwarmLocks.SwarmNodeStatus::hostname)
            .findFirst()
            .orElse("");
    // the swarm task of the container we run in: while it runs, other managers count us alive
    Optional<ContainerInfo> ours =
        me.container().equals(s.self.id())
            ? Optional.of(s.self)
            : Optional.of(me.container()).filter(c -> !c.isEmpty()).flatMap(s.runtime::inspect);
    String task = ours.map(c -> c.labels().getOrDefault(SWARM_TASK_LABEL, "")).orElse("");
    return Optional.of(
        SwarmLock.acquire(
            swarm.get(), s.runtime, new SwarmLockHolder(me, node.get().id(), hostname, task)));
  }

  /** The label the engine gives a swarm task's container: its task id. */
  private static final String SWARM_TASK_LABEL = "com.docker.swarm.task.id";

  /** Who we are, for the engine lock's labels. */
  private static LockHolder holder(Session s, String trigger) {
    // with STACK_BACK_CONTAINER we may run on a host (or in another container): ask
    String own =
        s.config.stackBackContainer().isPresent()
            ? s.runtime.findOwnContainerId().orElse("")
            : s.self.id();
    String name = own.isEmpty() || own.equals(s.self.id()) ? s.self.name() : own;
    return new LockHolder(
        s.host(),
        ProcessIdentity.current(),
        own,
        name,
        s.config.stateDir().toAbsolutePath().toString(),
        trigger,
        Instant.now());
  }

  /** An image the engine surely has: the one our own container was created from. */
  private static String image(ContainerInfo self) {
    return self.imageId() == null || self.imageId().isEmpty() ? self.image() : self.imageId();
  }

  /**
   * Runs {@code body} (a backup or a restore) on a new engine; the caller holds the lock. Repairs
   * interrupted runs first, prints the summary and notifies; the exit code of SPEC 7.
   */
  int runLocked(
      Session s, Plan plan, Function<RunEngine, RunReport> body, PrintWriter out, PrintWriter err) {
    recover(s.runtime, s.config, plan.host());
    Restic restic = app.restic(s.config);
    sweepDeadWorkerLocks(s, restic, plan.host());
    return execute(s, restic, restic::ensureRepository, body, out, err);
  }

  private int execute(
      Session s,
      Restic restic,
      Supplier<Restic.RepositoryState> repositoryCheck,
      Function<RunEngine, RunReport> body,
      PrintWriter out,
      PrintWriter err) {
    RunStore store = new RunStore(s.config.stateDir());
    RunEngine engine =
        new RunEngine(
            s.runtime,
            restic,
            app.shell(),
            store,
            settings(s.config),
            app.clock(),
            repositoryCheck);
    current.set(engine);
    if (cancelled) {
      engine.cancel();
    }
    try {
      RunReport report =
          RunAnomalies.annotate(store, body.apply(engine), s.config.anomalyThresholds());
      try {
        summary(out, report);
      } finally {
        notifyEnded(s.config, report.record());
        pinger.ended(report.record());
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
   * Repairs runs a crash left {@code running} and removes orphan workers of {@code host}, notifying
   * about each closed run; the caller holds the run lock and the engine lock of {@code host}.
   */
  void recover(ContainerRuntime runtime, Config config, String host) {
    List<RunRecord> closed =
        new Recovery(runtime, new RunStore(config.stateDir()), settings(config), app.clock())
            .repair(host);
    closed.forEach(r -> notifyEnded(config, r));
  }

  /**
   * Lets {@code restic} remove the locks of dead worker containers of {@code host} when it finds
   * the repository locked ({@link DeadWorkerLocks}). The caller holds the run lock and the engine
   * lock of {@code host}, so no other run of this host can start a worker; {@link DeadWorkerLocks}
   * still does nothing while a worker of the host exists with processes (an orphan of a killed run,
   * or this run's own worker).
   */
  static void sweepDeadWorkerLocks(Session s, Restic restic, String host) {
    restic.sweepLocksWith(
        new DeadWorkerLocks(s.runtime, restic, s.self, host, s.config.resticEnv()));
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
        Duration.ofSeconds(1),
        config.healthTimeout(),
        config.backupConcurrency(),
        config.swarmMode());
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
    for (var a : r.anomalies()) {
      out.println("  anomaly: " + a.message());
    }
    out.flush();
  }
}
