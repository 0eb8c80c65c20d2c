package dev.stackback.docker;

import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.StartedContainer;
import dev.stackback.util.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for restarted containers with a Docker healthcheck to become healthy: all of them in one
 * polling loop (one inspect each per {@link #POLL}), each bounded by the health timeout counted
 * from its own start.
 */
final class ContainerHealth {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.start");
  static final Duration POLL = Duration.ofMillis(250);
  private static final int OUTPUT_LIMIT = 300;

  private ContainerHealth() {}

  /**
   * Polls {@code awaiting} until each is healthy, unhealthy, no longer running, or past {@code
   * timeout} after its start.
   *
   * @return a problem per container that did not become healthy
   */
  static Map<StartedContainer, StartedContainer.Problem> await(
      List<StartedContainer> awaiting,
      Duration timeout,
      Function<String, Optional<StartState>> inspect) {
    Map<StartedContainer, StartedContainer.Problem> problems = new LinkedHashMap<>();
    List<StartedContainer> pending = new ArrayList<>(awaiting);
    while (true) {
      for (Iterator<StartedContainer> it = pending.iterator(); it.hasNext(); ) {
        StartedContainer s = it.next();
        Optional<StartState> now = inspect.apply(s.id());
        Optional<String> dead = ContainerStarts.check(s, now);
        if (dead.isPresent()) {
          problems.put(s, new StartedContainer.Problem(s, dead.get()));
        } else {
          Optional<String> why = health(s, timeout, now.orElseThrow());
          if (why == null) {
            continue; // still starting, within its time
          }
          why.ifPresent(w -> problems.put(s, new StartedContainer.Problem(s, w, true)));
        }
        it.remove();
      }
      if (pending.isEmpty()) {
        return problems;
      }
      long soonest =
          pending.stream()
              .mapToLong(s -> s.startedNanos() + timeout.toNanos() - System.nanoTime())
              .min()
              .orElseThrow();
      sleep(Duration.ofNanos(Math.max(1_000_000, Math.min(POLL.toNanos(), soonest))));
    }
  }

  /**
   * Of a running container: empty when healthy, why when unhealthy or past its time, null while it
   * is still starting within its time.
   */
  private static Optional<String> health(StartedContainer s, Duration timeout, StartState now) {
    StartState.Health h = now.health();
    Duration up = Duration.ofNanos(System.nanoTime() - s.startedNanos());
    String who = "container '" + s.name() + "' ";
    if (h == null || "healthy".equals(h.status())) {
      LOG.info("{}is healthy {} after its start", who, Durations.format(up));
      return Optional.empty();
    }
    if ("unhealthy".equals(h.status())) {
      return Optional.of(who + "is unhealthy " + Durations.format(up) + " after start" + last(h));
    }
    if (up.compareTo(timeout) >= 0) {
      return Optional.of(
          who
              + "is not healthy "
              + Durations.format(up)
              + " after start (HEALTH_TIMEOUT "
              + Durations.format(timeout)
              + "; health: "
              + h.status()
              + ")"
              + last(h));
    }
    return null;
  }

  /** "; last health check: exit code 1: <output>" (bounded, one line), from the health log. */
  static String last(StartState.Health h) {
    if (!h.checked()) {
      return "; no health check has finished yet";
    }
    Long code = h.lastExitCode();
    String out =
        h.lastOutput() == null ? "" : h.lastOutput().strip().replaceAll("\\s*\\R\\s*", " / ");
    if (out.length() > OUTPUT_LIMIT) {
      out = out.substring(0, OUTPUT_LIMIT) + "…";
    }
    return "; last health check: exit code "
        + (code == null ? "?" : code)
        + (out.isEmpty() ? " (no output)" : ": " + out);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContainerRuntimeException("interrupted while waiting for a container's health", e);
    }
  }
}
