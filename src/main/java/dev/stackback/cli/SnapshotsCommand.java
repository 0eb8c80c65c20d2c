package dev.stackback.cli;

import dev.stackback.engine.RestorePoint;
import dev.stackback.port.Snapshot;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stack-back snapshots}: our snapshots (this host, tag stack-back), grouped by run. */
@Command(
    name = "snapshots",
    mixinStandardHelpOptions = true,
    description = {
      "Lists our snapshots (this host, tag stack-back): those of each backup run",
      "(tag run=<id>) under the run's id, time and state, newest run first, its",
      "snapshots in backup order; older snapshots without a run tag by service,",
      "newest first. `restore --run ID` restores a whole run.",
      "Then those the Python stack-back made, as \"python stack-back (legacy)\"."
    })
final class SnapshotsCommand implements Callable<Integer> {
  private final App app;

  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  SnapshotsCommand(App app) {
    this.app = app;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (Session s = Session.open(app, err)) {
      // one listing: ours (this host, tag stack-back) and the Python tool's
      List<Snapshot> all = app.restic(s.config).snapshotsToShow(null, List.of());
      List<Snapshot> snaps =
          all.stream()
              .filter(x -> s.host().equals(x.hostname()) && x.tags().contains("stack-back"))
              .toList();
      List<Snapshot> legacy = LegacySnapshots.of(all);
      List<RestorePoint> runs = RestorePoint.of(snaps);
      RunStore store = new RunStore(s.config.stateDir());
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", s.host());
        Map<String, Object> services = new LinkedHashMap<>();
        byService(snaps)
            .forEach(
                (svc, l) -> services.put(svc, l.stream().map(SnapshotsCommand::toMap).toList()));
        m.put("services", services);
        m.put("runs", runs.stream().map(p -> toMap(p, store)).toList());
        m.put("legacy", legacy.stream().map(LegacyCommand::toMap).toList());
        Json.print(out, m);
        return 0;
      }
      out.println("Snapshots of host '" + s.host() + "' (" + snaps.size() + "):");
      for (RestorePoint p : runs) {
        out.println("  run " + p.runId() + "  " + p.time() + state(p, store));
        int width = p.services().stream().mapToInt(String::length).max().orElse(0);
        p.items()
            .forEach(
                i ->
                    out.printf(
                        "    %-" + width + "s  %s  %s%s%n",
                        i.service(),
                        i.snapshot().shortId(),
                        String.join(" ", i.snapshot().paths()),
                        node(i.snapshot())));
      }
      Map<String, List<Snapshot>> untagged =
          byService(snaps.stream().filter(x -> RestorePoint.runOf(x) == null).toList());
      if (!runs.isEmpty() && !untagged.isEmpty()) {
        out.println("Without a run tag (made before runs were tagged), by service:");
      }
      untagged.forEach(
          (svc, l) -> {
            out.println("  " + svc);
            l.forEach(
                x ->
                    out.printf(
                        "    %s  %s  %s%s%n",
                        x.shortId(), x.time(), String.join(" ", x.paths()), node(x)));
          });
      if (!legacy.isEmpty()) {
        out.println(
            LegacySnapshots.LABEL
                + " ("
                + legacy.size()
                + "; never forgotten by cleanup, see `stack-back legacy --help`):");
        legacy.forEach(
            x ->
                out.printf(
                    "    %s  %s  host %s  %s%n",
                    x.shortId(), x.time(), x.hostname(), String.join(" ", x.paths())));
      }
      out.flush();
      return 0;
    } catch (Session.Exit e) {
      return e.code;
    } catch (RuntimeException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  /** " (node N)" for a snapshot of a swarm node (tag node=N), else "". */
  private static String node(Snapshot s) {
    String node = s.tagValue("node");
    return node == null ? "" : "  (node " + node + ")";
  }

  /** Snapshots by service (sorted by name), newest first. */
  private static Map<String, List<Snapshot>> byService(List<Snapshot> snaps) {
    Map<String, List<Snapshot>> byService = new TreeMap<>();
    for (Snapshot snap : snaps) {
      String service = snap.tagValue("service");
      byService
          .computeIfAbsent(service == null ? "(no service tag)" : service, k -> new ArrayList<>())
          .add(snap);
    }
    byService.values().forEach(l -> l.sort(Comparator.comparing(Snapshot::time).reversed()));
    return byService;
  }

  /** ", <state of the run>" when its record is still in the state directory, else "". */
  private static String state(RestorePoint p, RunStore store) {
    return store.find(p.runId()).map(r -> "  " + r.state()).orElse("");
  }

  private static Map<String, Object> toMap(RestorePoint p, RunStore store) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", p.runId());
    m.put("time", String.valueOf(p.time()));
    m.put("state", store.find(p.runId()).map(RunRecord::state).orElse(null));
    m.put("services", p.services());
    m.put(
        "snapshots",
        p.items().stream()
            .map(
                i -> {
                  Map<String, Object> x = new LinkedHashMap<>();
                  x.put("service", i.service());
                  x.put("kind", i.kind().name().toLowerCase(java.util.Locale.ROOT));
                  x.putAll(toMap(i.snapshot()));
                  return x;
                })
            .toList());
    return m;
  }

  private static Map<String, Object> toMap(Snapshot s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id());
    m.put("shortId", s.shortId());
    m.put("time", s.time().toString());
    m.put("paths", s.paths());
    m.put("tags", s.tags());
    return m;
  }
}
