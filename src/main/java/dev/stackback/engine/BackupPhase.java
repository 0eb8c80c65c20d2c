package dev.stackback.engine;

import dev.stackback.engine.RunEngine.Outcome;
import dev.stackback.plan.BackupStep;
import dev.stackback.plan.ContainerRef;
import dev.stackback.plan.DatabaseDump;
import dev.stackback.plan.Plan;
import dev.stackback.plan.Target;
import dev.stackback.plan.VolumeSnapshot;
import dev.stackback.port.BackupSummary;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.MountInfo;
import dev.stackback.port.OutputLine;
import dev.stackback.port.Restic;
import dev.stackback.port.ResticException;
import dev.stackback.port.WorkerSpec;
import dev.stackback.port.WorkerSpec.WorkerMount;
import dev.stackback.util.Durations;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stop + back up + start part of a run. After the first failure (or a cancel) no further
 * snapshot, dump or stop starts, but every container this phase stopped is started again.
 */
final class BackupPhase {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.backup");
  private static final int TAIL = 50;

  /** Label on worker containers: the service they back up. */
  static final String WORKER_SERVICE_LABEL = "stack-back.worker.service";

  /** Label on worker containers: the restic host of the run that made them. */
  static final String WORKER_HOST_LABEL = "stack-back.worker.host";

