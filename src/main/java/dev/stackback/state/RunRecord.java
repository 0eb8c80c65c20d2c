package dev.stackback.state;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A run as recorded under {@code STATE_DIR}: rewritten after every step, so a killed run leaves a
 * record in state {@code running} that the next start repairs.
 *
 * @param id unique id, sortable by start time
 * @param trigger {@code manual} or {@code schedule}
 * @param state {@code running}, {@code succeeded}, {@code failed}, {@code incomplete}, {@code
 *     skipped}
 * @param pid the process that ran it (to tell a live run from a dead one)
 * @param host restic host of its snapshots
 * @param startedAt start
 * @param endedAt end, null while running
 * @param exitCode the command's exit code once ended
 * @param stopped ids of containers this run stopped and has not started again yet
 * @param steps every step so far
 * @param error the first error, or null
 * @param reason why a run did nothing (state {@code skipped}: the pause), or null
 * @param anomalies dumps and snapshots much smaller or slower than usual (a warning, set when the
 *     run has ended), never null
 * @param failure why a failed run failed, with what the engine said about the containers of the
 *     deciding step, or null (see {@link FailureReport})
 */
public record RunRecord(
    String id,
    String trigger,
    String state,
    long pid,
    String host,
    Instant startedAt,
    Instant endedAt,
    Integer exitCode,
    List<String> stopped,
    List<StepRecord> steps,
    String error,
    String reason,
    List<Anomaly> anomalies,
    FailureReport failure) {

  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String INCOMPLETE = "incomplete";

  /** A scheduled run that did nothing because scheduled runs are paused. */
  public static final String SKIPPED = "skipped";

  private static final DateTimeFormatter ID =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  public RunRecord {
    stopped = stopped == null ? List.of() : List.copyOf(stopped);
    steps = steps == null ? List.of() : List.copyOf(steps);
    anomalies = anomalies == null ? List.of() : List.copyOf(anomalies);
  }

  /** A record without anomalies or a failure report (a run in progress, or one not analysed). */
  public RunRecord(
      String id,
      String trigger,
      String state,
      long pid,
      String host,
      Instant startedAt,
      Instant endedAt,
      Integer exitCode,
      List<String> stopped,
      List<StepRecord> steps,
      String error,
      String reason) {
    this(
        id, trigger, state, pid, host, startedAt, endedAt, exitCode, stopped, steps, error, reason,
        List.of(), null);
  }

  /** A record without a {@code reason} (every run that did something). */
  public RunRecord(
      String id,
      String trigger,
      String state,
      long pid,
      String host,
      Instant startedAt,
      Instant endedAt,
      Integer exitCode,
      List<String> stopped,
      List<StepRecord> steps,
      String error) {
    this(id, trigger, state, pid, host, startedAt, endedAt, exitCode, stopped, steps, error, null);
  }

  /** A new run id for a run started at {@code start}: sortable by start time, then random. */
  public static String newId(Instant start) {
    return ID.format(start)
        + "-"
        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
  }

  /** A run of {@code trigger} that did nothing at {@code at}, because of {@code reason}. */
  public static RunRecord skipped(String trigger, String host, Instant at, String reason) {
    return new RunRecord(
        newId(at),
        trigger,
        SKIPPED,
        ProcessHandle.current().pid(),
        host,
        at,
        at,
        0,
        List.of(),
        List.of(),
        null,
        reason);
  }

  public RunRecord withStep(StepRecord step) {
    return withStepAt(steps.size(), step);
  }

  /** This record with {@code step} inserted at {@code index} of its steps. */
  public RunRecord withStepAt(int index, StepRecord step) {
    List<StepRecord> s = new ArrayList<>(steps);
    s.add(index, step);
    return new RunRecord(
        id, trigger, state, pid, host, startedAt, endedAt, exitCode, stopped, s, error, reason,
        anomalies, failure);
  }

  public RunRecord withStopped(List<String> ids) {
    return new RunRecord(
        id, trigger, state, pid, host, startedAt, endedAt, exitCode, ids, steps, error, reason,
        anomalies, failure);
  }

  public RunRecord ended(String newState, Instant at, int code, String firstError) {
    String err = firstError != null ? firstError : error;
    return new RunRecord(
        id, trigger, newState, pid, host, startedAt, at, code, stopped, steps, err, reason,
        anomalies, failure);
  }

  /** This record with {@code found} as its anomalies. */
  public RunRecord withAnomalies(List<Anomaly> found) {
    return new RunRecord(
        id, trigger, state, pid, host, startedAt, endedAt, exitCode, stopped, steps, error, reason,
        found, failure);
  }

  /** This record with {@code report} as its failure report. */
  public RunRecord withFailure(FailureReport report) {
    return new RunRecord(
        id, trigger, state, pid, host, startedAt, endedAt, exitCode, stopped, steps, error, reason,
        anomalies, report);
  }

  /** Bytes the run's snapshots and dumps added to the repository; null when none says. */
  public Long bytesAdded() {
    return steps.stream()
        .filter(StepRecord::backsUp)
        .map(StepRecord::bytesAdded)
        .filter(v -> v != null)
        .reduce(Long::sum)
        .orElse(null);
  }

  /** Wall time, or null while running. */
  public Duration duration() {
    return endedAt == null ? null : Duration.between(startedAt, endedAt);
  }
}
