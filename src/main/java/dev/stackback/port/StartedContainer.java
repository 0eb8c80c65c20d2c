package dev.stackback.port;

import java.util.Objects;

/**
 * A container as {@link ContainerRuntime#start} left it: running, with the engine's view of that
 * start, so that {@link ContainerRuntime#confirmRunning} can later tell whether it stayed up.
 *
 * @param id the container's id
 * @param name its name, for messages
 * @param startedAt the engine's start time of the running process (Docker's State.StartedAt), as
 *     the engine wrote it; a different value later means the container was started again
 * @param restartCount how often a restart policy had restarted it so far
 * @param startedNanos {@link System#nanoTime()} when the start returned, for waits
 */
public record StartedContainer(
    String id, String name, String startedAt, int restartCount, long startedNanos) {
  public StartedContainer {
    Objects.requireNonNull(id, "id");
    name = name == null ? id : name;
    startedAt = startedAt == null ? "" : startedAt;
  }

  /**
   * A started container that did not stay up.
   *
   * @param container the container as it was right after its start
   * @param message what happened, naming the container (e.g. "container 'web' exited 120ms after
   *     start (exit code 1)")
   * @param unhealthy true when the container runs but did not become healthy (unhealthy, or still
   *     starting at the health timeout); false when it is not up
   */
  public record Problem(StartedContainer container, String message, boolean unhealthy) {
    public Problem {
      Objects.requireNonNull(container, "container");
      Objects.requireNonNull(message, "message");
    }

    /** A container that did not stay up. */
    public Problem(StartedContainer container, String message) {
      this(container, message, false);
    }
  }
}
