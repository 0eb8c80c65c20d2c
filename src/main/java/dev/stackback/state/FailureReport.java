package dev.stackback.state;

import dev.stackback.util.OutputTail;
import java.util.List;

/**
 * Why a run failed, gathered when it ended: the step that decided it (see {@link DecisiveStep})
 * and, when that step acted on containers (a hook exec, a stop or start, a dump, the check that
 * restarted containers stayed up), what the engine said about each of them. Collected best effort:
 * what could not be gathered is in {@code notes}.
 *
 * @param step the deciding step's name, e.g. {@code pre web#1}
 * @param kind its kind ({@code hook}, {@code stop}, {@code start}, {@code dump}, ...)
 * @param service the service it acted on, or null
 * @param outcome its outcome ({@code failed}, {@code timeout}, {@code incomplete})
 * @param exitCode its exit code, or null when there was none
 * @param message its one-line message, or null
 * @param tail the last lines of its output
 * @param containers the containers it acted on, as the engine saw them after the step
 * @param notes what could not be gathered, and why
 */
public record FailureReport(
    String step,
    String kind,
    String service,
    String outcome,
    Integer exitCode,
    String message,
    List<String> tail,
    List<ContainerReport> containers,
    List<String> notes) {
  public FailureReport {
    tail = tail == null ? List.of() : List.copyOf(OutputTail.bound(tail));
    message = message == null ? null : OutputTail.capLine(message);
    containers = containers == null ? List.of() : List.copyOf(containers);
    notes = notes == null ? List.of() : List.copyOf(OutputTail.bound(notes));
  }

  /**
   * One container of a failure report.
   *
   * @param step the failed step that acted on it
   * @param id its id
   * @param name its name
   * @param status Docker's state word ({@code running}, {@code exited}, ...), or {@code gone}
   * @param exitCode the exit code of its last process, or null
   * @param oomKilled whether the OOM killer ended its last process
   * @param restartCount how often a restart policy restarted it
   * @param health its health status, or null without a healthcheck
   * @param error the engine's error for its last start, or null
   * @param logTail its last log lines, secrets hidden
   * @param events the engine's events about it during the run, one line each, oldest first
   */
  public record ContainerReport(
      String step,
      String id,
      String name,
      String status,
      Integer exitCode,
      boolean oomKilled,
      int restartCount,
      String health,
      String error,
      List<String> logTail,
      List<String> events) {
    public ContainerReport {
      logTail = logTail == null ? List.of() : List.copyOf(OutputTail.bound(logTail));
      events = events == null ? List.of() : List.copyOf(OutputTail.bound(events));
      error = error == null ? null : OutputTail.capLine(error);
    }
  }
}
