package dev.stackback.port;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The one kind of change stack-back makes to a swarm service's spec, in one update: its replica
 * count, its labels, its placement constraints. Everything else stays as the manager reported it.
 *
 * @param replicas the new replica count (a replicated service only), empty to keep it
 * @param addLabels labels to set
 * @param removeLabels label keys to remove
 * @param addConstraints placement constraints to append (one already there is not added twice)
 * @param removeConstraints placement constraints to remove (exactly these strings)
 */
public record SwarmUpdate(
    OptionalLong replicas,
    Map<String, String> addLabels,
    Set<String> removeLabels,
    List<String> addConstraints,
    Set<String> removeConstraints) {
  public SwarmUpdate {
    Objects.requireNonNull(replicas, "replicas");
    addLabels = Map.copyOf(addLabels);
    removeLabels = Set.copyOf(removeLabels);
    addConstraints = List.copyOf(addConstraints);
    removeConstraints = Set.copyOf(removeConstraints);
  }

  /** Whether it changes nothing (no update needs to be sent). */
  public boolean isEmpty() {
    return replicas.isEmpty()
        && addLabels.isEmpty()
        && removeLabels.isEmpty()
        && addConstraints.isEmpty()
        && removeConstraints.isEmpty();
  }
}
