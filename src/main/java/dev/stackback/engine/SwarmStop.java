package dev.stackback.engine;

import static dev.stackback.plan.SwarmDiscovery.CONSTRAINT_LABEL;
import static dev.stackback.plan.SwarmDiscovery.NODES_LABEL;
import static dev.stackback.plan.SwarmDiscovery.REPLICAS_LABEL;
import static dev.stackback.plan.SwarmDiscovery.RUN_LABEL;

import dev.stackback.plan.SwarmDiscovery;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.SwarmRuntime;
import dev.stackback.port.SwarmService;
import dev.stackback.port.SwarmTask;
import dev.stackback.port.SwarmUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Stop-during-backup of a swarm service (SWARM_MODE, issue 11), never a {@code docker stop} of a
 * task (the swarm would start a replacement, and starting the old container again runs it outside
 * the swarm):
 *
 * <ul>
 *   <li>a replicated service is scaled to 0;
 *   <li>a global service gets a placement constraint no node meets ({@code
 *       node.id==stack-back-stopped-<run id>}), so the swarm shuts its tasks down; the user's own
 *       constraints stay.
 * </ul>
 *
 * What it takes to undo (the replica count, or the constraint and the nodes the tasks ran on) and
 * the run id go into service labels in the same spec update, so whoever finds the service later
 * (this run's finally, its SIGTERM handling, the next start's recovery) knows what to undo.
 *
 * <p>A scale-back never overwrites a change someone else made meanwhile (a {@code docker stack
 * deploy}, {@code docker service update} or {@code scale}): the run compares the spec with the one
 * its own update left, and a service no longer at 0 keeps the user's replica count. Such a service
 * only loses stack-back's labels and constraint (if still there), and the scale-back reports it.
 */
final class SwarmStop {
  /** How often the tasks are looked at while waiting. */
  static final Duration POLL = Duration.ofMillis(200);

  /** Value prefix of the constraint that stops a global service: no node has such an id. */
  static final String STOPPED_NODE = "stack-back-stopped-";

  /** Spec updates tried when the engine refuses one (a concurrent update changed the version). */
  private static final int ATTEMPTS = 3;

  private final SwarmRuntime swarm;

  SwarmStop(SwarmRuntime swarm) {
    this.swarm = swarm;
  }

  /**
   * What one stop did, kept by the run for its scale-back (the labels may be gone by then: a {@code
   * docker stack deploy} replaces them).
   *
   * @param name the service's name
   * @param global whether it is a global service (stopped by {@code constraint})
   * @param replicas the replica count it had (a replicated service)
   * @param constraint the placement constraint added (a global service), else ""
   * @param nodes the node ids its tasks ran on (a global service: where they must run again; a
   *     replicated one: where its volumes are, see {@link Restored#movedTo})
   * @param digest the digest of its spec right after the stop ("" when unknown)
   * @param message what was done, for the stop step
   */
  record Stopped(
      String name,
      boolean global,
      long replicas,
      String constraint,
      List<String> nodes,
      String digest,
      String message) {
    Stopped {
      nodes = List.copyOf(nodes);
    }
  }

  /**
   * What a scale-back did.
   *
   * @param message for the start step
   * @param changedByOthers the spec was changed by someone else since the stop (the run must say
   *     so: its snapshot may have been taken while the service ran)
   * @param movedTo hostnames of nodes a replicated service's tasks run on after the scale-back that
   *     none ran on before it (an unpinned service the scheduler placed elsewhere: a named volume
   *     there is another volume than the one backed up); empty when none, and when someone else
   *     changed the spec
   */
  record Restored(String message, boolean changedByOthers, List<String> movedTo) {
    Restored {
      movedTo = List.copyOf(movedTo);
    }

    Restored(String message, boolean changedByOthers) {
      this(message, changedByOthers, List.of());
    }
  }

  /** The constraint that stops a global service for run {@code runId}. */
  static String constraintFor(String runId) {
    return "node.id==" + STOPPED_NODE + runId;
  }

