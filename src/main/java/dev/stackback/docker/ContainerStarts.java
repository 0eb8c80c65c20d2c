package dev.stackback.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.StartedContainer;
import dev.stackback.util.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starting containers without a settle sleep: {@link #start} returns as soon as Docker reports the
 * container running (a start is synchronous, so "exited" or "dead" right after it is a failed start
 * at once); {@link #confirmRunning} later checks, with one wait for all, that they stayed up.
 */
final class ContainerStarts {
  private static final Duration POLL = Duration.ofMillis(50);

  private final DockerClient client;
  // inspect as plain JSON when the transport allows it (see RawInspect), else null
  private final RawInspect raw;

  ContainerStarts(DockerClient client, RawInspect raw) {
    this.client = client;
    this.raw = raw;
  }

  StartedContainer start(String containerId, Duration timeout) {
    long t0 = System.nanoTime();
    try {
      client.startContainerCmd(containerId).exec();
    } catch (NotModifiedException e) {
      // already running
    } catch (DockerException | IllegalStateException e) {
      throw new ContainerRuntimeException(
          "cannot start container '" + containerId + "': " + e.getMessage(), e);
    }
    long deadline = t0 + timeout.toNanos();
    while (true) {
      StartState st =
          inspect(containerId)
              .orElseThrow(
                  () ->
                      new ContainerRuntimeException(
                          "container '" + containerId + "' vanished while starting"));
      String name = st.name();
      if (st.running()) {
        return new StartedContainer(
            st.id(), name, st.startedAt(), st.restartCount(), System.nanoTime());
      }
      if ("exited".equals(st.status()) || "dead".equals(st.status())) {
        throw new ContainerRuntimeException(
            "container '" + name + "' " + st.status() + " right after start" + exit(st));
      }
      long now = System.nanoTime();
      if (now > deadline) {
        throw new ContainerRuntimeException(
            "container '"
                + name
                + "' is not running "
                + Durations.format(Duration.ofNanos(now - t0))
                + " after start (state: "
                + st.status()
                + exitSuffix(st)
                + ")");
      }
      sleep(POLL);
    }
  }

  List<StartedContainer.Problem> confirmRunning(
      List<StartedContainer> started, Duration minUptime, Duration healthTimeout) {
    if (started.isEmpty()) {
      return List.of();
    }
    long last = started.stream().mapToLong(StartedContainer::startedNanos).max().orElseThrow();
    long wait = last + minUptime.toNanos() - System.nanoTime();
    if (wait > 0) {
      sleep(Duration.ofNanos(wait));
    }
    Map<StartedContainer, StartedContainer.Problem> problems = new LinkedHashMap<>();
    List<StartedContainer> awaiting = new ArrayList<>();
    List<StartedContainer> plain = new ArrayList<>();
    for (StartedContainer s : started) {
      Optional<StartState> now = inspect(s.id());
      Optional<String> why = check(s, now);
      if (why.isPresent()) {
        problems.put(s, new StartedContainer.Problem(s, why.get()));
      } else if (healthTimeout.isPositive() && now.get().health() != null) {
        awaiting.add(s);
      } else {
        plain.add(s);
      }
    }
    if (!awaiting.isEmpty()) {
      problems.putAll(ContainerHealth.await(awaiting, healthTimeout, this::inspect));
      // the others once more: one that died while a container it needs was starting shows now
      for (StartedContainer s : plain) {
        check(s, inspect(s.id()))
            .ifPresent(why -> problems.put(s, new StartedContainer.Problem(s, why)));
      }
    }
    List<StartedContainer.Problem> out = new ArrayList<>();
    for (StartedContainer s : started) {
      if (problems.containsKey(s)) {
        out.add(problems.get(s));
      }
    }
    return out;
  }

  /** Why {@code s} did not stay up, or empty when it did. */
  static Optional<String> check(StartedContainer s, Optional<StartState> now) {
    String within =
        "within "
            + Durations.format(Duration.ofNanos(System.nanoTime() - s.startedNanos()))
            + " of its start";
    String who = "container '" + s.name() + "' ";
    if (now.isEmpty()) {
      return Optional.of(who + "vanished " + within);
    }
    StartState st = now.get();
    int restarts = st.restartCount() - s.restartCount();
    boolean restarted = restarts > 0 || !s.startedAt().equals(st.startedAt());
    boolean running = st.running();
    if (running && !restarted) {
      return Optional.empty();
    }
    if (!restarted) {
      // Docker's own times: how long the process really ran
      String after =
          upFor(s.startedAt(), st.finishedAt()).map(d -> d + " after start").orElse(within);
      return Optional.of(who + st.status() + " " + after + exit(st));
    }
    String policy =
        " and was restarted " + Math.max(1, restarts) + " time(s) by its restart policy " + within;
    return Optional.of(
        running
            ? who + "did not stay up: it exited" + policy
            : who
                + "did not stay up: it exited"
                + exit(st)
                + policy
                + " (now "
                + st.status()
                + ")");
  }

  /** The time from Docker's StartedAt to FinishedAt, when both parse. */
  private static Optional<String> upFor(String startedAt, String finishedAt) {
    try {
      Duration d = Duration.between(Instant.parse(startedAt), Instant.parse(finishedAt));
      return d.isNegative() ? Optional.empty() : Optional.of(Durations.format(d));
    } catch (DateTimeParseException | NullPointerException e) {
      return Optional.empty();
    }
  }

  static String exit(StartState st) {
    Long code = st.exitCode();
    return code == null ? "" : " (exit code " + code + ")";
  }

  private static String exitSuffix(StartState st) {
    Long code = st.exitCode();
    return code == null || code == 0 ? "" : ", last exit code " + code;
  }

  private Optional<StartState> inspect(String id) {
    if (raw != null) {
      return raw.json(id).map(StartState::of);
    }
    try {
      return Optional.of(StartState.of(client.inspectContainerCmd(id).exec()));
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (DockerException | IllegalStateException e) {
      throw new ContainerRuntimeException(
          "cannot inspect container '" + id + "': " + e.getMessage(), e);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContainerRuntimeException("interrupted while waiting for a container", e);
    }
  }
}
