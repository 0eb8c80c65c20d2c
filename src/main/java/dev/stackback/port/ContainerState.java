package dev.stackback.port;

import java.util.Objects;

/**
 * A container's state as the engine keeps it (Docker's {@code State} and {@code RestartCount}), for
 * failure reports.
 *
 * @param id the container's id
 * @param name its name, without the leading slash
 * @param status Docker's state word ({@code running}, {@code exited}, {@code restarting}, ...)
 * @param exitCode the exit code of its last process, or null when it never ended
 * @param oomKilled whether the kernel's OOM killer ended its last process
 * @param restartCount how often a restart policy has restarted it
 * @param health its health status ({@code healthy}, {@code unhealthy}, {@code starting}), or null
 *     when it has no healthcheck
 * @param error the engine's error for its last start, or null
 * @param env its environment (to hide secret values in its log lines), possibly empty
 */
public record ContainerState(
    String id,
    String name,
    String status,
    Integer exitCode,
    boolean oomKilled,
    int restartCount,
    String health,
    String error,
    java.util.Map<String, String> env) {
  public ContainerState {
    Objects.requireNonNull(id, "id");
    name = name == null ? "" : name.startsWith("/") ? name.substring(1) : name;
    status = status == null ? "" : status;
    error = error == null || error.isBlank() ? null : error;
    env = java.util.Map.copyOf(env == null ? java.util.Map.of() : env);
  }
}
