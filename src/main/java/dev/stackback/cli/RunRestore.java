package dev.stackback.cli;

import dev.stackback.engine.DumpRestore;
import dev.stackback.engine.InPlaceRestore;
import dev.stackback.engine.RestorePoint;
import dev.stackback.engine.RestorePoint.Item;
import dev.stackback.engine.RestorePoint.Kind;
import dev.stackback.engine.RestorePoint.Missing;
import dev.stackback.engine.SwarmPlacement;
import dev.stackback.plan.Plan;
import dev.stackback.plan.Target;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.OutputLine;
import dev.stackback.port.Restic;
import dev.stackback.port.ResticException;
import dev.stackback.port.Snapshot;
import dev.stackback.state.RunLock;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code restore --run ID}: every snapshot of one backup run (tag {@code run=<id>}), in the order
 * the run made them, through the single-service restore paths: {@code restic restore} into a
 * directory, or in place ({@link InPlaceRestore} as a recorded restore run per service, {@link
 * DumpRestore} into the running database container).
 */
final class RunRestore {
  private final App app;
  private final Session s;
  // in place: replaced by the plan after the repair of interrupted runs, under the lock
  private Plan plan;
  private final Restic restic;
  private final PrintWriter out;
  private final PrintWriter err;

  RunRestore(App app, Session s, Plan plan, Restic restic, PrintWriter out, PrintWriter err) {
    this.app = app;
    this.s = s;
    this.plan = plan;
    this.restic = restic;
    this.out = out;
    this.err = err;
  }

  /** One restore of the run, decided before anything runs. */
  private sealed interface Step permits Volumes, Dump {
    Item item();
  }

  private record Volumes(Item item, InPlaceRestore restore) implements Step {}

  private record Dump(Item item, Target target) implements Step {}

  /** Every snapshot of the run (of {@code services}) into {@code target}, as restic lays it out. */
  int toDirectory(String runId, List<String> services, Path target) {
    RestorePoint point = resolve(runId, services);
    Path dir = target.toAbsolutePath();
    header(point, "into " + dir, out);
    warnMissing(point, services);
    List<String> done = new ArrayList<>();
    for (Item i : point.items()) {
      Snapshot snap = i.snapshot();
      out.println("  " + what(i) + ": snapshot " + snap.shortId() + " (" + snap.time() + ")");
      out.flush();
      try {
        restic.restore(snap.id(), dir, List.of(), OutputLine.discard());
      } catch (ResticException e) {
        return stopped(point, i, done, e.getMessage(), 1);
      }
      snap.paths().forEach(p -> out.println("    -> " + dir + p));
      done.add(what(i));
    }
    out.println("restored run " + point.runId() + " into " + dir);
    out.flush();
    return 0;
  }

  /**
   * Every snapshot of the run (of {@code services}) back into the stack: under the run lock, every
   * step checked before the first one runs, nothing done without {@code yes}.
   */
  int inPlace(String runId, List<String> services, boolean yes) {
    BackupRunner runner = new BackupRunner(app);
    // the lock is taken and released inside the SIGTERM guard: the JVM exits once the guarded
    // body has returned, and a lock released after that would stay behind
    return BackupCommand.guarded(runner, () -> inPlaceLocked(runner, runId, services, yes));
  }

  private int inPlaceLocked(BackupRunner runner, String runId, List<String> services, boolean yes) {
    // the lock first, as a single in-place restore: reading snapshots takes a restic lock too
    Optional<RunLock> lock = BackupRunner.tryLock(s, err);
    if (lock.isEmpty()) {
      return BackupRunner.BUSY;
    }
    RunLock held = lock.get();
    try (held) {
      plan = RestoreCommand.recoveredPlan(runner, s, err);
      RestorePoint point = resolve(runId, services);
      List<Step> steps = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      for (Item i : point.items()) {
        decide(i, steps, problems);
      }
      if (!problems.isEmpty()) {
        problems.forEach(p -> err.println("error: " + p));
        err.println(
            "error: nothing was restored; --service SERVICE restores only some services of the"
                + " run");
        err.flush();
        return 1;
      }
      PrintWriter where = yes ? out : err;
      header(point, "into the stack, in this order:", where);
      warnMissing(point, services);
      for (Step st : steps) {
        switch (st) {
          case Volumes v -> RestoreCommand.describe(v.restore(), restic.restoreDeletes(), where);
          case Dump d ->
              where.println(
                  "restore dump: "
                      + DumpRestore.dumpPath(d.item().snapshot()).orElseThrow()
                      + " of snapshot "
                      + d.item().snapshot().shortId()
                      + " is loaded into the running database container "
                      + d.target().service().refs().get(0).name()
                      + " (as restore --dump; stop the applications that use it first)");
        }
      }
      where.flush();
      if (!yes) {
        err.println(
            "error: not restoring without --yes: this overwrites the volumes and databases above."
                + " Run again with --yes to do it.");
        err.flush();
        return 1;
      }
      return execute(runner, point, steps);
    }
  }

