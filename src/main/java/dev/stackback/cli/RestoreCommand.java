package dev.stackback.cli;

import dev.stackback.agent.RoutingRuntime;
import dev.stackback.engine.DumpRestore;
import dev.stackback.engine.InPlaceRestore;
import dev.stackback.engine.SwarmPlacement;
import dev.stackback.plan.Plan;
import dev.stackback.plan.Target;
import dev.stackback.plan.VolumeSnapshot;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.MountInfo;
import dev.stackback.port.OutputLine;
import dev.stackback.port.Restic;
import dev.stackback.port.ResticException;
import dev.stackback.port.Snapshot;
import dev.stackback.port.SwarmRuntime;
import dev.stackback.state.RunLock;
import dev.stackback.util.Bytes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Predicate;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stack-back restore}: a database dump back into its running container, or volumes. */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
      "Restores a service's backup from the repository.",
      "",
      "--dump streams the service's latest database dump (or --snapshot) into",
      "the service's running database container and applies it there with",
      "psql / mariadb, credentials read inside the container as for the dump.",
      "Docker cannot close an exec's stdin, so the dump goes into a temporary",
      "file in the container's /tmp (exactly its size, checked), is applied",
      "from there and removed: the container needs room for one copy, and a",
      "cut transfer is never applied. A pg_dump file is applied in one",
      "transaction that stops at the first error, a pg_dumpall file statement",
      "by statement (roles and databases that exist are reported, not fatal).",
      "Stop the applications that use the database first.",
      "",
      "--target DIR restores the service's latest volume snapshot (or",
      "--snapshot) into DIR/volumes[/<project>]/<service>/<mount destination>;",
      "copy the files back yourself.",
      "",
      "--in-place restores the service's latest volume snapshot (or --snapshot)",
      "into the service's own volumes, as one recorded run (trigger 'restore'):",
      "the service's own pre hooks, stop its containers, restic restore in a",
      "worker container, start them again (also on failure), then its post or",
      "error hooks and its finally hooks. Files that are not in the snapshot are",
      "deleted from those volumes (restic >= 0.17: restore --delete; an older",
      "restic keeps them). Without --yes it only says what would be overwritten",
      "and exits 1.",
      "",
      "--run ID (or 'latest') restores every snapshot of one backup run: the",
      "volumes and database dumps of all its services (or of each --service),",
      "in the run's backup order. With --target DIR each snapshot goes into",
      "DIR/volumes/... and DIR/databases/... (dump files, not loaded). With",
      "--in-place --yes each service's volumes are restored as above (one",
      "recorded restore run per service) and each dump is loaded into its",
      "running database container as with --dump; it stops at the first",
      "failure. A service the run has no snapshot of is an error; what a",
      "partial run lacks is listed and the rest is restored.",
      "",
      "Exit 0 ok, 1 failed (or --in-place without --yes), 2 invalid configuration,",
      "labels or arguments; --in-place also 4 a container could not be restarted,",
      "5 another run is in progress."
    })
final class RestoreCommand implements Callable<Integer> {
  /** Label of a swarm task's container: its node. */
  private static final String SWARM_NODE_ID = "com.docker.swarm.node.id";

  /** Bound of each step of a restore (transfer, apply). */
  static final Duration TIMEOUT = Duration.ofHours(12);

  private final App app;

  @Spec CommandSpec spec;

  @Option(
      names = "--service",
      paramLabel = "SERVICE",
      description =
          "The compose service. With --run: only these services of the run (repeat it);"
              + " without --service, every service of the run.")
  List<String> services = new ArrayList<>();

  @Option(
      names = "--run",
      paramLabel = "ID",
      description =
          "Restore every snapshot (volumes and dumps) of one backup run, service by service in"
              + " the run's backup order: its id as `snapshots` and `runs` show it, or 'latest'."
              + " With --target or --in-place.")
  String run;

  /** The one service (without --run). */
  String service;

  @ArgGroup(exclusive = true, multiplicity = "1")
  What what;

  /** Exactly one of --dump, --target and --in-place. */
  static final class What {
    @Option(
        names = "--dump",
        required = true,
        description = "Restore the database dump into the service's running container.")
    boolean dump;

    @Option(
        names = "--target",
        required = true,
        paramLabel = "DIR",
        description = "Restore the service's volumes into this directory.")
    Path target;

