package dev.stackback.lock;

import dev.stackback.lock.EngineLock.Dead;
import dev.stackback.lock.EngineLock.Unknown;
import dev.stackback.lock.EngineLock.Verdict;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.SwarmLocks;
import dev.stackback.port.SwarmLocks.SwarmNodeStatus;
import dev.stackback.port.SwarmTask;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * One run per backup host in a whole swarm ({@code SWARM_MODE=true}, issue 11): a swarm config
 * named after the host ({@link #name}), created when a run begins and removed when it ends. The
 * managers' raft store creates a name at most once, so creating it is the atomic "take" on every
 * manager at once; a name conflict means another run holds it. Its labels ({@link SwarmLockHolder})
 * say who holds it and where, so a lock left by a killed run is recognised as stale:
 *
 * <ul>
 *   <li>its node has left the swarm or is down: stale (its containers are gone with it, or cut off
 *       from the managers);
 *   <li>it ran on our node: judged as an engine lock ({@link EngineLock}): its container, its pid
 *       with its start time;
 *   <li>it ran in a swarm task on another node: stale when the task is gone or no longer running
 *       (its container was killed or removed); while the task runs, its process cannot be seen from
 *       here, and the lock counts as held (the stack-back on that node, which can look, clears it
 *       at its next run);
 *   <li>it ran on another node outside a task: it counts as held.
 * </ul>
 *
 * Age alone never makes a lock stale. A stale lock is removed by its id (never by name), so two
 * runs that both found it stale cannot remove each other's new lock: the loser's create fails and
 * it reports busy.
 */
public final class SwarmLock implements AutoCloseable {

  private final Takeover.Store store;
  private final String id;
  private final String name;

  private SwarmLock(Takeover.Store store, String id, String name) {
    this.store = store;
    this.id = id;
    this.name = name;
  }

  /** What {@link #acquire} got. */
  public sealed interface Result {}

  /** The lock is ours until {@link SwarmLock#close()}. */
  public record Acquired(SwarmLock lock) implements Result {}

  /** Another run holds it; {@code message} says who, on which node, and what to do. */
  public record Busy(String message) implements Result {}

  /**
   * The lock config's name for {@code host}: {@code stack-back-lock-<host>-<hash>} as for the
   * engine lock, the host cut to 38 characters (swarm names have at most 64).
   */
  public static String name(String host) {
    return EngineLock.name(host, 38);
  }

  /**
   * Takes the swarm lock for {@code me}'s host; clears a stale lock on the way. {@code runtime} is
   * the engine of {@code me}'s node (it judges holders that ran there).
   */
  public static Result acquire(SwarmLocks swarm, ContainerRuntime runtime, SwarmLockHolder me) {
    String name = name(me.host());
    byte[] data =
        ("stack-back swarm lock for backup host " + me.host() + "\n")
            .getBytes(StandardCharsets.UTF_8);
    // swarm locks are swarm configs
    Takeover.Store store =
        new Takeover.Store(
            "swarm lock",
            "a swarm config",
            "docker config rm",
            (n, labels) -> swarm.createConfig(n, labels, data),
            n -> swarm.config(n).map(c -> Map.entry(c.id(), c.labels())),
            swarm::removeConfig);
    return switch (Takeover.take(
        store,
        name,
        me.labels(),
        SwarmLockHolder::fromLabels,
        h -> judge(swarm, runtime, h, me.nodeId()))) {
      case Takeover.Took t -> new Acquired(new SwarmLock(store, t.id(), name));
      case Takeover.Busy b -> new Busy(b.message());
    };
  }

  /** Whether the holder of a swarm lock still runs, seen from node {@code ourNodeId}. */
  static Verdict judge(
      SwarmLocks swarm, ContainerRuntime runtime, SwarmLockHolder h, String ourNodeId) {
    Optional<SwarmNodeStatus> node =
        swarm.nodes().stream().filter(n -> n.id().equals(h.nodeId())).findFirst();
    if (node.isEmpty()) {
      return new Dead("its node '" + h.nodeName() + "' has left the swarm");
    }
    if (node.get().down()) {
      return new Dead("its node '" + h.nodeName() + "' is " + node.get().state());
    }
    if (h.nodeId().equals(ourNodeId)) {
      return EngineLock.judge(runtime, h.holder());
    }
    if (h.task().isEmpty()) {
      return new Unknown(
          "it runs on node '" + h.nodeName() + "' outside a swarm task, where we cannot look");
    }
    Optional<SwarmTask> task = swarm.task(h.task());
    if (task.isEmpty()) {
      return new Dead("its swarm task " + h.task() + " is gone");
    }
    if (!task.get().running()) {
      return new Dead("its swarm task " + h.task() + " is " + task.get().state());
    }
    return new Unknown(
        "its task runs on node '"
            + h.nodeName()
            + "', where we cannot look for pid "
            + h.holder().process().pid()
            + "; the stack-back there clears a stale lock at its next run");
  }

  /** Releases the lock; a failure is logged (the next run finds the lock stale). */
  @Override
  public void close() {
    Takeover.release(store, id, name);
  }
}