  /**
   * Stops service {@code id}: scales a replicated one to 0, adds a constraint no node meets to a
   * global one; what it takes to undo it and {@code runId} go into its labels in the same update.
   * Waits up to {@code timeout} until none of its tasks runs any more.
   *
   * @throws ContainerRuntimeException for a service that is gone, a refused update, or tasks still
   *     running at the deadline (the labels are set then: undo with {@link #restore})
   */
  Stopped stop(String id, String runId, Duration timeout) {
    SwarmService s = existing(id);
    Stopped stopped;
    if (s.global()) {
      // a constraint and nodes a dead run stored (and nobody removed yet) win over what it left
      String constraint = s.labels().getOrDefault(CONSTRAINT_LABEL, constraintFor(runId));
      List<String> nodes =
          s.labels().containsKey(NODES_LABEL) ? split(s.labels().get(NODES_LABEL)) : nodesOf(id);
      swarm.updateService(
          id,
          s.version(),
          new SwarmUpdate(
              OptionalLong.empty(),
              Map.of(RUN_LABEL, runId, CONSTRAINT_LABEL, constraint, NODES_LABEL, join(nodes, ",")),
              Set.of(),
              List.of(constraint),
              Set.of()));
      stopped =
          new Stopped(
              s.name(),
              true,
              0,
              constraint,
              nodes,
              digest(id),
              "stopped global service: added placement constraint '"
                  + constraint
                  + "' (its tasks ran on "
                  + hostnames(nodes)
                  + ")");
    } else {
      // a count a dead run stored (and nobody scaled back yet) wins over the 0 it left
      long before = s.labels().containsKey(REPLICAS_LABEL) ? count(s) : s.replicas();
      List<String> nodes = nodesOf(id); // where its tasks (and volumes) are

      swarm.updateService(
          id,
          s.version(),
          new SwarmUpdate(
              OptionalLong.of(0),
              Map.of(REPLICAS_LABEL, Long.toString(before), RUN_LABEL, runId),
              Set.of(),
              List.of(),
              Set.of()));
      stopped =
          new Stopped(
              s.name(),
              false,
              before,
              "",
              nodes,
              digest(id),
              "scaled service to 0 (from " + before + ")");
    }
    String digest = stopped.digest();
    await(
        () -> {
          if (swarm.tasksOf(id).stream().noneMatch(SwarmTask::mayRun)) {
            return true;
          }
          // a redeploy meanwhile (replicas back, our labels gone) would keep tasks running: say so
          String now = digest(id);
          if (!digest.isEmpty() && !now.equals(digest)) {
            throw new ContainerRuntimeException(
                "service '"
                    + s.name()
                    + "' was changed by someone else while stack-back waited for its tasks to"
                    + " stop (docker stack deploy, docker service update or scale?)");
          }
          return false;
        },
        timeout,
        "the tasks of service '" + s.name() + "' did not stop within " + timeout.toSeconds() + "s",
        true);
    return stopped;
  }

