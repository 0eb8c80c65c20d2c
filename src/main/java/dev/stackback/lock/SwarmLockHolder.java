package dev.stackback.lock;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who holds a swarm lock, as written in the labels of its swarm config: the same process, container
 * and run facts as an engine lock ({@link LockHolder}), and where in the swarm it runs.
 *
 * @param holder the process, its container, {@code STATE_DIR}, trigger and start
 * @param nodeId the id of the swarm node it runs on
 * @param node that node's hostname, for messages
 * @param task the swarm task its container belongs to, "" when it is no task (a plain container or
 *     a process on the host)
 */
public record SwarmLockHolder(LockHolder holder, String nodeId, String node, String task)
    implements Takeover.Holder {
  static final String NODE_ID = LockHolder.PREFIX + ".node-id";
  static final String NODE = LockHolder.PREFIX + ".node";
  static final String TASK = LockHolder.PREFIX + ".task";

  /** The labels of the lock's config. */
  Map<String, String> labels() {
    Map<String, String> l = new LinkedHashMap<>(holder.labels());
    l.put(NODE_ID, nodeId);
    l.put(NODE, node);
    l.put(TASK, task);
    return l;
  }

  /** The holder a lock config's labels describe, empty when they are not ours. */
  static Optional<SwarmLockHolder> fromLabels(Map<String, String> l) {
    String nodeId = l.get(NODE_ID);
    if (nodeId == null || nodeId.isEmpty()) {
      return Optional.empty();
    }
    return LockHolder.fromLabels(l)
        .map(
            h ->
                new SwarmLockHolder(h, nodeId, l.getOrDefault(NODE, ""), l.getOrDefault(TASK, "")));
  }

  @Override
  public String host() {
    return holder.host();
  }

  /** The node for messages: its hostname, or its id when the hostname is unknown. */
  String nodeName() {
    return node.isEmpty() ? nodeId : node;
  }

  /** For messages: "a manual run (pid 42 in container 'x', ...) since ... on swarm node 'n1'". */
  @Override
  public String describe() {
    return holder.describe() + " on swarm node '" + nodeName() + "'";
  }
}
