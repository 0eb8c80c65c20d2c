package dev.stackback.history;

/**
 * When a dump or snapshot is an anomaly ({@link AnomalyDetector}); from {@code ANOMALY_MIN_RUNS},
 * {@code ANOMALY_SHRINK_PERCENT} and {@code ANOMALY_SLOWER_FACTOR}.
 *
 * @param minRuns how many previous successful runs with the same step are needed before it is
 *     judged at all; 0 turns anomaly warnings off
 * @param shrinkPercent a step that read at least this many percent less than its median is {@code
 *     smaller}; 0 turns that check off
 * @param slowerFactor a step that took more than this many times its median (and at least {@link
 *     AnomalyDetector#MIN_SLOWDOWN_MS} longer) is {@code slower}; 0 turns that check off
 */
public record Thresholds(int minRuns, int shrinkPercent, int slowerFactor) {
  /** 3 previous runs, 50 % smaller, 3 times slower. */
  public static final Thresholds DEFAULT = new Thresholds(3, 50, 3);

  public Thresholds {
    if (minRuns < 0 || shrinkPercent < 0 || shrinkPercent > 100 || slowerFactor < 0) {
      throw new IllegalArgumentException(
          "bad anomaly thresholds: " + minRuns + ", " + shrinkPercent + "%, " + slowerFactor + "x");
    }
  }

  /** Whether anomalies are looked for at all. */
  public boolean enabled() {
    return minRuns > 0 && (shrinkPercent > 0 || slowerFactor > 0);
  }
}
