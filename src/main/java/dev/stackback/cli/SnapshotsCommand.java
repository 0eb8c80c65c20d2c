package dev.stackback.cli;

import dev.stackback.port.Snapshot;
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

/** {@code stack-back snapshots}: our snapshots (this host, tag stack-back), grouped by service. */
@Command(
    name = "snapshots",
    mixinStandardHelpOptions = true,
    description = {
      "Lists our snapshots (this host, tag stack-back), grouped by service, newest first.",
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
      List<Snapshot> all = app.restic(s.config).snapshots(null, List.of());
      List<Snapshot> snaps =
          all.stream()
              .filter(x -> s.host().equals(x.hostname()) && x.tags().contains("stack-back"))
              .toList();
      List<Snapshot> legacy = LegacySnapshots.of(all);
      Map<String, List<Snapshot>> byService = new TreeMap<>();
      for (Snapshot snap : snaps) {
        String service = snap.tagValue("service");
        byService
            .computeIfAbsent(service == null ? "(no service tag)" : service, k -> new ArrayList<>())
            .add(snap);
      }
      byService.values().forEach(l -> l.sort(Comparator.comparing(Snapshot::time).reversed()));
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", s.host());
        Map<String, Object> services = new LinkedHashMap<>();
        byService.forEach(
            (svc, l) -> services.put(svc, l.stream().map(SnapshotsCommand::toMap).toList()));
        m.put("services", services);
        m.put("legacy", legacy.stream().map(LegacyCommand::toMap).toList());
        Json.print(out, m);
        return 0;
      }
      out.println("Snapshots of host '" + s.host() + "' (" + snaps.size() + "):");
      byService.forEach(
          (svc, l) -> {
            out.println("  " + svc);
            l.forEach(
                x ->
                    out.printf(
                        "    %s  %s  %s%n", x.shortId(), x.time(), String.join(" ", x.paths())));
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
