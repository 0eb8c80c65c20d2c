package dev.stackback.port;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A command to run inside a running container.
 *
 * @param containerId the container
 * @param command argv (e.g. {@code ["sh", "-c", "..."]})
 * @param user user for the exec, or null for the container's default
 * @param env extra environment for the command (for secrets: never put them in {@code command})
 * @param timeout the bound: past it the command is killed and the result says {@code timedOut}
 * @param stopSignal the signal the command gets first when it must stop early (timeout, or the
 *     calling thread interrupted), before SIGKILL: {@code TERM} by default, {@code INT} for restic
 *     (it then removes its repository lock)
 */
public record ExecRequest(
    String containerId,
    List<String> command,
    String user,
    Map<String, String> env,
    Duration timeout,
    String stopSignal) {
  public ExecRequest {
    Objects.requireNonNull(containerId, "containerId");
    command = List.copyOf(command);
    env = Map.copyOf(env == null ? Map.of() : env);
    Objects.requireNonNull(timeout, "timeout");
    if (command.isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    stopSignal = stopSignal == null ? "TERM" : stopSignal;
    if (!stopSignal.matches("[A-Z0-9]+")) {
      throw new IllegalArgumentException("bad signal name '" + stopSignal + "'");
    }
  }

  /** A command that is stopped with SIGTERM (then SIGKILL). */
  public ExecRequest(
      String containerId,
      List<String> command,
      String user,
      Map<String, String> env,
      Duration timeout) {
    this(containerId, command, user, env, timeout, "TERM");
  }

  /** {@code sh -c <script>} in the container. */
  public static ExecRequest shell(
      String containerId, String script, String user, Duration timeout) {
    return new ExecRequest(containerId, List.of("sh", "-c", script), user, Map.of(), timeout);
  }
}
