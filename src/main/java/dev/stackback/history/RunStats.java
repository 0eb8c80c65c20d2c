package dev.stackback.history;

import dev.stackback.state.Anomaly;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code runs --stats} shows about a window of recorded runs: durations of whole runs, of each
 * service and of each step (median, p95, trend) over the successful backup runs ({@link
 * RunHistory}), the slowest steps, bytes added per service, and the anomalies recorded in the
 * window.
 *
 * @param runs how many records the window holds
 * @param used how many of them are history (ended successful backup runs)
 * @param run durations of the used runs in milliseconds; null when none is used
 * @param services per service (in order of first appearance): the summed durations of its steps in
 *     each used run, and what its snapshots and dumps added and read
 * @param steps per step (kind and name, in order of first appearance): its durations where it ended
 *     ok in a used run
 * @param slowest the {@link #SLOWEST} steps with the largest median duration, slowest first
 * @param anomalies anomalies recorded in any run of the window, oldest first
 */
public record RunStats(
    int runs,
    int used,
    Distribution run,
    List<ServiceStats> services,
    List<StepStats> steps,
    List<StepStats> slowest,
    List<Flagged> anomalies) {
  /** How many steps {@link #slowest} lists. */
  public static final int SLOWEST = 5;

  /**
   * One service.
   *
   * @param service its name
   * @param durationMs the summed durations of its steps per used run
   * @param bytesAddedTotal what its snapshots and dumps added over the used runs
   * @param bytesAdded what they added per used run (null when no run says)
   * @param lastBytesRead what they read in the newest used run (null when it does not say)
   */
  public record ServiceStats(
      String service,
      Distribution durationMs,
      long bytesAddedTotal,
      Distribution bytesAdded,
      Long lastBytesRead) {}

  /**
   * One step.
   *
   * @param step its name, e.g. {@code dump db}
   * @param kind its kind ({@code snapshot}, {@code dump}, {@code hook}, ...)
   * @param service its service, or null
   * @param durationMs its durations where it ended ok
   * @param bytesRead what it read each time (snapshots and dumps; null when no run says)
   */
  public record StepStats(
      String step, String kind, String service, Distribution durationMs, Distribution bytesRead) {}

  /** An anomaly recorded in run {@code runId} that started at {@code startedAt}. */
  public record Flagged(String runId, Instant startedAt, Anomaly anomaly) {}

  /** The statistics of {@code records} (any order). */
  public static RunStats of(List<RunRecord> records) {
    List<RunRecord> used = RunHistory.usableOldestFirst(records);
    Distribution run =
        used.isEmpty()
            ? null
            : Distribution.of(used.stream().map(r -> r.duration().toMillis()).toList());
    List<StepStats> steps = steps(used);
    List<StepStats> slowest =
        steps.stream()
            .sorted(Comparator.comparingLong((StepStats s) -> s.durationMs().median()).reversed())
            .limit(SLOWEST)
            .toList();
    List<Flagged> flagged =
        records.stream()
            .filter(r -> r.startedAt() != null)
            .sorted(Comparator.comparing(RunRecord::startedAt).thenComparing(RunRecord::id))
            .flatMap(r -> r.anomalies().stream().map(a -> new Flagged(r.id(), r.startedAt(), a)))
            .toList();
    return new RunStats(records.size(), used.size(), run, services(used), steps, slowest, flagged);
  }

  private static List<StepStats> steps(List<RunRecord> used) {
    Map<String, List<StepRecord>> byStep = new LinkedHashMap<>();
    for (RunRecord r : used) {
      for (StepRecord s : r.steps()) {
        if ("ok".equals(s.outcome())) {
          byStep.computeIfAbsent(s.kind() + "\u0000" + s.name(), k -> new ArrayList<>()).add(s);
        }
      }
    }
    List<StepStats> out = new ArrayList<>();
    for (List<StepRecord> l : byStep.values()) {
      StepRecord first = l.get(0);
      List<Long> read = l.stream().map(StepRecord::bytesRead).filter(Objects::nonNull).toList();
      out.add(
          new StepStats(
              first.name(),
              first.kind(),
              first.service(),
              Distribution.of(l.stream().map(StepRecord::durationMs).toList()),
              read.isEmpty() ? null : Distribution.of(read)));
    }
    return out;
  }

  private static List<ServiceStats> services(List<RunRecord> used) {
    List<String> names =
        used.stream()
            .flatMap(r -> r.steps().stream())
            .map(StepRecord::service)
            .filter(Objects::nonNull)
            .distinct()
            .toList();
    List<ServiceStats> out = new ArrayList<>();
    for (String name : names) {
      List<Long> durations = new ArrayList<>();
      List<Long> added = new ArrayList<>();
      Long lastRead = null;
      for (RunRecord r : used) {
        List<StepRecord> mine = r.steps().stream().filter(s -> name.equals(s.service())).toList();
        if (mine.isEmpty()) {
          continue;
        }
        durations.add(mine.stream().mapToLong(StepRecord::durationMs).sum());
        List<StepRecord> data = mine.stream().filter(StepRecord::backsUp).toList();
        sum(data.stream().map(StepRecord::bytesAdded).toList()).ifPresent(added::add);
        if (!data.isEmpty()) {
          lastRead = sum(data.stream().map(StepRecord::bytesRead).toList()).orElse(null);
        }
      }
      out.add(
          new ServiceStats(
              name,
              Distribution.of(durations),
              added.stream().mapToLong(Long::longValue).sum(),
              added.isEmpty() ? null : Distribution.of(added),
              lastRead));
    }
    return out;
  }

  /** The sum of the values that are set, or empty when none is. */
  private static java.util.Optional<Long> sum(List<Long> values) {
    return values.stream().filter(Objects::nonNull).reduce(Long::sum);
  }
}
