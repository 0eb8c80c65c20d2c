package dev.stackback.port;

/**
 * A swarm task.
 *
 * @param id task id
 * @param serviceId its service
 * @param nodeId the node it is assigned to ("" while unassigned)
 * @param desiredState what the swarm wants ({@code running}, {@code shutdown}, ...)
 * @param state what it is ({@code running}, {@code complete}, {@code shutdown}, ...)
 * @param containerId its container's id ("" before it has one)
 */
public record SwarmTask(
    String id,
    String serviceId,
    String nodeId,
    String desiredState,
    String state,
    String containerId) {
  public SwarmTask {
    nodeId = nodeId == null ? "" : nodeId;
    containerId = containerId == null ? "" : containerId;
    desiredState = desiredState == null ? "" : desiredState;
    state = state == null ? "" : state;
  }

  /** Whether its container may still run: any state before one that is final. */
  public boolean mayRun() {
    return switch (state) {
      case "complete", "shutdown", "failed", "rejected", "orphaned", "remove" -> false;
      default -> true;
    };
  }

  /** Whether it runs now. */
  public boolean running() {
    return "running".equals(state);
  }
}
