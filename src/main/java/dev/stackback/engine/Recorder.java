package dev.stackback.engine;

import dev.stackback.port.ExecResult;
import dev.stackback.state.FailureReport;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import dev.stackback.state.StepRecord;
import dev.stackback.util.Durations;
import dev.stackback.util.OutputTail;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps the run record of the current run and writes it after every change. Thread-safe. */
final class Recorder {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.run");

  private final RunStore store;
  private final Clock clock;
  private final Set<String> stopped = new LinkedHashSet<>();
  private RunRecord record;
  // the place of each step this recorder added, in record order (see reserve()); the steps the
  // initial record had come first
  private final List<Long> places = new ArrayList<>();
  private long nextPlace;
  private final ThreadLocal<Long> reservedPlace = new ThreadLocal<>();

  Recorder(RunStore store, Clock clock, RunRecord initial) {
    this.store = store;
    this.clock = clock;
    this.record = initial;
    save();
  }

  Instant now() {
    return clock.instant();
  }

  synchronized RunRecord record() {
    return record;
  }

  /**
   * Reserves the record's next place for steps recorded later, maybe on another thread, by {@code
   * work} run through {@link #inPlace}: they are listed there, before the steps recorded meanwhile,
   * so a start run in the background stays in plan order in the record.
   */
  synchronized long reserve() {
    return nextPlace++;
  }

  /** Runs {@code work}, listing the steps it records at the reserved {@code place}. */
  void inPlace(long place, Runnable work) {
    reservedPlace.set(place);
    try {
      work.run();
    } finally {
      reservedPlace.remove();
    }
  }

  synchronized void step(StepRecord step) {
    Long reserved = reservedPlace.get();
    long place = reserved != null ? reserved : nextPlace++;
    int at = places.size();
    while (at > 0 && places.get(at - 1) > place) {
      at--;
    }
    places.add(at, place);
    record = record.withStepAt(record.steps().size() - places.size() + 1 + at, step);
    save();
    String line =
        String.format(
            "%-11s %-8s %s (%s)%s",
            step.kind(),
            step.outcome(),
            step.name(),
            Durations.formatMillis(step.durationMs()),
            step.message() == null || step.message().isEmpty() ? "" : ": " + step.message());
    if (step.failed()) {
      LOG.error(line);
    } else {
      LOG.info(line);
    }
  }

  /** Records a finished step; its duration runs from {@code started} to now. */
  void finished(
      String kind,
      String name,
      String stage,
      String service,
      String outcome,
      Instant started,
      Integer exitCode,
      int attempts,
      String message,
      List<String> tail) {
    finished(
        kind, name, stage, service, outcome, started, exitCode, attempts, message, tail, null,
        null);
  }

  /**
   * Records a finished snapshot or dump that added {@code bytesAdded} to the repository and read
   * {@code bytesRead} (null: unknown).
   */
  void finished(
      String kind,
      String name,
      String stage,
      String service,
      String outcome,
      Instant started,
      Integer exitCode,
      int attempts,
      String message,
      List<String> tail,
      Long bytesAdded,
      Long bytesRead) {
    step(
        new StepRecord(
            kind,
            name,
            stage,
            service,
            outcome,
            started,
            Duration.between(started, now()).toMillis(),
            exitCode,
            attempts,
            message,
            tail,
            bytesAdded,
            bytesRead));
  }

  /** Records a step that ran a command. */
  void step(
      String kind,
      String name,
      String stage,
      String service,
      Instant started,
      ExecResult result,
      int attempts,
      String message) {
    String outcome = result.timedOut() ? "timeout" : result.exitCode() == 0 ? "ok" : "failed";
    finished(
        kind,
        name,
        stage,
        service,
        outcome,
        started,
        result.exitCode() < 0 ? null : result.exitCode(),
        attempts,
        message,
        result.tail());
  }

  /** Records a step without a command (ok, failed or skipped). */
  void simple(
      String kind,
      String name,
      String stage,
      String service,
      String outcome,
      Instant started,
      String message) {
    finished(
        kind,
        name,
        stage,
        service,
        outcome,
        started,
        null,
        "skipped".equals(outcome) ? 0 : 1,
        message,
        List.of());
  }

  synchronized void stopped(String containerId) {
    stopped.add(containerId);
    record = record.withStopped(List.copyOf(stopped));
    save();
  }

  synchronized void started(String containerId) {
    stopped.remove(containerId);
    record = record.withStopped(List.copyOf(stopped));
    save();
  }

  synchronized List<String> stillStopped() {
    return List.copyOf(stopped);
  }

  synchronized RunRecord end(String state, int exitCode, String firstError) {
    // the error may quote a command's output: bounded like a step's message
    String error = firstError == null ? null : OutputTail.capLine(firstError);
    record = record.ended(state, now(), exitCode, error);
    save();
    return record;
  }

  /** Adds the failure report to the (ended) record and writes it. */
  synchronized RunRecord failure(FailureReport report) {
    record = record.withFailure(report);
    save();
    return record;
  }

  /**
   * Writes the record; a store that cannot be written (disk full, state directory gone) is logged
   * and must not end the run: its containers are still started and its hooks still run, and the
   * next successful write catches up.
   */
  private synchronized void save() {
    try {
      store.save(record);
    } catch (RuntimeException e) {
      LOG.error("cannot write the record of run {}: {}", record.id(), e.getMessage());
    }
  }
}
