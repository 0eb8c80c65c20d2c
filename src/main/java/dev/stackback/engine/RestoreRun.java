package dev.stackback.engine;

import dev.stackback.engine.HookRunner.StageResult;
import dev.stackback.engine.RunEngine.Outcome;
import dev.stackback.label.HookSpec.Stage;
import dev.stackback.plan.HookStep;
import dev.stackback.plan.Plan;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine;
import dev.stackback.port.Restic;
import dev.stackback.port.WorkerSpec;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-place restore of one service, with the same try/catch/finally as a backup: the service's
 * own pre hooks, stop every container of the service, a worker container (stack-back's image,
 * environment and mounts, the service's volumes read-write at their snapshot paths) running {@code
 * restic restore <id> --target / --include <path>...}, start every container it stopped (also on
 * failure), then post hooks on success or error hooks on failure, and finally hooks always.
 *
 * <p>Only hooks declared on the service's own container run: the stack-back container's hooks and
 * other services' hooks are about backups of the whole stack. With restic ≥ 0.17 the restore has
 * {@code --delete}: the volumes end up equal to the snapshot; an older restic never deletes files
 * that are absent from the snapshot, so files created after it stay in the volumes.
 */
final class RestoreRun {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.restore");

  private final ContainerRuntime runtime;
  private final Restic restic;
  private final Recorder rec;
  private final HookRunner hooks;
  private final EngineSettings settings;
  private final Plan plan;
  private final AtomicBoolean cancelled;

  RestoreRun(
      ContainerRuntime runtime,
      Restic restic,
      Recorder rec,
      HookRunner hooks,
      EngineSettings settings,
      Plan plan,
      AtomicBoolean cancelled) {
    this.runtime = runtime;
    this.restic = restic;
    this.rec = rec;
    this.hooks = hooks;
    this.settings = settings;
    this.plan = plan;
    this.cancelled = cancelled;
  }

  Outcome execute(InPlaceRestore restore) {
    Outcome out = new Outcome();
    String service = restore.service();
    LOG.info(
        "restore run {} started: snapshot {} into the volumes of '{}' ({})",
        rec.record().id(),
        restore.snapshot().shortId(),
        service,
        String.join(", ", restore.includes()));
    try {
      preRestorePost(restore, out);
    } catch (RuntimeException e) {
      // stopRestoreStart started what it stopped in its finally; error and finally hooks follow
      LOG.error("restore run {} failed unexpectedly", rec.record().id(), e);
      out.fail("stack-back failed unexpectedly: " + HookRunner.describe(e));
    }
    if (cancelled.get()) {
      out.fail("the run was interrupted");
    }
    RunEngine.closingStages(
        hooks, ownHooks(Stage.ERROR, service), ownHooks(Stage.FINALLY, service), out);
    return out;
  }

  private void preRestorePost(InPlaceRestore restore, Outcome out) {
    String service = restore.service();
    StageResult pre = hooks.runStage(Stage.PRE, ownHooks(Stage.PRE, service));
    if (pre.failures() > 0) {
      out.fail("a pre hook failed");
    }
    if (pre.aborted() || out.failed || cancelled.get()) {
      LOG.warn(
          "skipping stop and restore: {}", cancelled.get() ? "interrupted" : "a pre hook failed");
    } else {
      stopRestoreStart(restore, out);
    }
    if (!out.failed && !cancelled.get()) {
      if (hooks.runStage(Stage.POST, ownHooks(Stage.POST, service)).failures() > 0) {
        out.fail("a post hook failed");
      }
    }
  }

  /** The hooks declared on the service's container, in their order. */
  private List<HookStep> ownHooks(Stage stage, String service) {
    return plan.hooks(stage).stream()
        .filter(h -> !h.fromBackupContainer() && h.from().equals(service))
        .toList();
  }

  private void stopRestoreStart(InPlaceRestore restore, Outcome out) {
    StopStart containers = new StopStart(runtime, rec, settings, plan);
    try {
      containers.stop(restore.target(), out);
      if (!out.failed && !cancelled.get()) {
        restore(restore, out);
      } else {
        rec.simple(
            "restore",
            "restore " + restore.service(),
            null,
            restore.service(),
            "skipped",
            rec.now(),
            cancelled.get() ? "the run was interrupted" : "an earlier step failed");
      }
    } finally {
      containers.start(restore.target(), out);
      containers.restartLeftovers(out);
      containers.confirmRestarts(out);
    }
  }

  private void restore(InPlaceRestore restore, Outcome out) {
    String service = restore.service();
    Instant started = rec.now();
    try {
      restoreWorker(restore, started, out);
    } catch (RuntimeException e) {
      rec.simple("restore", "restore " + service, null, service, "failed", started, e.getMessage());
      out.fail("restore of " + service + " failed: " + e.getMessage());
    }
  }

  private void restoreWorker(InPlaceRestore restore, Instant started, Outcome out) {
    String service = restore.service();
    Map<String, String> labels = new HashMap<>();
    labels.put(BackupPhase.WORKER_SERVICE_LABEL, service);
    labels.put(BackupPhase.WORKER_HOST_LABEL, plan.host());
    // a swarm task on another node: the worker runs there, through that node's agent, and mounts
    // that node's volumes (the runtime routes it by this label)
    String node = restore.target().service().primary().label(SnapshotWorker.SWARM_NODE_ID);
    if (node != null && !node.equals(plan.self().primary().label(SnapshotWorker.SWARM_NODE_ID))) {
      labels.put(SnapshotWorker.NODE_LABEL, node);
    }
    WorkerSpec spec =
        new WorkerSpec(
                plan.self().primary().exactImage(),
                restic.restoreCommand(restore.snapshot().id(), restore.includes()),
                WorkerEnv.of(settings.workerEnv(), plan.self().primary()),
                BackupPhase.workerMounts(plan, restore.volumes(), false),
                labels,
                settings.backupTimeout())
            .withNetworksOf(plan.self().primary().id());
    OutputLine log = (stream, line) -> LOG.info("[restore {}] {}", service, line);
    String what =
        "snapshot "
            + restore.snapshot().shortId()
            + " into "
            + String.join(", ", restore.includes());
    ExecResult r = runtime.runWorker(spec, log);
    String message =
        r.succeeded() ? what : "restic restore " + HookRunner.describe(r) + lastLine(r.tail());
    rec.step("restore", "restore " + service, null, service, started, r, 1, message);
    if (!r.succeeded()) {
      out.fail("restore of " + service + " failed: " + message);
    }
  }

  /** " (<the last non-blank line>)", or "". */
  private static String lastLine(List<String> tail) {
    for (int i = tail.size() - 1; i >= 0; i--) {
      if (!tail.get(i).isBlank()) {
        return " (" + tail.get(i).strip() + ")";
      }
    }
    return "";
  }
}
