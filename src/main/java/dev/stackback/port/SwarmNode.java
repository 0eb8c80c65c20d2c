package dev.stackback.port;

/**
 * The swarm node of the engine we talk to.
 *
 * @param id the node id
 * @param manager whether this node is a manager (only managers answer the Swarm API)
 */
public record SwarmNode(String id, boolean manager) {}
