package dev.stackback.cli;

import dev.stackback.port.Snapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Snapshots the Python stack-back made: no {@code stack-back} tag, every path under {@code
 * /volumes} or {@code /databases} (its one volume snapshot of {@code /volumes}, its dumps at {@code
 * /databases/<service>/<file>}), host = whatever its backup container's hostname was (a container
 * id, new every run). Our scoped retention ({@code --host <ours> --tag stack-back}) never touches
 * them.
 */
final class LegacySnapshots {
  static final String LABEL = "python stack-back (legacy)";

  private LegacySnapshots() {}

  /** Whether {@code s} has the Python tool's layout and none of our tags. */
  static boolean isLegacy(Snapshot s) {
    return !s.tags().contains("stack-back")
        && !s.paths().isEmpty()
        && s.paths().stream().allMatch(LegacySnapshots::pythonPath);
  }

  private static boolean pythonPath(String p) {
    return p.equals("/volumes")
        || p.startsWith("/volumes/")
        || p.equals("/databases")
        || p.startsWith("/databases/");
  }

  /** The legacy snapshots of {@code all}, oldest first. */
  static List<Snapshot> of(List<Snapshot> all) {
    List<Snapshot> out = new ArrayList<>(all.stream().filter(LegacySnapshots::isLegacy).toList());
    out.sort(Comparator.comparing(Snapshot::time));
    return out;
  }

  /** The hosts of the legacy snapshots in {@code all}. */
  static Set<String> hosts(List<Snapshot> all) {
    Set<String> hosts = new TreeSet<>();
    of(all).forEach(s -> hosts.add(s.hostname()));
    return hosts;
  }

  /**
   * Snapshots of those hosts that are not legacy: a forget by policy over the hosts would touch
   * them too, so it is refused while there are any.
   */
  static List<Snapshot> othersOnTheirHosts(List<Snapshot> all) {
    Set<String> hosts = hosts(all);
    return all.stream().filter(s -> hosts.contains(s.hostname()) && !isLegacy(s)).toList();
  }
}
