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
import java.util.function.Predicate;

/**
 * Restores into a swarm service (SWARM_MODE, issue 11) act on the node of its task: stack-back's
 * own, or another node through that node's stack-back agent (its worker mounts that node's volumes,
 * its execs reach that node's containers). A service whose task runs on a node without an agent is
 * refused before anything is touched: an in-place restore would scale the service to 0 and fill a
 * new, empty volume of the same name on stack-back's node.
 */
public final class SwarmPlacement {
  private SwarmPlacement() {}

  /**
   * Swarm service {@code service} has tasks the swarm wants running on {@code nodes} (hostnames, or
   * "(not assigned yet)"), not on node {@code self}: stack-back's, or with {@code agentNode} the
   * other node whose volumes were restored through its agent.
   */
  public record Elsewhere(String service, List<String> nodes, String self, boolean agentNode) {
    public Elsewhere {
      nodes = List.copyOf(nodes);
    }

    /** Tasks elsewhere than stack-back's own node {@code self}. */
    public Elsewhere(String service, List<String> nodes, String self) {
      this(service, nodes, self, false);
    }

    /** Why a restore into it is refused before anything is touched. */
    public String refusal() {
      return where()
          + "; stack-back cannot restore into it there: no stack-back agent runs on "
          + (nodes.size() == 1 ? "that node" : "those nodes")
          + " (stack-back as a global service with AGENT_TOKEN has one on every node), so"
          + " nothing was touched: pin the service to "
          + self
          + " (deploy.placement.constraints) or deploy the agent there, and restore again";
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
          + (agentNode ? " other than the restored volumes' (" : " other than stack-back's (")
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
    return elsewhere(swarm, name, node -> false);
  }

  /**
   * As {@link #elsewhere(SwarmRuntime, String)}, where a node for which {@code agent} is true (it
   * has a stack-back agent: a restore there goes through it) counts as reachable, not elsewhere.
   */
  public static Optional<Elsewhere> elsewhere(
      SwarmRuntime swarm, String name, Predicate<String> agent) {
    Optional<SwarmNode> here = swarm.localNode();
    if (here.isEmpty() || !here.get().manager()) {
      return Optional.empty();
    }
    return outside(
        swarm, name, here.get().id(), node -> node.equals(here.get().id()) || agent.test(node));
  }

  /**
   * After an in-place restore into the volumes of node {@code restored} (a node id; null or empty:
   * stack-back's own): where service {@code name}'s tasks run when one runs on another node (or is
   * not assigned yet), named against {@code restored}; empty when they all run there.
   */
  public static Optional<Elsewhere> notOn(SwarmRuntime swarm, String name, String restored) {
    Optional<SwarmNode> here = swarm.localNode();
    if (here.isEmpty() || !here.get().manager()) {
      return Optional.empty();
    }
    String node = restored == null || restored.isEmpty() ? here.get().id() : restored;
    return outside(swarm, name, node, node::equals)
        .map(e -> new Elsewhere(e.service(), e.nodes(), e.self(), !node.equals(here.get().id())));
  }

  /** The tasks of {@code name} on nodes that are not {@code inside}, named against {@code self}. */
  private static Optional<Elsewhere> outside(
      SwarmRuntime swarm, String name, String self, Predicate<String> inside) {
    Optional<SwarmService> service =
        swarm.services().stream().filter(s -> s.name().equals(name)).findFirst();
    if (service.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> hostnames = swarm.nodeHostnames();
    Set<String> nodes = new LinkedHashSet<>();
    for (SwarmTask t : swarm.tasksOf(service.get().id())) {
      if ("running".equals(t.desiredState())
          && (t.nodeId().isEmpty() || !inside.test(t.nodeId()))) {
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