  /**
   * Undoes the stop of service {@code id} and removes stack-back's labels in the same update, then
   * waits up to {@code timeout} until its tasks run again: as many as its replicas, or one on each
   * node a global service ran on. {@code ours} is what this run's stop did (null in recovery, or
   * when the stop failed half-way: then the labels say what to undo). A service changed by someone
   * else meanwhile keeps their changes (see the class comment).
   *
   * @return what was done, or empty when there was nothing to do (no label, nothing of ours)
   */
  Optional<Restored> restore(String id, Stopped ours, Duration timeout) {
    Undo undo = null;
    RuntimeException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Optional<SwarmService> s = swarm.service(id);
      if (s.isEmpty()) {
        if (ours == null) {
          return Optional.empty();
        }
        return Optional.of(
            new Restored(
                "service '"
                    + ours.name()
                    + "' was removed by someone else during the run; nothing to scale back",
                true));
      }
      undo = undo(s.get(), ours);
      if (undo == null) {
        return Optional.empty();
      }
      try {
        if (!undo.change().isEmpty()) {
          swarm.updateService(id, s.get().version(), undo.change());
        }
        last = null;
        break;
      } catch (ContainerRuntimeException e) {
        last = e; // e.g. "update out of sequence": read the new version and try again
      }
    }
    if (last != null) {
      throw last;
    }
    Undo u = undo;
    await(
        () -> u.running().test(swarm.tasksOf(id)),
        timeout,
        u.failure() + " within " + timeout.toSeconds() + "s",
        false);
    return Optional.of(new Restored(u.message(), u.changedByOthers(), movedTo(id, ours, u)));
  }

  /**
   * The start step's failure for a service whose scaled-back task {@link Restored#movedTo moved} to
   * another node than its volumes'.
   */
  String movedMessage(Stopped ours, List<String> movedTo) {
    String before = hostnames(ours.nodes());
    return "service '"
        + ours.name()
        + "' was scaled back, but the swarm started its task on "
        + String.join(", ", movedTo)
        + " (it ran on "
        + before
        + "): a named volume there is another volume than the one backed up, so it may run"
        + " without its data; pin the service to "
        + before
        + " (deploy.placement.constraints: [node.hostname == "
        + before
        + "]) and redeploy";
  }

  /**
   * Nodes the scaled-back tasks of a replicated service run on where none ran before its stop, as
   * hostnames; empty for a global service, without this run's stop, or after someone else's change.
   */
  private List<String> movedTo(String id, Stopped ours, Undo u) {
    if (ours == null || ours.global() || ours.nodes().isEmpty() || u.changedByOthers()) {
      return List.of();
    }
    Map<String, String> names = swarm.nodeHostnames();
    return running(swarm.tasksOf(id)).stream()
        .map(SwarmTask::nodeId)
        .filter(n -> !n.isEmpty() && !ours.nodes().contains(n))
        .distinct()
        .map(n -> names.getOrDefault(n, n))
        .toList();
  }

  /** A scale-back: the update, what to wait for, and how to report it. */
  private record Undo(
      SwarmUpdate change,
      java.util.function.Predicate<List<SwarmTask>> running,
      String failure,
      String message,
      boolean changedByOthers) {}

  /** What to do to undo the stop of {@code s}, or null when nothing of ours is there. */
  private Undo undo(SwarmService s, Stopped ours) {
    Set<String> labels = new HashSet<>(s.labels().keySet());
    labels.retainAll(SwarmDiscovery.STATE_LABELS);
    if (labels.isEmpty() && ours == null) {
      return null;
    }
    // our own update left digest ours.digest(): any other one means someone else changed the spec
    boolean changed =
        ours != null
            && !ours.digest().isEmpty()
            && !ours.digest().equals(s.specDigest())
            && !s.specDigest().isEmpty();
    return s.global()
        ? undoGlobal(s, ours, labels, changed)
        : undoReplicated(s, ours, labels, changed);
  }

  private Undo undoReplicated(SwarmService s, Stopped ours, Set<String> labels, boolean changed) {
    // -1: no count known (a label left without its count): the service is only unlabelled
    long stored =
        s.labels().containsKey(REPLICAS_LABEL) ? count(s) : ours == null ? -1 : ours.replicas();
    // only a service still at 0 is scaled back: another count is someone else's decision
    boolean atZero = s.replicas() == 0;
    boolean scale = atZero && stored > 0;
    long target = scale ? stored : s.replicas();
    boolean byOthers = changed || !atZero;
    String did =
        scale
            ? "scaled service back to " + stored + (byOthers ? " (they left it at 0)" : "")
            : atZero
                ? "left at 0: " + (stored < 0 ? "no replica count stored" : "it had 0 before")
                : "kept their replica count " + s.replicas();
    return new Undo(
        new SwarmUpdate(
            scale ? OptionalLong.of(stored) : OptionalLong.empty(),
            Map.of(),
            labels,
            List.of(),
            Set.of()),
        tasks -> running(tasks).size() >= target,
        "service '" + s.name() + "' was scaled back to " + target + " but its tasks did not run",
        byOthers ? changedMessage(s, did) : did,
        byOthers);
  }

  private Undo undoGlobal(SwarmService s, Stopped ours, Set<String> labels, boolean changed) {
    String constraint =
        s.labels().getOrDefault(CONSTRAINT_LABEL, ours == null ? "" : ours.constraint());
    List<String> nodes =
        s.labels().containsKey(NODES_LABEL)
            ? split(s.labels().get(NODES_LABEL))
            : ours == null ? List.of() : ours.nodes();
    boolean ourConstraint = !constraint.isEmpty() && s.constraints().contains(constraint);
    boolean byOthers = changed || !ourConstraint; // removed by someone else (a redeploy)
    // nodes gone from the swarm meanwhile are not waited for
    Set<String> wanted = new LinkedHashSet<>(nodes);
    wanted.retainAll(swarm.nodeHostnames().keySet());
    String did =
        ourConstraint
            ? "removed placement constraint '"
                + constraint
                + "': tasks run again on "
                + hostnames(List.copyOf(wanted))
            : "stack-back's placement constraint was gone already";
    return new Undo(
        new SwarmUpdate(
            OptionalLong.empty(),
            Map.of(),
            labels,
            List.of(),
            ourConstraint ? Set.of(constraint) : Set.of()),
        // after someone else's change, their spec decides where tasks run: nothing to wait for
        tasks ->
            byOthers || running(tasks).stream().map(SwarmTask::nodeId).toList().containsAll(wanted),
        "global service '"
            + s.name()
            + "': its placement constraint was removed but its tasks did not run again on "
            + hostnames(List.copyOf(wanted)),
        byOthers ? changedMessage(s, did) : did,
        byOthers);
  }

  private static String changedMessage(SwarmService s, String did) {
    return "service '"
        + s.name()
        + "' was changed by someone else during the run (docker stack deploy, docker service"
        + " update or scale?): its snapshot may not be consistent; stack-back kept their spec ("
        + did
        + ") and removed only its own labels";
  }

  private static List<SwarmTask> running(List<SwarmTask> tasks) {
    return tasks.stream().filter(t -> "running".equals(t.desiredState()) && t.running()).toList();
  }

  /** The nodes where tasks of service {@code id} that the swarm wants running are. */
  private List<String> nodesOf(String id) {
    Set<String> nodes = new LinkedHashSet<>();
    swarm.tasksOf(id).stream()
        .filter(t -> "running".equals(t.desiredState()) && t.mayRun() && !t.nodeId().isEmpty())
        .forEach(t -> nodes.add(t.nodeId()));
    return List.copyOf(nodes);
  }

  private String digest(String id) {
    return swarm.service(id).map(SwarmService::specDigest).orElse("");
  }

  /** Node ids as hostnames, for messages. */
  private String hostnames(List<String> nodes) {
    if (nodes.isEmpty()) {
      return "no node";
    }
    Map<String, String> names = swarm.nodeHostnames();
    return join(nodes.stream().map(n -> names.getOrDefault(n, n)).toList(), ", ");
  }

  private static String join(List<String> items, String separator) {
    return String.join(separator, items);
  }

  private static List<String> split(String value) {
    List<String> out = new ArrayList<>();
    Arrays.stream(value.split(",")).map(String::strip).filter(v -> !v.isEmpty()).forEach(out::add);
    return out;
  }

  private SwarmService existing(String id) {
    return swarm
        .service(id)
        .orElseThrow(() -> new ContainerRuntimeException("service " + id + " does not exist"));
  }

  private static long count(SwarmService s) {
    String value = s.labels().get(REPLICAS_LABEL);
    try {
      long n = Long.parseLong(value.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ContainerRuntimeException(
          "service '"
              + s.name()
              + "': label '"
              + REPLICAS_LABEL
              + "' is '"
              + value
              + "', not a replica count; scale it by hand and remove the label");
    }
  }

  /**
   * Polls {@code done} until it holds or {@code timeout} passed. An interrupt ends an {@code
   * interruptible} wait at once; a wait that must not be cut short (scaling back) goes on and keeps
   * the interrupt flag for the caller.
   */
  private static void await(
      BooleanSupplier done, Duration timeout, String failure, boolean interruptible) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean interrupted = false;
    try {
      while (!done.getAsBoolean()) {
        if (System.nanoTime() - deadline > 0) {
          throw new ContainerRuntimeException(failure);
        }
        try {
          Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
          if (interruptible) {
            Thread.currentThread().interrupt();
            throw new ContainerRuntimeException("interrupted: " + failure);
          }
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