    @Option(
        names = "--in-place",
        required = true,
        description =
            "Restore the service's volumes into the volumes themselves (stops the service).")
    boolean inPlace;
  }

  @Option(names = "--yes", description = "With --in-place: really overwrite the service's volumes.")
  boolean yes;

  @Option(
      names = "--snapshot",
      defaultValue = "latest",
      paramLabel = "ID",
      description = "Snapshot id (or a prefix of it), or 'latest' (default).")
  String snapshot;

  RestoreCommand(App app) {
    this.app = app;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Integer invalid = invalidArguments(err);
    if (invalid != null) {
      return invalid;
    }
    try (Session s = Session.open(app, err)) {
      if (run == null && (what.inPlace || what.dump)) {
        Optional<SwarmPlacement.Elsewhere> elsewhere = onOtherNode(s, service, err);
        if (elsewhere.isPresent()) {
          err.println("error: " + elsewhere.get().refusal());
          return 2;
        }
      }
      Plan plan = s.validPlan(err, "invalid labels");
      Restic restic = app.restic(s.config);
      if (run != null) {
        RunRestore r = new RunRestore(app, s, plan, restic, out, err);
        return what.inPlace
            ? r.inPlace(run, services, yes)
            : r.toDirectory(run, services, what.target);
      }
      Optional<Target> target =
          plan.targets().stream().filter(t -> t.name().equals(service)).findFirst();
      if (what.inPlace) {
        return inPlace(s, restic, out, err);
      }
      return what.dump
          ? dump(s, plan, target, restic, out, err)
          : volumes(plan, target, restic, out, err);
    } catch (Session.Exit e) {
      return e.code;
    } catch (DumpRestore.Failed | ResticException e) {
      err.println(
          "error: restore of "
              + (run != null ? "run " + run : service)
              + " failed: "
              + e.getMessage());
      return 1;
    }
  }

  /**
   * SWARM_MODE: where service {@code name} runs when a task of it runs on a node other than
   * stack-back's that has no stack-back agent ({@link SwarmPlacement}): an in-place or dump restore
   * acts on stack-back's node, or on another node through its agent.
   */
  static Optional<SwarmPlacement.Elsewhere> onOtherNode(Session s, String name, PrintWriter err) {
    if (!s.config.swarmMode()) {
      return Optional.empty();
    }
    Predicate<String> agent =
        s.runtime instanceof RoutingRuntime routing ? routing::reaches : node -> false;
    return askSwarm(s, name, err, swarm -> SwarmPlacement.elsewhere(swarm, name, agent));
  }

  private static Optional<SwarmPlacement.Elsewhere> askSwarm(
      Session s,
      String name,
      PrintWriter err,
      Function<SwarmRuntime, Optional<SwarmPlacement.Elsewhere>> where) {
    try {
      return s.runtime.swarm().flatMap(where);
    } catch (ContainerRuntimeException e) {
      err.println(
          "error: cannot ask the swarm where service '" + name + "' runs: " + e.getMessage());
      err.flush();
      throw new Session.Exit(1, "swarm unreachable");
    }
  }

  /**
   * {@code code} of the in-place restore of {@code t}, or 1 (when it was 0) after saying so when
   * the swarm scaled it back onto another node than the one whose volumes were restored (its task's
   * node before the restore).
   */
  static int landedHere(Session s, Target t, int code, PrintWriter err) {
    if (!s.config.swarmMode()) {
      return code;
    }
    String name = t.name();
    String restored = t.service().primary().label(SWARM_NODE_ID);
    Optional<SwarmPlacement.Elsewhere> e =
        askSwarm(s, name, err, swarm -> SwarmPlacement.notOn(swarm, name, restored));
    if (e.isEmpty()) {
      return code;
    }
    err.println("error: " + e.get().afterRestore());
    err.flush();
    return code == 0 ? 1 : code;
  }

  /** Exit 2 with the reason when the options do not go together, else null. */
  private Integer invalidArguments(PrintWriter err) {
    String why = null;
    if (yes && !what.inPlace) {
      why = "--yes only goes with --in-place";
    } else if (run != null && what.dump) {
      why =
          "--run restores the volumes and the dumps of a run together: use --target DIR or"
              + " --in-place (--dump is for one service)";
    } else if (run != null && spec.commandLine().getParseResult().hasMatchedOption("--snapshot")) {
      why = "--snapshot and --run do not go together: a run names its snapshots";
    } else if (run == null && services.size() != 1) {
      why =
          services.isEmpty()
              ? "--service is required (or --run ID to restore a whole run)"
              : "give one --service (several only go with --run)";
    }
    if (why != null) {
      err.println("error: " + why);
      err.flush();
      return 2;
    }
    service = services.isEmpty() ? null : services.get(0);
    return null;
  }

