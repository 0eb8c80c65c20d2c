package dev.stackback.engine;

import dev.stackback.engine.RunEngine.Outcome;
import dev.stackback.plan.BackupStep;
import dev.stackback.plan.BackupSteps;
import dev.stackback.plan.ContainerRef;
import dev.stackback.plan.DatabaseDump;
import dev.stackback.plan.Plan;
import dev.stackback.plan.Target;
import dev.stackback.plan.VolumeSnapshot;
import dev.stackback.port.BackupProgress;
import dev.stackback.port.BackupSummary;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine;
import dev.stackback.port.Restic;
import dev.stackback.port.ResticException;
import dev.stackback.port.WorkerSpec.WorkerMount;
import dev.stackback.util.Bytes;
import dev.stackback.util.Durations;
import dev.stackback.util.OutputTail;
import dev.stackback.util.Uninterruptibly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stop + back up + start part of a run. Volume snapshots run as execs in one worker container
 * per run ({@link SnapshotWorker}). A failure of the repository (see {@link RepositoryFault}) or a
 * cancel stops the phase: no further snapshot, dump or stop starts. A failure of one service's own
 * data (a failed dump, a snapshot error that is not about the repository, a failed stop) fails the
 * run but the other services are still backed up. Every container this phase stopped is started
 * again, and confirmed to have stayed up ({@link StopStart}).
 */
final class BackupPhase {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.backup");
  private static final int TAIL = 50;

  /** Label on worker containers: the service a restore worker writes to. */
  static final String WORKER_SERVICE_LABEL = "stack-back.worker.service";

  /** Label on worker containers: the restic host of the run that made them. */
  static final String WORKER_HOST_LABEL = "stack-back.worker.host";

  private final ContainerRuntime runtime;
  private final Restic restic;
  private final Recorder rec;
  private final EngineSettings settings;
  private final Plan plan;
  private final AtomicBoolean cancelled;
  private final SnapshotWorker worker;
  private final StopStart containers;
  // why the rest of the phase is skipped (a repository or worker fault), or null; written by the
  // threads of a concurrent wave
  private volatile String repositoryFailed;
  private boolean startInBackground = true;
  // the snapshot of the target (by name) started with its stop, behind a gate (sequential phases)
  private final Map<String, Early> early = new HashMap<>();
  private Set<String> gated = Set.of();
  // the last gated snapshot's time from its exec to the gate, and the last stop's time (-1: none)
  private long lastToGateNanos = -1;
  private long lastStopNanos = -1;

  // where the last run's timings are kept for the next run's first gated stop (null: nowhere)
  private Path gateTimings;

  /** Begin the stop this much before restic should reach the gate, for timing errors. */
  private static final long STOP_LEAD_MARGIN_NANOS = 30_000_000L;

  /** A snapshot started ahead, at its target's stop: restic's run, its output, its start time. */
  private record Early(SnapshotWorker.Ahead run, SnapshotOutput output, Instant begun) {}

  BackupPhase(
      ContainerRuntime runtime,
      Restic restic,
      Recorder rec,
      EngineSettings settings,
      Plan plan,
      AtomicBoolean cancelled) {
    this.runtime = runtime;
    this.restic = restic;
    this.rec = rec;
    this.settings = settings;
    this.plan = plan;
    this.cancelled = cancelled;
    this.worker = new SnapshotWorker(runtime, restic, settings, plan);
    this.containers = new StopStart(runtime, rec, settings, plan, true);
  }

  /** Stops a snapshot in progress the safe way (restic gets SIGINT); safe from any thread. */
  void interrupt() {
    worker.interrupt();
  }

  /**
   * Starts the run's worker in the background (see {@link SnapshotWorker#prestart}); {@link #run}
   * or {@link #discard} removes it.
   */
  void prestart(Executor executor) {
    worker.prestart(executor);
  }

  /** Removes a worker {@link #prestart} made when the phase does not run (pre hook failed). */
  void discard() {
    worker.remove();
  }

  /**
   * Runs the starts of a sequential, unordered, non-swarm phase on a thread of their own (in order,
   * one at a time), so that a service's start overlaps the next service's stop and snapshot; the
   * phase waits for every start before it confirms them. Off: each start in line, as the plan lists
   * it (tests that compare journals).
   */
  void startInBackground(boolean on) {
    this.startInBackground = on;
  }