  private final ContainerRuntime runtime;
  private final Restic restic;
  private final Recorder rec;
  private final EngineSettings settings;
  private final Plan plan;
  private final AtomicBoolean cancelled;
  // ids this phase tried to start: a failed start is reported once, not tried again at the end
  private final Set<String> startAttempted = new HashSet<>();

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
  }

  void run(List<BackupStep> steps, Outcome out) {
    try {
      for (BackupStep step : steps) {
        boolean skip = out.failed || cancelled.get();
        switch (step) {
          case BackupStep.Start s -> start(s.target(), out);
          case BackupStep.Stop s -> {
            if (skip) {
              skipped("stop", s.target());
            } else {
              stop(s.target(), out);
            }
          }
          case BackupStep.Snapshot s -> {
            if (skip) {
              skipped("snapshot", s.target());
            } else {
              snapshot(s.target(), out);
            }
          }
          case BackupStep.Dump d -> {
            if (skip) {
              skipped("dump", d.target());
            } else {
              dump(d.target(), out);
            }
          }
        }
      }
    } finally {
      restartLeftovers(out);
    }
  }

  private void skipped(String kind, Target t) {
    rec.simple(
        kind,
        kind + " " + t.name(),
        null,
        t.name(),
        "skipped",
        rec.now(),
        cancelled.get() ? "the run was interrupted" : "an earlier step failed");
  }

  // --- stop / start ---

  /** Stops every container of {@code t}; each is recorded as stopped before its stop call. */
  void stop(Target t, Outcome out) {
    Instant started = rec.now();
    for (ContainerRef c : t.service().refs()) {
      try {
        // recorded before the call: a crash mid-stop must still restart it
        rec.stopped(c.id());
        runtime.stop(c.id(), settings.stopTimeout());
      } catch (RuntimeException e) {
        rec.simple("stop", "stop " + c.name(), null, t.name(), "failed", started, e.getMessage());
        out.fail("could not stop " + c.name() + ": " + e.getMessage());
        return;
      }
    }
    rec.simple(
        "stop",
        "stop " + t.name(),
        null,
        t.name(),
        "ok",
        started,
        RunEngine.names(t.service().refs()));
  }

  /** Starts the containers of {@code t} that this run stopped. */
  void start(Target t, Outcome out) {
    List<String> stopped = rec.stillStopped();
    for (ContainerRef c : t.service().refs()) {
      if (stopped.contains(c.id())) {
        startOne(c, t.name(), out);
      }
    }
  }

  /** Starts one container; its step is named after the service, like the stop step. */
  private void startOne(ContainerRef c, String service, Outcome out) {
    String stepName = "start " + (service != null ? service : c.name());
    startAttempted.add(c.id());
    Instant started = rec.now();
    try {
      runtime.start(c.id(), settings.startTimeout());
      rec.started(c.id());
      rec.simple("start", stepName, null, service, "ok", started, c.name());
    } catch (RuntimeException e) {
      rec.simple("start", stepName, null, service, "failed", started, e.getMessage());
      out.fail("could not start " + c.name() + " again: " + e.getMessage());
      out.restartFailed = true;
    }
  }

  /** Whatever is still stopped and was never started (an exception mid-phase) is started now. */
  void restartLeftovers(Outcome out) {
    Deque<String> left = new ArrayDeque<>(rec.stillStopped());
    left.removeAll(startAttempted);
    for (String id : left) {
      String name =
          plan.targets().stream()
              .flatMap(t -> t.service().refs().stream())
              .filter(r -> r.id().equals(id))
              .map(ContainerRef::name)
              .findFirst()
              .orElse(id);
      startOne(new ContainerRef(id, name), null, out);
    }
  }

  // --- volume snapshot ---

  private void snapshot(Target t, Outcome out) {
    Instant started = rec.now();
    List<String> paths = t.volumes().stream().map(VolumeSnapshot::snapshotPath).toList();
    WorkerSpec spec =
        new WorkerSpec(
            plan.self().primary().exactImage(),
            restic.backupCommand(plan.host(), t.tags(), paths),
            settings.workerEnv(),
            workerMounts(plan, t.volumes(), true),
            Map.of(WORKER_SERVICE_LABEL, t.name(), WORKER_HOST_LABEL, plan.host()),
            settings.backupTimeout());
    Deque<String> stdout = new ArrayDeque<>();
    OutputLine log =
        (stream, line) -> {
          if (stream == OutputLine.Stream.STDOUT) {
            synchronized (stdout) {
              stdout.addLast(line);
              if (stdout.size() > TAIL) {
                stdout.removeFirst();
              }
            }
            if (line.contains("\"message_type\":\"status\"")) {
              LOG.debug("[snapshot {}] {}", t.name(), line);
              return;
            }
          }
          LOG.info("[snapshot {}] {}", t.name(), line);
        };
    try {
      ExecResult r = runtime.runWorker(spec, log);
      if (r.timedOut()) {
        throw new ResticException(
            ResticException.Kind.TIMEOUT,
            -1,
            "timed out after " + Durations.format(settings.backupTimeout()));
      }
      List<String> tail;
      synchronized (stdout) {
        tail = new ArrayList<>(stdout);
      }
      tail.addAll(r.tail()); // stderr too, for the error message
      BackupSummary s = restic.parseBackupOutput(tail, r.exitCode());
      recordSummary("snapshot", t, started, s, r.tail(), out);
    } catch (RuntimeException e) {
      rec.simple(
          "snapshot", "snapshot " + t.name(), null, t.name(), "failed", started, e.getMessage());
      out.fail("snapshot of " + t.name() + " failed: " + e.getMessage());
    }
  }

  /**
   * A worker's mounts: the stack-back container's (not the Docker socket, so a local repository
   * path is the same inside) and {@code volumes} at their snapshot paths.
   */
  static List<WorkerMount> workerMounts(
      Plan plan, List<VolumeSnapshot> volumes, boolean volumesReadOnly) {
    List<WorkerMount> mounts = new ArrayList<>();
    ContainerInfo self = plan.self().primary();
    for (MountInfo m : self.mounts()) {
      if (m.isDockerSocket()) {
        continue;
      }
      mounts.add(toWorker(m, m.destination(), m.readOnly()));
    }
    for (VolumeSnapshot v : volumes) {
      mounts.add(toWorker(v.mount(), v.snapshotPath(), volumesReadOnly));
    }
    return mounts;
  }

  private static WorkerMount toWorker(MountInfo m, String destination, boolean readOnly) {
    boolean volume = m.type() == MountInfo.Type.VOLUME && m.name() != null && !m.name().isEmpty();
    return new WorkerMount(
        volume ? MountInfo.Type.VOLUME : MountInfo.Type.BIND,
        volume ? m.name() : m.source(),
        destination,
        readOnly);
  }

  // --- database dump ---

  private void dump(Target t, Outcome out) {
    DatabaseDump d = t.dump().orElseThrow();
    Instant started = rec.now();
    ContainerRef c = t.service().refs().get(0);
    ExecRequest request =
        new ExecRequest(c.id(), DumpCommands.command(d), null, Map.of(), settings.backupTimeout());
    ExecResult[] dumpResult = new ExecResult[1];
    OutputLine log = (stream, line) -> LOG.info("[dump {}] {}", t.name(), line);
    try {
      BackupSummary s =
          restic.backupStdin(
              d.snapshotPath(),
              plan.host(),
              t.tags(),
              stdin -> {
                dumpResult[0] = runtime.execStreaming(request, stdin, log);
                return dumpResult[0].succeeded();
              },
              log,
              settings.backupTimeout());
      recordSummary("dump", t, started, s, List.of(), out);
    } catch (RuntimeException e) {
      String why =
          dumpResult[0] != null && !dumpResult[0].succeeded()
              ? d.kind().labelSuffix()
                  + " dump "
                  + HookRunner.describe(dumpResult[0])
                  + lastLine(dumpResult[0].tail())
                  + "; no snapshot was made"
              : e.getMessage();
      ExecResult dumped = dumpResult[0];
      rec.finished(
          "dump",
          "dump " + t.name(),
          null,
          t.name(),
          "failed",
          started,
          dumped == null || dumped.exitCode() < 0 ? null : dumped.exitCode(),
          1,
          why,
          dumped == null ? List.of() : dumped.tail());
      out.fail("dump of " + t.name() + " failed: " + why);
    }
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
      String kind, Target t, Instant started, BackupSummary s, List<String> tail, Outcome out) {
    String msg =
        "snapshot "
            + s.snapshotId()
            + ", "
            + s.filesNew()
            + " new / "
            + s.filesChanged()
            + " changed files, "
            + s.dataAdded()
            + " bytes added";
    rec.finished(
        kind,
        kind + " " + t.name(),
        null,
        t.name(),
        s.incomplete() ? "incomplete" : "ok",
        started,
        s.incomplete() ? 3 : 0,
        1,
        msg,
        tail,
        s.dataAdded());
    if (s.incomplete()) {
      out.incomplete = true;
    }
  }
}