  /** The step that restores {@code i} in place, or why it cannot be done. */
  private void decide(Item i, List<Step> steps, List<String> problems) {
    Optional<SwarmPlacement.Elsewhere> elsewhere = RestoreCommand.onOtherNode(s, i.service(), err);
    if (elsewhere.isPresent()) {
      problems.add(elsewhere.get().refusal());
      return;
    }
    Optional<Target> t =
        plan.targets().stream().filter(x -> x.name().equals(i.service())).findFirst();
    switch (i.kind()) {
      case VOLUMES -> {
        if (t.isEmpty() || t.get().volumes().isEmpty()) {
          problems.add(
              "service '"
                  + i.service()
                  + "' has no running container with volumes to restore into (its volumes must"
                  + " be backed up: stack-back.volumes=true or AUTO_BACKUP_ALL)");
          return;
        }
        InPlaceRestore r = InPlaceRestore.of(t.get(), i.snapshot());
        if (r.volumes().isEmpty()) {
          problems.add(RestoreCommand.noVolumeIn(i.snapshot(), t.get()));
        } else {
          steps.add(new Volumes(i, r));
        }
      }
      case DUMP -> {
        if (t.isEmpty() || t.get().dump().isEmpty()) {
          problems.add(
              "service '"
                  + i.service()
                  + "' has no running database container to load its dump into (a container of"
                  + " the service with a stack-back.postgres/mysql/mariadb label, or a database"
                  + " image with AUTO_BACKUP_ALL)");
        } else {
          steps.add(new Dump(i, t.get()));
        }
      }
      case OTHER ->
          problems.add(
              "snapshot "
                  + i.snapshot().shortId()
                  + " of service '"
                  + i.service()
                  + "' holds neither volumes nor one dump ("
                  + String.join(", ", i.snapshot().paths())
                  + ")");
    }
  }

  private int execute(BackupRunner runner, RestorePoint point, List<Step> steps) {
    List<String> done = new ArrayList<>();
    for (Step st : steps) {
      if (runner.cancelled()) {
        return stopped(point, st.item(), done, "stack-back was asked to stop", 1);
      }
      int code;
      String why;
      switch (st) {
        case Volumes v -> {
          code = runner.runLocked(s, plan, e -> e.restoreInPlace(plan, v.restore()), out, err);
          code = RestoreCommand.landedHere(s, v.restore().target(), code, err);
          why = "its restore run failed (exit " + code + ", see above)";
        }
        case Dump d -> {
          try {
            RestoreCommand.loadDump(s.runtime, restic, d.target(), d.item().snapshot(), out);
            code = 0;
            why = null;
          } catch (DumpRestore.Failed | ResticException | ContainerRuntimeException e) {
            code = 1;
            why = e.getMessage();
          }
        }
      }
      if (code != 0) {
        return stopped(point, st.item(), done, why, code);
      }
      done.add(what(st.item()));
    }
    out.println(
        "restored run "
            + point.runId()
            + ": "
            + (done.isEmpty() ? "nothing" : String.join(", ", done)));
    out.flush();
    return 0;
  }

  /** Says where the restore of the run stopped, what it had restored and what it had not. */
  private int stopped(RestorePoint point, Item at, List<String> done, String why, int code) {
    List<String> left = new ArrayList<>();
    boolean reached = false;
    for (Item i : point.items()) {
      reached |= i == at;
      if (reached) {
        left.add(what(i));
      }
    }
    err.println("error: restore of run " + point.runId() + " stopped at " + what(at) + ": " + why);
    err.println("  restored: " + (done.isEmpty() ? "nothing" : String.join(", ", done)));
    err.println("  not restored: " + String.join(", ", left));
    err.flush();
    return code;
  }

  /** The run's restore point, limited to {@code services}; or an error and {@link Session.Exit}. */
  private RestorePoint resolve(String runId, List<String> services) {
    List<Snapshot> snaps = restic.snapshots(plan.host(), List.of("stack-back"));
    Optional<RestorePoint> found = RestorePoint.find(snaps, runId);
    if (found.isEmpty()) {
      err.println(
          "error: "
              + (runId.equals("latest")
                  ? "no snapshot of host '" + plan.host() + "' carries a run tag yet"
                  : "no snapshot of run '"
                      + runId
                      + "' in the repository (host '"
                      + plan.host()
                      + "')")
              + "; `stack-back snapshots` lists the runs");
      err.flush();
      throw new Session.Exit(1, "no such run");
    }
    RestorePoint point = found.get();
    List<String> unknown =
        services.stream().filter(x -> !point.services().contains(x)).distinct().toList();
    if (!unknown.isEmpty()) {
      List<Missing> why = point.missing(plan, record(point), unknown);
      err.println(
          "error: run "
              + point.runId()
              + " has no snapshot of service(s) '"
              + String.join("', '", unknown)
              + "' (it has: "
              + String.join(", ", point.services())
              + ")");
      why.forEach(m -> err.println("  " + describe(m)));
      err.flush();
      throw new Session.Exit(1, "service not in the run");
    }
    return services.isEmpty() ? point : point.only(services);
  }

  private Optional<RunRecord> record(RestorePoint point) {
    return new RunStore(s.config.stateDir()).find(point.runId());
  }

  private void header(RestorePoint point, String where, PrintWriter w) {
    String state = record(point).map(r -> ", " + r.state()).orElse("");
    w.println(
        "restore of run "
            + point.runId()
            + " ("
            + point.time()
            + state
            + "): "
            + point.items().size()
            + " snapshot(s) of "
            + String.join(", ", point.services())
            + " "
            + where);
    w.flush();
  }

  /** A partial run: what it lacks (of {@code services}) is named, the rest is restored. */
  private void warnMissing(RestorePoint point, List<String> services) {
    List<Missing> missing = point.missing(plan, record(point), services);
    if (missing.isEmpty()) {
      return;
    }
    err.println("warning: run " + point.runId() + " lacks (these stay as they are):");
    missing.forEach(m -> err.println("  " + describe(m)));
    err.flush();
  }

  private static String describe(Missing m) {
    return (m.kind() == Kind.DUMP ? "the dump of " : "the volumes of ")
        + m.service()
        + ": "
        + m.why();
  }

  private static String what(Item i) {
    return switch (i.kind()) {
      case VOLUMES -> "volumes of " + i.service();
      case DUMP -> "dump of " + i.service();
      case OTHER -> "snapshot " + i.snapshot().shortId() + " of " + i.service();
    };
  }
}