  void run(List<BackupStep> steps, Outcome out) {
    try {
      int n = plan.ordered() ? 1 : settings.concurrency();
      gated = n <= 1 && !settings.swarmMode() ? gateable(steps) : Set.of();
      if (n <= 1 && startInBackground && !plan.ordered() && !settings.swarmMode()) {
        sequentialWithBackgroundStarts(steps, out);
      } else if (n <= 1) {
        steps.forEach(step -> step(step, out));
      } else {
        BackupSteps.waves(steps).forEach(wave -> wave(wave, n, out));
      }
    } finally {
      // a snapshot started ahead whose step never came (an exception): restic must not read
      early.values().forEach(e -> e.run().abort());
      early.clear();
      saveGateTimings();
      containers.restartLeftovers(out);
      worker.remove(); // in the time confirmRestarts waits for anyway
      containers.confirmRestarts(out);
    }
  }

  /**
   * Keeps the gate's timings in {@code file} (the state directory): the first gated stop of the
   * next run is timed from this run's last snapshot and stop, as later ones are within a run.
   */
  void gateTimingsIn(Path file) {
    this.gateTimings = file;
    try {
      String[] t = Files.readString(file).strip().split(" ");
      if (t.length == 2) {
        lastToGateNanos = Long.parseLong(t[0]) * 1_000_000L;
        lastStopNanos = Long.parseLong(t[1]) * 1_000_000L;
      }
    } catch (NoSuchFileException e) {
      // the first run: its first gated stop waits for restic
    } catch (IOException | NumberFormatException e) {
      LOG.debug("ignoring the gate timings in {}: {}", file, e.toString());
    }
  }

  private void saveGateTimings() {
    if (gateTimings == null || lastToGateNanos < 0 || lastStopNanos < 0) {
      return;
    }
    try {
      Files.writeString(
          gateTimings, lastToGateNanos / 1_000_000L + " " + lastStopNanos / 1_000_000L + "\n");
    } catch (IOException e) {
      LOG.debug("could not keep the gate timings in {}: {}", gateTimings, e.toString());
    }
  }

  /**
   * How long a gated snapshot waits for its restic to reach the gate before its container is
   * stopped: with no timings yet, until it does (the container is down only for the scan and
   * upload); else, from the last snapshot and stop (this run's, or the last run's: {@link
   * #gateTimingsIn}), so that the stop ends about when restic gets to the gate (the stop's time is
   * not added to the run's).
   */
  private long stopLead() {
    if (lastToGateNanos < 0 || lastStopNanos < 0) {
      return Long.MAX_VALUE / 2;
    }
    return Math.max(0, lastToGateNanos - lastStopNanos - STOP_LEAD_MARGIN_NANOS);
  }

