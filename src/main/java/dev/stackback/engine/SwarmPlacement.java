package dev.stackback.engine;

import dev.stackback.port.SwarmNode;
import dev.stackback.port.SwarmRuntime;
import dev.stackback.port.SwarmService;
import dev.stackback.port.SwarmTask;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Restores into a swarm service (SWARM_MODE, issue 11) act on stack-back's own node only: its
 * workers mount the node's volumes and its execs reach the node's containers. A service whose task
 * runs on another node is refused before anything is touched: an in-place restore there would scale
 * the service to 0 and fill a new, empty volume of the same name on stack-back's node.
 */
public final class SwarmPlacement {
  private SwarmPlacement() {}

  /**
   * Swarm service {@code service} has tasks the swarm wants running on {@code nodes} (hostnames, or
   * "(not assigned yet)"), not on stack-back's node {@code self}.
   */
  public record Elsewhere(String service, List<String> nodes, String self) {
    public Elsewhere {
      nodes = List.copyOf(nodes);
    }

    /** Why a restore into it is refused before anything is touched. */
    public String refusal() {
      return where()
          + "; stack-back cannot restore into it there yet (no agents on other nodes), so"
          + " nothing was touched: pin the service to "
          + self
          + " (deploy.placement.constraints) and restore again";
    }

    /** What went wrong when its task landed on another node after an in-place restore. */
    public String afterRestore() {
      return where()
          + " since it was scaled back after the restore, but the restored volumes are "
          + self
          + "'s: pin the service to "
          + self
          + " (deploy.placement.constraints) so that its task runs with them";
    }

    private String where() {
      return "service '"
          + service
          + "': node "
          + String.join(", ", nodes)
          + ": its task runs on "
          + (nodes.size() == 1 ? "a node" : "nodes")
          + " other than stack-back's ("
          + self
          + ")";
    }
  }

  /**
   * Where swarm service {@code name} runs when a task the swarm wants running is on another node
   * than this one (or not assigned yet). Empty when all its tasks run here, when no swarm service
   * has that name (not a swarm service: the plan decides), or when this engine is no manager (the
   * plan's {@code SWARM_MODE} error says so).
   */
  public static Optional<Elsewhere> elsewhere(SwarmRuntime swarm, String name) {
    Optional<SwarmNode> here = swarm.localNode();
    if (here.isEmpty() || !here.get().manager()) {
      return Optional.empty();
    }
    Optional<SwarmService> service =
        swarm.services().stream().filter(s -> s.name().equals(name)).findFirst();
    if (service.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> hostnames = swarm.nodeHostnames();
    String self = here.get().id();
    Set<String> nodes = new LinkedHashSet<>();
    for (SwarmTask t : swarm.tasksOf(service.get().id())) {
      if ("running".equals(t.desiredState()) && !t.nodeId().equals(self)) {
        nodes.add(
            t.nodeId().isEmpty()
                ? "(not assigned yet)"
                : hostnames.getOrDefault(t.nodeId(), t.nodeId()));
      }
    }
    return nodes.isEmpty()
        ? Optional.empty()
        : Optional.of(new Elsewhere(name, List.copyOf(nodes), hostnames.getOrDefault(self, self)));
  }
}
