package dev.stackback.engine;

import dev.stackback.engine.RunEngine.Outcome;
import dev.stackback.plan.Plan;
import dev.stackback.plan.Target;
import dev.stackback.port.Restic;
import dev.stackback.port.Snapshot;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A restore drill (trigger {@code verify}): for every target in scope, the latest volume snapshot
 * is restored into a scratch directory and compared with the snapshot ({@link VolumeDrill}), and
 * the latest database dump is loaded into a scratch database container made from the database's own
 * image ({@link DumpDrill}). One step per drill, per service; a target with nothing in the
 * repository to verify fails its drill. Nothing of the stack is stopped, started or written to.
 */
final class VerifyRun {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.verify");

  /** The step kind of a drill. */
  static final String KIND = "verify";

  private final Restic restic;
  private final Recorder rec;
  private final Plan plan;
  private final Set<String> services;
  private final AtomicBoolean cancelled;
  private final VolumeDrill volumes;
  private final DumpDrill dumps;

  // guarded by this: the thread running a drill, interrupted on cancel
  private Thread running;

  VerifyRun(
      VolumeDrill volumes,
      DumpDrill dumps,
      Restic restic,
      Recorder rec,
      Plan plan,
      Set<String> services,
      AtomicBoolean cancelled) {
    this.volumes = volumes;
    this.dumps = dumps;
    this.restic = restic;
    this.rec = rec;
    this.plan = plan;
    this.services = Set.copyOf(services);
    this.cancelled = cancelled;
  }

  /** The targets a drill of {@code services} covers (all when empty), in backup order. */
  static List<Target> targets(Plan plan, Set<String> services) {
    return plan.targets().stream()
        .filter(t -> services.isEmpty() || services.contains(t.name()))
        .filter(t -> !t.volumes().isEmpty() || t.dump().isPresent())
        .toList();
  }

  Outcome execute() {
    Outcome out = new Outcome();
    List<Target> targets = targets(plan, services);
    LOG.info(
        "restore drill {} started: {} service(s), host '{}'",
        rec.record().id(),
        targets.size(),
        plan.host());
    if (targets.isEmpty()) {
      out.fail("nothing to verify: no service in scope has volumes or a database dump");
      return out;
    }
    synchronized (this) {
      running = Thread.currentThread();
    }
    try {
      for (Target t : targets) {
        drills(t, out);
      }
    } finally {
      synchronized (this) {
        running = null;
        Thread.interrupted(); // a cancel aimed at a drill must not hit the caller's later calls
      }
    }
    if (cancelled.get()) {
      out.fail("the run was interrupted");
    }
    return out;
  }

  /** Stops the drill in progress (its exec or restic is interrupted) and every later one. */
  synchronized void interrupt() {
    if (running != null) {
      running.interrupt();
    }
  }

  private void drills(Target t, Outcome out) {
    List<Snapshot> snapshots;
    Instant started = rec.now();
    try {
      snapshots = restic.snapshots(plan.host(), t.tags());
    } catch (RuntimeException e) {
      String why = "cannot list the snapshots of " + t.name() + ": " + e.getMessage();
      rec.simple(KIND, "verify " + t.name(), null, t.name(), "failed", started, why);
      out.fail(why);
      return;
    }
    if (!t.volumes().isEmpty()) {
      drill(t, "volumes", out, () -> volumes.run(t, snapshots));
    }
    if (t.dump().isPresent()) {
      drill(t, "dump", out, () -> dumps.run(t, snapshots, rec.record().id()));
    }
  }

  /** What a drill found: its outcome line and the lines that explain it. */
  record Finding(boolean ok, String message, List<String> details) {
    Finding {
      details = List.copyOf(details);
    }

    static Finding failed(String message) {
      return new Finding(false, message, List.of());
    }
  }

  private void drill(Target t, String what, Outcome out, Supplier<Finding> body) {
    String name = "verify " + what + " " + t.name();
    Instant started = rec.now();
    if (cancelled.get()) {
      rec.simple(KIND, name, null, t.name(), "skipped", started, "the run was interrupted");
      return;
    }
    Finding f;
    try {
      f = body.get();
    } catch (RuntimeException e) {
      f = Finding.failed(cancelled.get() ? "interrupted: " + e.getMessage() : e.getMessage());
    }
    rec.finished(
        KIND,
        name,
        null,
        t.name(),
        f.ok() ? "ok" : "failed",
        started,
        null,
        1,
        f.message(),
        f.details());
    if (!f.ok()) {
      out.fail(name + " failed: " + f.message());
    }
  }
}