  /**
   * The targets whose stop is directly followed by their volume snapshot: their restic starts with
   * the stop, behind a {@link SnapshotGate}, and reads once the stop is done. Not where stops are
   * grouped (STOP_SCOPE=run: one restic at a time) or in a swarm (a worker may be on another node).
   */
  static Set<String> gateable(List<BackupStep> steps) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i + 1 < steps.size(); i++) {
      if (steps.get(i) instanceof BackupStep.Stop stop
          && steps.get(i + 1) instanceof BackupStep.Snapshot snap
          && stop.target().name().equals(snap.target().name())
          && !stop.target().volumes().isEmpty()) {
        names.add(stop.target().name());
      }
    }
    return names;
  }

  /**
   * The steps in order, but a {@link BackupStep.Start} is handed to one starter thread, which runs
   * the starts in the order they come; returns when every start has ended. A container is still
   * stopped only around its own snapshot: its start is issued as soon as the snapshot ends, the
   * next service's stop no longer waits for the engine to answer it.
   */
  private void sequentialWithBackgroundStarts(List<BackupStep> steps, Outcome out) {
    ExecutorService starter =
        Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("stack-back-start").unstarted(r));
    try {
      List<Future<?>> starts = new ArrayList<>();
      for (BackupStep step : steps) {
        if (step instanceof BackupStep.Start) {
          // listed in the record where the plan has it, whenever it ends
          long place = rec.reserve();
          starts.add(starter.submit(() -> rec.inPlace(place, () -> contained(step, out))));
        } else {
          step(step, out);
        }
      }
      awaitAll(starts);
    } finally {
      starter.shutdown();
    }
  }

  /**
   * Waits until every one of {@code futures} has ended; an interrupt (a cancel) does not cut the
   * wait short, it is kept for the caller.
   */
  private static void awaitAll(List<Future<?>> futures) {
    for (Future<?> f : futures) {
      try {
        Uninterruptibly.get(f);
      } catch (ExecutionException e) {
        // contained() catches what a step throws
      }
    }
  }

  /**
   * One wave of {@link BackupSteps#waves}: its units (a target's dump and snapshot) up to {@code n}
   * at a time, each unit's steps in order; returns when every unit has ended. A stop or a start is
   * always a wave of one unit, run on this thread.
   */
  private void wave(List<List<BackupStep>> units, int n, Outcome out) {
    if (units.size() == 1) {
      units.get(0).forEach(step -> step(step, out));
      return;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(n, units.size()),
            r -> {
              Thread t = new Thread(r, "stack-back-snapshot");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<?>> running = new ArrayList<>();
      for (List<BackupStep> unit : units) {
        running.add(pool.submit(() -> unit.forEach(step -> contained(step, out))));
      }
      // a cancel reaches the snapshots through interrupt(); wait for them
      awaitAll(running);
    } finally {
      pool.shutdown();
    }
  }

  /** A step on a pool or starter thread: whatever it throws fails the run, never the phase. */
  private void contained(BackupStep step, Outcome out) {
    try {
      step(step, out);
    } catch (RuntimeException e) {
      LOG.error(
          "{} of {} failed unexpectedly", step.getClass().getSimpleName(), step.target().name(), e);
      out.fail("stack-back failed unexpectedly: " + HookRunner.describe(e));
    }
  }

  private void step(BackupStep step, Outcome out) {
    Target t = step.target();
    switch (step) {
      case BackupStep.Start s -> containers.start(t, out);
      case BackupStep.Stop s -> {
        String skip = skipReason(t, false);
        if (skip == null && !t.volumes().isEmpty()) {
          // the worker first: without one there is nothing to stop for
          try {
            worker.ensureStarted(t);
          } catch (RuntimeException e) {
            skip = "no worker container to read its volumes: " + e.getMessage();
          }
        }
        if (skip != null) {
          skipped("stop", t, skip);
        } else if (gated.contains(t.name())) {
          stopBehindGate(t, out);
        } else {
          containers.stop(t, out);
        }
      }
      case BackupStep.Snapshot s -> {
        Early e = early.remove(t.name());
        String skip = skipReason(t, true);
        if (skip != null) {
          if (e != null) {
            e.run().abort();
          }
          skipped("snapshot", t, skip);
        } else {
          snapshot(t, out, e);
        }
      }
      case BackupStep.Dump d -> {
        String skip = skipReason(t, false);
        if (skip != null) {
          skipped("dump", t, skip);
        } else {
          dump(t, out);
        }
      }
    }
  }

  /**
   * The stop of a gated target: its restic starts first, behind the gate ({@link
   * SnapshotWorker#backupAhead}, taken up by its snapshot step); the service keeps running while
   * restic starts, derives its key and takes its lock, and is stopped so that the stop ends about
   * when restic gets to the gate ({@link #stopLead}). Not stopped at all when the run was cancelled
   * or restic ended before the gate; a failed stop aborts restic.
   */
  private void stopBehindGate(Target t, Outcome out) {
    SnapshotOutput o = new SnapshotOutput(t);
    Instant begun = rec.now();
    SnapshotWorker.Ahead ahead = worker.backupAhead(t, tags(t), o.log);
    early.put(t.name(), new Early(ahead, o, begun));
    boolean atGate = ahead.awaitReached(stopLead());
    if (cancelled.get()) {
      early.remove(t.name());
      ahead.abort();
      skipped("stop", t, "the run was interrupted");
      return;
    }
    if (!atGate && ahead.ended()) {
      // e.g. a wrong password, a locked repository: no downtime for a snapshot that failed
      skipped("stop", t, "restic ended before it read anything (see the snapshot step)");
      return;
    }
    long stopBegun = System.nanoTime();
    if (containers.stop(t, out)) {
      lastStopNanos = System.nanoTime() - stopBegun;
    } else {
      early.remove(t.name());
      ahead.abort();
    }
  }

  /** Why a stop, dump or snapshot ({@code snapshot}) of {@code t} is skipped, or null. */
  private String skipReason(Target t, boolean snapshot) {
    if (cancelled.get()) {
      return "the run was interrupted";
    }
    if (repositoryFailed != null) {
      return repositoryFailed;
    }
    if (snapshot && containers.stopFailed(t)) {
      return "stopping " + t.name() + " failed";
    }
    return null;
  }

  private void skipped(String kind, Target t, String why) {
    rec.simple(kind, kind + " " + t.name(), null, t.name(), "skipped", rec.now(), why);
  }

  // --- volume snapshot ---

  /** restic's output of one snapshot: progress to the log, a tail for the record and errors. */
  private final class SnapshotOutput {
    private final Deque<String> stdout = new ArrayDeque<>();
    // restic's output but its progress lines: for the record and for error messages
    private final OutputTail kept = new OutputTail();
    private final OutputLine log;

    SnapshotOutput(Target t) {
      ProgressLog progress = new ProgressLog(LOG, "snapshot " + t.name());
      log =
          (stream, line) -> {
            if (stream == OutputLine.Stream.STDOUT && progressLine(line, progress)) {
              return;
            }
            kept.add(line);
            if (stream == OutputLine.Stream.STDOUT) {
              synchronized (stdout) {
                stdout.addLast(line);
                if (stdout.size() > TAIL) {
                  stdout.removeFirst();
                }
              }
              if (line.contains("\"message_type\":\"summary\"")) {
                LOG.debug("[snapshot {}] {}", t.name(), line); // the step's own line says it
                return;
              }
            }
            LOG.info("[snapshot {}] {}", t.name(), line);
          };
    }

    /** The last stdout lines, then all kept lines (stderr too, for the error message). */
    List<String> tail() {
      List<String> tail;
      synchronized (stdout) {
        tail = new ArrayList<>(stdout);
      }
      tail.addAll(kept.snapshot());
      return tail;
    }
  }

  /**
   * The volume snapshot of {@code t}: the one started at its stop ({@code ahead}, opened now), or a
   * restic exec started here.
   */
  private void snapshot(Target t, Outcome out, Early ahead) {
    Instant begun = ahead != null ? ahead.begun() : rec.now();
    SnapshotOutput o = ahead != null ? ahead.output() : new SnapshotOutput(t);
    try {
      ExecResult r = ahead != null ? ahead.run().openAndAwait() : worker.backup(t, tags(t), o.log);
      if (ahead != null && ahead.run().nanosToGate() > 0) {
        // known once restic is past the gate, also when the stop began before it got there
        lastToGateNanos = ahead.run().nanosToGate();
      }
      if (r.timedOut()) {
        throw new ResticException(
            ResticException.Kind.TIMEOUT,
            -1,
            "timed out after " + Durations.format(settings.backupTimeout()));
      }
      BackupSummary s = restic.parseBackupOutput(o.tail(), r.exitCode());
      recordSummary("snapshot", t, begun, s, o.kept.snapshot(), out);
    } catch (RuntimeException e) {
      String why =
          cancelled.get()
              ? "the run was interrupted: restic was stopped with SIGINT"
              : e.getMessage();
      rec.simple("snapshot", "snapshot " + t.name(), null, t.name(), "failed", begun, why);
      out.fail("snapshot of " + t.name() + " failed: " + why);
      if (e instanceof ContainerRuntimeException && !cancelled.get() && repositoryFailed == null) {
        // the exec into the run's one worker could not run (engine gone, worker died): every
        // later snapshot would go through the same worker and engine
        repositoryFailed = "the worker container failed: " + e.getMessage();
        LOG.error("the worker failed; skipping the remaining snapshots and dumps");
      }
      repositoryFault(e);
    }
  }

  /** {@code t}'s tags and the run's: every snapshot of this run is one restore point. */
  private List<String> tags(Target t) {
    List<String> tags = new ArrayList<>(t.tags());
    tags.add(RestorePoint.tag(rec.record().id()));
    return tags;
  }

  /** Stops the phase when {@code e} is about the repository, not the service's data. */
  private void repositoryFault(RuntimeException e) {
    if (repositoryFailed == null && RepositoryFault.is(e)) {
      repositoryFailed = "the repository failed: " + e.getMessage();
      LOG.error("the repository failed; skipping the remaining snapshots and dumps");
    }
  }

  /** The mounts of a worker with {@code volumes} at their snapshot paths. */
  static List<WorkerMount> workerMounts(
      Plan plan, List<VolumeSnapshot> volumes, boolean volumesReadOnly) {
    return SnapshotWorker.mounts(plan, volumes, volumesReadOnly);
  }

  // --- database dump ---

  private void dump(Target t, Outcome out) {
    DatabaseDump d = t.dump().orElseThrow();
    Instant begun = rec.now();
    ContainerRef c = t.service().refs().get(0);
    ExecRequest request =
        new ExecRequest(c.id(), DumpCommands.command(d), null, Map.of(), settings.backupTimeout());
    ExecResult[] dumpResult = new ExecResult[1];
    ProgressLog progress = new ProgressLog(LOG, "dump " + t.name());
    OutputLine log =
        (stream, line) -> {
          if (stream == OutputLine.Stream.STDOUT && progressLine(line, progress)) {
            return;
          }
          if (line.contains("\"message_type\":\"summary\"")) {
            LOG.debug("[dump {}] {}", t.name(), line); // the step's own line says it
            return;
          }
          LOG.info("[dump {}] {}", t.name(), line);
        };
    try {
      BackupSummary s =
          restic.backupStdin(
              d.snapshotPath(),
              plan.host(),
              tags(t),
              stdin -> {
                dumpResult[0] = runtime.execStreaming(request, stdin, log);
                return dumpResult[0].succeeded();
              },
              log,
              settings.backupTimeout());
      recordSummary("dump", t, begun, s, List.of(), out);
    } catch (RuntimeException e) {
      ExecResult dumped = dumpResult[0];
      boolean dumpFailed = dumped != null && !dumped.succeeded();
      String why =
          dumpFailed
              ? d.kind().labelSuffix()
                  + " dump "
                  + HookRunner.describe(dumped)
                  + lastLine(dumped.tail())
                  + "; no snapshot was made"
              : e.getMessage();
      rec.finished(
          "dump",
          "dump " + t.name(),
          null,
          t.name(),
          "failed",
          begun,
          dumped == null || dumped.exitCode() < 0 ? null : dumped.exitCode(),
          1,
          why,
          dumped == null ? List.of() : dumped.tail());
      out.fail("dump of " + t.name() + " failed: " + why);
      if (!dumpFailed) {
        repositoryFault(e);
      }
    }
  }

  /**
   * True when {@code line} is one of restic's progress lines: it goes to {@code progress} (which
   * throttles it), never into a tail or the record. A status line the adapter cannot read is
   * dropped too (at DEBUG).
   */
  private boolean progressLine(String line, ProgressLog progress) {
    Optional<BackupProgress> p = restic.progress(line);
    if (p.isPresent()) {
      progress.update(p.get());
      return true;
    }
    if (line.contains("\"message_type\":\"status\"")) {
      LOG.debug("{}", line);
      return true;
    }
    return false;
  }

  /** " (<the last line the dump printed>)", so the run's message says why, or "". */
  private static String lastLine(List<String> tail) {
    for (int i = tail.size() - 1; i >= 0; i--) {
      if (!tail.get(i).isBlank()) {
        return " (" + tail.get(i).strip() + ")";
      }
    }
    return "";
  }

  private void recordSummary(
      String kind, Target t, Instant begun, BackupSummary s, List<String> tail, Outcome out) {
    String msg =
        "snapshot "
            + s.shortId()
            + ", "
            + s.filesNew()
            + " new / "
            + s.filesChanged()
            + " changed files, "
            + Bytes.format(s.dataAdded())
            + " added of "
            + Bytes.format(s.totalBytesProcessed())
            + " read";
    rec.finished(
        kind,
        kind + " " + t.name(),
        null,
        t.name(),
        s.incomplete() ? "incomplete" : "ok",
        begun,
        s.incomplete() ? 3 : 0,
        1,
        msg,
        tail,
        s.dataAdded(),
        s.totalBytesProcessed());
    if (s.incomplete()) {
      out.incomplete = true;
    }
  }
}
