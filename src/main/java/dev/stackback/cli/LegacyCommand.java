package dev.stackback.cli;

import dev.stackback.port.Restic;
import dev.stackback.port.Snapshot;
import dev.stackback.state.RunLock;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stack-back legacy}: the snapshots the Python stack-back left in the repository (see {@link
 * LegacySnapshots}); lists them, or forgets them by {@code RESTIC_KEEP_*} or all, with {@code
 * --yes}.
 */
@Command(
    name = "legacy",
    mixinStandardHelpOptions = true,
    description = {
      "Snapshots made by the Python stack-back (paths /volumes..., /databases..., no stack-back"
          + " tag, host = its backup container's id). Our cleanup never forgets them.",
      "Without options: lists them. --forget: forget per RESTIC_KEEP_* grouped by paths (the"
          + " Python tool's retention), then prune. --forget-all: forget every one, then prune.",
      "Forgetting needs --yes (without it: lists what would be affected, exit 1).",
      "Exit 0, 1 failed or no --yes, 5 a run is in progress."
    })
final class LegacyCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.maintenance");

  private final App app;

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true)
  Action action;

  /** One way to forget. */
  static final class Action {
    @Option(names = "--forget", description = "Forget per RESTIC_KEEP_*, grouped by paths.")
    boolean policy;

    @Option(names = "--forget-all", description = "Forget every legacy snapshot.")
    boolean all;
  }

  @Option(names = "--yes", description = "Really forget (and prune).")
  boolean yes;

  @Option(names = "--json", description = "List as JSON.")
  boolean json;

  LegacyCommand(App app) {
    this.app = app;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (Session s = Session.connect(app, err)) {
      Restic restic = app.restic(s.config);
      if (action == null) {
        List<Snapshot> legacy = LegacySnapshots.of(restic.snapshots(null, List.of()));
        print(out, legacy);
        return 0;
      }
      if (!yes) {
        List<Snapshot> legacy = LegacySnapshots.of(restic.snapshots(null, List.of()));
        print(out, legacy);
        err.println(
            "nothing forgotten: add --yes to forget "
                + (action.all
                    ? "all of these"
                    : "these per RESTIC_KEEP_* (" + s.config.keep() + ")"));
        err.flush();
        return 1;
      }
      Optional<RunLock> lock = BackupRunner.tryLock(s, "maintenance", err);
      if (lock.isEmpty()) {
        return BackupRunner.BUSY;
      }
      RunLock held = lock.get();
      try (held) {
        return forget(s, restic, out, err);
      }
    } catch (Session.Exit e) {
      return e.code;
    } catch (RuntimeException e) {
      err.println("error: legacy: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  private int forget(Session s, Restic restic, PrintWriter out, PrintWriter err) {
    List<Snapshot> all = restic.snapshots(null, List.of());
    List<Snapshot> legacy = LegacySnapshots.of(all);
    if (legacy.isEmpty()) {
      out.println("no snapshots of the Python stack-back");
      out.flush();
      return 0;
    }
    if (action.all) {
      LOG.info("forget {} legacy snapshot(s) + prune", legacy.size());
      restic.forgetIds(legacy.stream().map(Snapshot::id).toList(), true, Maintenance.log());
    } else {
      List<Snapshot> others = LegacySnapshots.othersOnTheirHosts(all);
      if (!others.isEmpty()) {
        err.println(
            "error: snapshots that are not the Python tool's share its hosts: "
                + others.stream().map(x -> x.shortId() + " " + x.paths()).toList()
                + "; a forget by policy over those hosts would touch them: use --forget-all or"
                + " restic yourself");
        err.flush();
        return 1;
      }
      List<String> hosts = new ArrayList<>(LegacySnapshots.hosts(all));
      LOG.info(
          "forget legacy snapshots of {} host(s), grouped by paths, {} + prune",
          hosts.size(),
          s.config.keep());
      restic.forgetHostsByPaths(hosts, s.config.keep(), true, Maintenance.log());
    }
    int left = LegacySnapshots.of(restic.snapshots(null, List.of())).size();
    out.println(
        "forgot "
            + (legacy.size() - left)
            + " of "
            + legacy.size()
            + " legacy snapshot(s), "
            + left
            + " left; pruned");
    out.flush();
    return 0;
  }

  private void print(PrintWriter out, List<Snapshot> legacy) {
    if (json) {
      Json.print(out, legacy.stream().map(LegacyCommand::toMap).toList());
      return;
    }
    out.println(LegacySnapshots.LABEL + " (" + legacy.size() + "):");
    legacy.forEach(
        x ->
            out.printf(
                "    %s  %s  host %s  %s%n",
                x.shortId(), x.time(), x.hostname(), String.join(" ", x.paths())));
    out.flush();
  }

  static Map<String, Object> toMap(Snapshot s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id());
    m.put("shortId", s.shortId());
    m.put("time", s.time().toString());
    m.put("host", s.hostname());
    m.put("paths", s.paths());
    m.put("tags", s.tags());
    return m;
  }
}
