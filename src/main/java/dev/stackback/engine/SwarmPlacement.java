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
   * Why swarm service {@code name} cannot be restored from this node: a task the swarm wants
   * running is on another node (or not assigned yet). Empty when all its tasks run here, when no
   * swarm service has that name (not a swarm service: the plan decides), or when this engine is no
   * manager (the plan's {@code SWARM_MODE} error says so).
   */
  public static Optional<String> elsewhere(SwarmRuntime swarm, String name) {
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
    if (nodes.isEmpty()) {
      return Optional.empty();
    }
    String selfName = hostnames.getOrDefault(self, self);
    return Optional.of(
        "service '"
            + name
            + "': node "
            + String.join(", ", List.copyOf(nodes))
            + ": its task runs on "
            + (nodes.size() == 1 ? "a node" : "nodes")
            + " other than stack-back's ("
            + selfName
            + "); stack-back cannot restore into it there yet (no agents on other nodes), so"
            + " nothing was touched: pin the service to "
            + selfName
            + " (deploy.placement.constraints) and restore again");
  }
}
