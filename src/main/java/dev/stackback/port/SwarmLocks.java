package dev.stackback.port;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Port to what a lock across the managers of a swarm is made of (issue 11): a swarm config, which
 * the managers' raft store creates at most once per name, and the tasks and nodes that tell whether
 * its holder still lives. Only used with {@code SWARM_MODE=true}, on a manager.
 */
public interface SwarmLocks {

  /** The node of the engine we talk to, or empty when that engine is not in an active swarm. */
  Optional<SwarmNode> localNode();

  /**
   * Creates the config {@code name} with {@code labels} and {@code data}; its id, or empty when a
   * config of that name exists (the engine's 409): creating it is the atomic "take".
   */
  Optional<String> createConfig(String name, Map<String, String> labels, byte[] data);

  /** The config named exactly {@code name}, or empty when there is none. */
  Optional<SwarmConfig> config(String name);

  /** Removes a config by id; one that is already gone is no error. */
  void removeConfig(String id);

  /** One task by id, or empty when the swarm no longer has it. */
  Optional<SwarmTask> task(String id);

  /** Every node of the swarm with its state and role. */
  List<SwarmNodeStatus> nodes();

  /**
   * A swarm config as the manager reports it.
   *
   * @param id config id
   * @param name its name
   * @param labels its labels
   */
  record SwarmConfig(String id, String name, Map<String, String> labels) {
    public SwarmConfig {
      labels = Map.copyOf(labels);
    }
  }

  /**
   * A node of the swarm.
   *
   * @param id node id
   * @param hostname its hostname
   * @param state {@code ready}, {@code down}, {@code unknown} or {@code disconnected}
   * @param manager whether it is a manager
   * @param leader whether it is the managers' leader
   */
  record SwarmNodeStatus(
      String id, String hostname, String state, boolean manager, boolean leader) {
    /** Whether the swarm has lost it: its tasks and containers are gone with it. */
    public boolean down() {
      return "down".equals(state) || "disconnected".equals(state);
    }
  }
}