  private int dump(
      Session s,
      Plan plan,
      Optional<Target> target,
      Restic restic,
      PrintWriter out,
      PrintWriter err) {
    if (target.isEmpty() || target.get().dump().isEmpty()) {
      err.println(
          "error: service '"
              + service
              + "' has no running database container to restore into (a container of the"
              + " service with a stack-back.postgres/mysql/mariadb label, or a database image"
              + " with AUTO_BACKUP_ALL)");
      return 1;
    }
    Target t = target.get();
    List<Snapshot> snaps = restic.snapshots(plan.host(), t.tags());
    Optional<Snapshot> snap = DumpRestore.pick(snaps, snapshot);
    if (snap.isEmpty()) {
      err.println("error: " + notFound("dump", snaps.size()));
      return 1;
    }
    loadDump(s.runtime, restic, t, snap.get(), out);
    return 0;
  }

  /**
   * Streams the dump of {@code snap} into the running database container of {@code t} and applies
   * it there ({@link DumpRestore}); says what it does on {@code out}, the client's output indented.
   * Throws {@link DumpRestore.Failed} or a {@link ResticException} when it fails.
   */
  static void loadDump(
      ContainerRuntime runtime, Restic restic, Target t, Snapshot snap, PrintWriter out) {
    String path = DumpRestore.dumpPath(snap).orElseThrow();
    var container = t.service().refs().get(0);
    out.println(
        "restoring "
            + path
            + " of snapshot "
            + snap.shortId()
            + " ("
            + snap.time()
            + ") into "
            + container.name());
    out.flush();
    OutputLine log =
        (stream, line) -> {
          synchronized (out) {
            out.println("  " + line);
            out.flush();
          }
        };
    DumpRestore.Result r =
        new DumpRestore(runtime, restic, TIMEOUT)
            .run(container.id(), t.dump().orElseThrow().kind(), snap.id(), path, log);
    out.println("restored " + Bytes.format(r.bytes()) + " into " + container.name());
    out.flush();
  }

  private int volumes(
      Plan plan, Optional<Target> target, Restic restic, PrintWriter out, PrintWriter err) {
    List<String> tags =
        target.map(Target::tags).orElse(List.of("stack-back", "service=" + service));
    List<Snapshot> snaps = restic.snapshots(plan.host(), tags);
    Optional<Snapshot> snap = InPlaceRestore.pick(snaps, plan.host(), service, snapshot);
    if (snap.isEmpty()) {
      err.println("error: " + notFound("volume", snaps.size()));
      return 1;
    }
    Path dir = what.target.toAbsolutePath();
    out.println(
        "restoring snapshot "
            + snap.get().shortId()
            + " ("
            + snap.get().time()
            + ", "
            + String.join(", ", snap.get().paths())
            + ") into "
            + dir);
    out.flush();
    restic.restore(snap.get().id(), dir, List.of(), OutputLine.discard());
    List<String> where = new ArrayList<>();
    snap.get().paths().forEach(p -> where.add(dir + p));
    out.println("restored into " + String.join(", ", where));
    out.flush();
    return 0;
  }

  private int inPlace(Session s, Restic restic, PrintWriter out, PrintWriter err) {
    BackupRunner runner = new BackupRunner(app);
    // the lock is taken and released inside the SIGTERM guard: the JVM exits once the guarded
    // body has returned, and a lock released after that would stay behind
    return BackupCommand.guarded(runner, () -> inPlaceLocked(runner, s, restic, out, err));
  }

