package dev.stackback.port;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Port to the Swarm API of a manager (issue 11): services, tasks and nodes of the whole cluster,
 * and the one change stack-back makes to a service (its replica count, labels and placement
 * constraints, in one update). Only used with {@code SWARM_MODE=true}.
 */
public interface SwarmRuntime {

  /** The node of the engine we talk to, or empty when that engine is not in an active swarm. */
  Optional<SwarmNode> localNode();

  /** Every service of the swarm. */
  List<SwarmService> services();

  /** One service by id, or empty when it does not exist (any more). */
  Optional<SwarmService> service(String id);

  /** Tasks the swarm wants running (desired state {@code running}), of every node. */
  List<SwarmTask> runningTasks();

  /** Every task of one service whatever its desired state (task history included). */
  List<SwarmTask> tasksOf(String serviceId);

  /**
   * The overlay-network addresses of a service's running tasks, for reaching stack-back's agents
   * (issue 11): node id to (network id to IP address), the ingress network left out; one task per
   * node (a global service has no more). The default: none known (no agents).
   */
  default Map<String, Map<String, String>> taskAddresses(String serviceId) {
    return Map.of();
  }

  /** Node id to hostname, for every node. */
  Map<String, String> nodeHostnames();

  /**
   * Changes a service's spec in one update, based on spec {@code version} (a service changed since
   * is refused by the engine): the replica count, labels and placement constraints as {@code
   * change} says. Every other part of the spec is sent back exactly as the engine reported it, so
   * no task restarts for it.
   */
  void updateService(String id, long version, SwarmUpdate change);
}
