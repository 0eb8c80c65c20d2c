package dev.stackback.docker;

import static dev.stackback.docker.RawInspect.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.command.HealthState;
import com.github.dockerjava.api.command.HealthStateLog;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse.ContainerState;
import java.util.List;

/**
 * What starting a container and confirming that it stayed up read from its inspect answer: taken
 * from the engine's JSON as a tree on the usual transports ({@link #of(JsonNode)}, no deserializer
 * of docker-java's model to build in the middle of a run), from docker-java's model over TLS
 * ({@link #of(InspectContainerResponse)}). Both roads give the same fields.
 *
 * @param id the container's id
 * @param name its name without the leading slash (the id when it has none)
 * @param restartCount how often a restart policy restarted it
 * @param running running, not restarting
 * @param status Docker's state word ({@code running}, {@code exited}, {@code dead}, ...)
 * @param exitCode the last exit code, or null when the engine gave none
 * @param startedAt the engine's start time of its process, as the engine wrote it (or null)
 * @param finishedAt the engine's exit time of its last process (or null)
 * @param health its healthcheck's state, or null when it has none
 */
record StartState(
    String id,
    String name,
    int restartCount,
    boolean running,
    String status,
    Long exitCode,
    String startedAt,
    String finishedAt,
    Health health) {

  /**
   * @param status {@code starting}, {@code healthy} or {@code unhealthy}
   * @param checked whether a check has finished (the engine keeps the last few)
   * @param lastExitCode the exit code of the last finished check, or null
   * @param lastOutput its output, or null
   */
  record Health(String status, boolean checked, Long lastExitCode, String lastOutput) {}

  static StartState of(JsonNode c) {
    JsonNode st = c.path("State");
    String id = c.path("Id").asText();
    JsonNode h = st.path("Health");
    Health health = null;
    String hs = text(h, "Status");
    if (hs != null && !hs.isEmpty()) {
      JsonNode log = h.path("Log");
      JsonNode last = log.isArray() && !log.isEmpty() ? log.get(log.size() - 1) : null;
      health =
          new Health(
              hs,
              last != null,
              last == null ? null : number(last, "ExitCode"),
              last == null ? null : text(last, "Output"));
    }
    return new StartState(
        id,
        name(text(c, "Name"), id),
        c.path("RestartCount").asInt(0),
        st.path("Running").asBoolean(false) && !st.path("Restarting").asBoolean(false),
        text(st, "Status"),
        number(st, "ExitCode"),
        text(st, "StartedAt"),
        text(st, "FinishedAt"),
        health);
  }

  static StartState of(InspectContainerResponse c) {
    ContainerState st = c.getState();
    HealthState h = st == null ? null : st.getHealth();
    Health health = null;
    if (h != null && h.getStatus() != null && !h.getStatus().isEmpty()) {
      List<HealthStateLog> log = h.getLog();
      HealthStateLog last = log == null || log.isEmpty() ? null : log.get(log.size() - 1);
      health =
          new Health(
              h.getStatus(),
              last != null,
              last == null ? null : last.getExitCodeLong(),
              last == null ? null : last.getOutput());
    }
    return new StartState(
        c.getId(),
        name(c.getName(), c.getId()),
        c.getRestartCount() == null ? 0 : c.getRestartCount(),
        st != null
            && Boolean.TRUE.equals(st.getRunning())
            && !Boolean.TRUE.equals(st.getRestarting()),
        st == null ? null : st.getStatus(),
        st == null ? null : st.getExitCodeLong(),
        st == null ? null : st.getStartedAt(),
        st == null ? null : st.getFinishedAt(),
        health);
  }

  private static String name(String n, String fallback) {
    return n == null || n.isEmpty() ? fallback : n.startsWith("/") ? n.substring(1) : n;
  }

  private static Long number(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isNumber() ? v.asLong() : null;
  }
}
