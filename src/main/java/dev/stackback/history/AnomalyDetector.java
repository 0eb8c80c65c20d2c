package dev.stackback.history;

import dev.stackback.state.Anomaly;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import dev.stackback.util.Bytes;
import dev.stackback.util.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the dumps and snapshots of a run that were much smaller or much slower than the same step
 * (same kind and name) in the previous successful runs ({@link RunHistory}):
 *
 * <ul>
 *   <li>{@code smaller}: it read (restic's bytes processed: the dump's size, the volume's files) at
 *       least {@link Thresholds#shrinkPercent()} percent less than the median of the previous runs;
 *   <li>{@code slower}: it took more than {@link Thresholds#slowerFactor()} times their median and
 *       at least {@link #MIN_SLOWDOWN_MS} longer (a 2 s dump taking 7 s is noise, not news).
 * </ul>
 *
 * Only steps that ended {@code ok} are judged (a failed step is already an error) and compared with
 * the same step's {@code ok} outcomes in at most {@link #WINDOW} previous runs, and only when there
 * are at least {@link Thresholds#minRuns()} of them.
 */
public final class AnomalyDetector {
  /** How many previous runs' measurements a median is over, at most. */
  public static final int WINDOW = 10;

  /** The least extra time that makes a step {@code slower}. */
  public static final long MIN_SLOWDOWN_MS = 10_000;

  private AnomalyDetector() {}

  /**
   * The anomalies of {@code run} against {@code records} (any order; {@code run} itself, runs that
   * started after it and runs that are no history are left out).
   */
  public static List<Anomaly> detect(RunRecord run, List<RunRecord> records, Thresholds t) {
    if (!t.enabled() || !RunHistory.isBackup(run) || run.startedAt() == null) {
      return List.of();
    }
    List<RunRecord> previous =
        RunHistory.usableOldestFirst(records).stream()
            .filter(r -> !r.id().equals(run.id()) && r.startedAt().isBefore(run.startedAt()))
            .toList()
            .reversed(); // newest first
    List<Anomaly> found = new ArrayList<>();
    for (StepRecord s : run.steps()) {
      if (!s.backsUp() || !"ok".equals(s.outcome())) {
        continue;
      }
      List<StepRecord> before =
          previous.stream()
              .flatMap(r -> RunHistory.okStep(r, s.kind(), s.name()).stream())
              .limit(WINDOW)
              .toList();
      if (before.size() < t.minRuns()) {
        continue;
      }
      smaller(s, before, t).ifPresent(found::add);
      slower(s, before, t).ifPresent(found::add);
    }
    return found;
  }

  private static Optional<Anomaly> smaller(StepRecord s, List<StepRecord> before, Thresholds t) {
    List<Long> read = before.stream().map(StepRecord::bytesRead).filter(Objects::nonNull).toList();
    if (t.shrinkPercent() == 0 || s.bytesRead() == null || read.size() < t.minRuns()) {
      return Optional.empty();
    }
    long median = Distribution.median(read);
    long value = s.bytesRead();
    // value <= median * (100 - p) / 100, without rounding
    if (median <= 0 || 100 * value > (100 - t.shrinkPercent()) * median) {
      return Optional.empty();
    }
    long less = Math.round(100.0 * (median - value) / median);
    return Optional.of(
        new Anomaly(
            Anomaly.SMALLER,
            s.name(),
            s.service(),
            value,
            median,
            read.size(),
            String.format(
                Locale.ROOT,
                "%s read %s, %d%% less than its median of %s over the previous %d runs",
                s.name(),
                Bytes.format(value),
                less,
                Bytes.format(median),
                read.size())));
  }

  private static Optional<Anomaly> slower(StepRecord s, List<StepRecord> before, Thresholds t) {
    if (t.slowerFactor() == 0) {
      return Optional.empty();
    }
    long median = Distribution.median(before.stream().map(StepRecord::durationMs).toList());
    long value = s.durationMs();
    if (value <= (long) t.slowerFactor() * median || value - median < MIN_SLOWDOWN_MS) {
      return Optional.empty();
    }
    return Optional.of(
        new Anomaly(
            Anomaly.SLOWER,
            s.name(),
            s.service(),
            value,
            median,
            before.size(),
            String.format(
                Locale.ROOT,
                "%s took %s, %s its median of %s over the previous %d runs",
                s.name(),
                Durations.formatMillis(value),
                median == 0
                    ? "far above"
                    : String.format(Locale.ROOT, "%.1f×", (double) value / median),
                Durations.formatMillis(median),
                before.size())));
  }
}
