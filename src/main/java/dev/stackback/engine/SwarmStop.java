package dev.stackback.engine;

import static dev.stackback.plan.SwarmDiscovery.REPLICAS_LABEL;
import static dev.stackback.plan.SwarmDiscovery.RUN_LABEL;

import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.SwarmRuntime;
import dev.stackback.port.SwarmService;
import dev.stackback.port.SwarmTask;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Stop-during-backup of a swarm service (SWARM_MODE, issue 11): scale to 0, never a {@code docker
 * stop} of a task (the swarm would start a replacement, and starting the old container again runs
 * it outside the swarm). The replica count and the run id go into service labels in the same spec
 * update that scales to 0, so whoever finds the service later (this run's finally, its SIGTERM
 * handling, the next start's recovery) knows what to scale back to.
 */
final class SwarmStop {
  /** How often the tasks are looked at while waiting. */
  static final Duration POLL = Duration.ofMillis(200);

  /** Spec updates tried when the engine refuses one (a concurrent update changed the version). */
  private static final int ATTEMPTS = 3;

  private final SwarmRuntime swarm;

  SwarmStop(SwarmRuntime swarm) {
    this.swarm = swarm;
  }

  /**
   * Scales service {@code id} to 0, storing its replica count and {@code runId} in its labels, and
   * waits up to {@code timeout} until none of its tasks runs any more.
   *
   * @return the replica count it had (the one stored)
   * @throws ContainerRuntimeException for a global service (refused: it cannot be scaled), a
   *     service that is gone, a refused update, or tasks still running at the deadline (the labels
   *     are set then: scale back with {@link #restore})
   */
  long scaleToZero(String id, String runId, Duration timeout) {
    SwarmService s = existing(id);
    if (s.global()) {
      throw new ContainerRuntimeException(
          "service '"
              + s.name()
              + "' runs in global mode: stop-during-backup is refused for it (a global service"
              + " cannot be scaled to 0); remove stop-during-backup or make it replicated");
    }
    // a count a dead run stored (and nobody scaled back yet) wins over the 0 it left
    long before = s.labels().containsKey(REPLICAS_LABEL) ? count(s) : s.replicas();
    swarm.updateService(
        id,
        s.version(),
        OptionalLong.of(0),
        Map.of(REPLICAS_LABEL, Long.toString(before), RUN_LABEL, runId),
        Set.of());
    await(
        () -> swarm.tasksOf(id).stream().noneMatch(SwarmTask::mayRun),
        timeout,
        "the tasks of service '" + s.name() + "' did not stop within " + timeout.toSeconds() + "s",
        true);
    return before;
  }

  /**
   * Scales service {@code id} back to the replica count in its label and removes both labels in the
   * same update, then waits up to {@code timeout} until that many of its tasks run. A service
   * without the label (never scaled by us, or scaled back already) is left alone.
   *
   * @return the count it was scaled back to, or empty when there was nothing to do
   */
  OptionalLong restore(String id, Duration timeout) {
    SwarmService s = null;
    RuntimeException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      s = existing(id);
      if (!s.labels().containsKey(REPLICAS_LABEL)) {
        return OptionalLong.empty();
      }
      try {
        swarm.updateService(
            id,
            s.version(),
            OptionalLong.of(count(s)),
            Map.of(),
            Set.of(REPLICAS_LABEL, RUN_LABEL));
        last = null;
        break;
      } catch (ContainerRuntimeException e) {
        last = e; // e.g. "update out of sequence": read the new version and try again
      }
    }
    if (last != null) {
      throw last;
    }
    long n = count(s);
    String name = s.name();
    await(
        () ->
            swarm.tasksOf(id).stream()
                    .filter(t -> "running".equals(t.desiredState()) && t.running())
                    .count()
                >= n,
        timeout,
        "service '"
            + name
            + "' was scaled back to "
            + n
            + " but its tasks did not run within "
            + timeout.toSeconds()
            + "s",
        false);
    return OptionalLong.of(n);
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