  private int inPlaceLocked(
      BackupRunner runner, Session s, Restic restic, PrintWriter out, PrintWriter err) {
    // the lock first: even reading the snapshots takes a restic lock that a run's prune trips on
    Optional<RunLock> lock = BackupRunner.tryLock(s, err);
    if (lock.isEmpty()) {
      return BackupRunner.BUSY;
    }
    RunLock held = lock.get();
    try (held) {
      Plan plan = recoveredPlan(runner, s, err);
      Optional<Target> target =
          plan.targets().stream().filter(x -> x.name().equals(service)).findFirst();
      if (target.isEmpty() || target.get().volumes().isEmpty()) {
        err.println(
            "error: service '"
                + service
                + "' has no running container with volumes to restore into (its volumes must be"
                + " backed up: stack-back.volumes=true or AUTO_BACKUP_ALL)");
        return 1;
      }
      Target t = target.get();
      List<Snapshot> snaps = restic.snapshots(plan.host(), t.tags());
      Optional<Snapshot> snap = InPlaceRestore.pick(snaps, plan.host(), service, snapshot);
      if (snap.isEmpty()) {
        err.println("error: " + notFound("volume", snaps.size()));
        return 1;
      }
      InPlaceRestore restore = InPlaceRestore.of(t, snap.get());
      if (restore.volumes().isEmpty()) {
        err.println("error: " + noVolumeIn(snap.get(), t));
        return 1;
      }
      PrintWriter where = yes ? out : err;
      describe(restore, restic.restoreDeletes(), where);
      if (!yes) {
        err.println(
            "error: not restoring without --yes: this overwrites files in the volumes above."
                + " Run again with --yes to do it.");
        err.flush();
        return 1;
      }
      int code = runner.runLocked(s, plan, e -> e.restoreInPlace(plan, restore), out, err);
      return landedHere(s, t, code, err);
    }
  }

  /**
   * The plan once interrupted runs are repaired; the caller holds the run lock. A run killed while
   * it had the service stopped (a swarm service scaled to 0) left no running container to restore
   * into: it runs again before the restore looks for it.
   */
  static Plan recoveredPlan(BackupRunner runner, Session s, PrintWriter err) {
    runner.recover(s.runtime, s.config, s.host());
    return s.discover(err).validPlan(err, "invalid labels");
  }

  /** Why {@code snap} cannot be restored into the volumes of {@code t}. */
  static String noVolumeIn(Snapshot snap, Target t) {
    return "snapshot "
        + snap.shortId()
        + " holds "
        + String.join(", ", snap.paths())
        + ", none of which is a volume of service '"
        + t.name()
        + "' now ("
        + String.join(", ", t.volumes().stream().map(VolumeSnapshot::snapshotPath).toList())
        + ")";
  }

  /** What an in-place restore overwrites, and what it leaves alone. */
  static void describe(InPlaceRestore r, boolean deletes, PrintWriter w) {
    Snapshot snap = r.snapshot();
    w.println(
        "restore in place: snapshot "
            + snap.shortId()
            + " ("
            + snap.time()
            + ", host "
            + snap.hostname()
            + ") into the volumes of service '"
            + r.service()
            + "':");
    for (VolumeSnapshot v : r.volumes()) {
      w.println("  overwrites " + mountText(v.mount()) + "  <-  " + v.snapshotPath());
    }
    for (String p : r.notMounted()) {
      w.println("  not restored (no such volume now): " + p);
    }
    for (VolumeSnapshot v : r.notInSnapshot()) {
      w.println("  left alone (not in the snapshot): " + mountText(v.mount()));
    }
    w.println(
        "  the containers of '"
            + r.service()
            + "' ("
            + String.join(", ", r.target().service().refs().stream().map(c -> c.name()).toList())
            + ") are stopped meanwhile; its own pre hooks run before, its post/error and"
            + " finally hooks after");
    w.println(
        deletes
            ? "  files in those volumes that are not in the snapshot are deleted (restic restore"
                + " --delete)"
            : "  files in those volumes that are not in the snapshot are kept (this restic is"
                + " older than 0.17: its restore cannot delete)");
    w.flush();
  }

  private static String mountText(MountInfo m) {
    String what =
        m.type() == MountInfo.Type.VOLUME && m.name() != null && !m.name().isEmpty()
            ? "volume " + m.name()
            : "bind mount " + m.source();
    return what + " (at " + m.destination() + ")";
  }

  private String notFound(String kind, int snapshotsOfService) {
    return "no "
        + kind
        + " snapshot "
        + (snapshot.equals("latest") ? "" : "'" + snapshot + "' ")
        + "of service '"
        + service
        + "' in the repository ("
        + snapshotsOfService
        + " snapshot(s) of the service)";
  }
}
