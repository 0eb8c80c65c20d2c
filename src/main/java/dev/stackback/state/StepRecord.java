package dev.stackback.state;

import dev.stackback.util.OutputTail;
import java.time.Instant;
import java.util.List;

/**
 * One step of a run as recorded: a hook, a stop, a snapshot, a dump, a start, maintenance.
 *
 * @param kind {@code repository}, {@code hook}, {@code stop}, {@code snapshot}, {@code dump},
 *     {@code start}, {@code maintenance}
 * @param name what it was, e.g. {@code pre web#1} or {@code snapshot web}
 * @param stage hook stage ({@code pre}, ...) or null
 * @param service the service it acted on, or null
 * @param outcome {@code ok}, {@code failed}, {@code timeout}, {@code skipped}, {@code incomplete}
 * @param startedAt start time
 * @param durationMs wall time
 * @param exitCode exit code, or null when there was none
 * @param attempts how many times it ran (retries + 1 at most)
 * @param message a one-line summary (error text, snapshot id, bytes added), at most 4 KiB
 * @param tail the last lines of its output, bounded like {@link OutputTail#bound} (each line at
 *     most 4 KiB, 16 KiB in all) whoever made it, so no output can bloat a run record
 * @param bytesAdded bytes a snapshot or dump added to the repository, or null for other steps
 * @param bytesRead bytes a snapshot or dump read (restic's {@code total_bytes_processed}: the size
 *     of the dump or of the volume's files), or null for other steps and older records
 */
public record StepRecord(
    String kind,
    String name,
    String stage,
    String service,
    String outcome,
    Instant startedAt,
    long durationMs,
    Integer exitCode,
    int attempts,
    String message,
    List<String> tail,
    Long bytesAdded,
    Long bytesRead) {
  public StepRecord {
    tail = tail == null ? List.of() : List.copyOf(OutputTail.bound(tail));
    message = message == null ? null : OutputTail.capLine(message);
  }

  /** A step that says what it added to the repository but not what it read. */
  public StepRecord(
      String kind,
      String name,
      String stage,
      String service,
      String outcome,
      Instant startedAt,
      long durationMs,
      Integer exitCode,
      int attempts,
      String message,
      List<String> tail,
      Long bytesAdded) {
    this(
        kind,
        name,
        stage,
        service,
        outcome,
        startedAt,
        durationMs,
        exitCode,
        attempts,
        message,
        tail,
        bytesAdded,
        null);
  }

  /** A step that added no data to the repository. */
  public StepRecord(
      String kind,
      String name,
      String stage,
      String service,
      String outcome,
      Instant startedAt,
      long durationMs,
      Integer exitCode,
      int attempts,
      String message,
      List<String> tail) {
    this(
        kind,
        name,
        stage,
        service,
        outcome,
        startedAt,
        durationMs,
        exitCode,
        attempts,
        message,
        tail,
        null,
        null);
  }

  /** True for a volume snapshot or a database dump: a step that wrote to the repository. */
  public boolean backsUp() {
    return "snapshot".equals(kind) || "dump".equals(kind);
  }

  public boolean failed() {
    return "failed".equals(outcome) || "timeout".equals(outcome);
  }
}
