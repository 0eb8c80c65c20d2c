package dev.stackback.history;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Median, 95th percentile, maximum and trend of a series of measurements (milliseconds or bytes).
 *
 * @param count how many measurements
 * @param median the middle one (the mean of the two middle ones for an even count, rounded)
 * @param p95 the 95th percentile by nearest rank: the smallest measurement that at least 95 % of
 *     them do not exceed (the maximum below 20 measurements)
 * @param max the largest
 * @param trendPercent how much the median of the newer half of the series differs from the median
 *     of its older half, in percent ({@code +50}: half as much again); null below {@link
 *     #TREND_MIN} measurements or when the older half's median is 0
 */
public record Distribution(int count, long median, long p95, long max, Double trendPercent) {
  /** The fewest measurements that have a trend: two in each half. */
  public static final int TREND_MIN = 4;

  /**
   * The distribution of {@code oldestFirst}.
   *
   * @throws IllegalArgumentException when it is empty
   */
  public static Distribution of(List<Long> oldestFirst) {
    List<Long> sorted = sorted(oldestFirst);
    return new Distribution(
        sorted.size(),
        middle(sorted),
        sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1),
        sorted.get(sorted.size() - 1),
        trend(oldestFirst));
  }

  /**
   * The median of {@code values} (any order).
   *
   * @throws IllegalArgumentException when it is empty
   */
  public static long median(List<Long> values) {
    return middle(sorted(values));
  }

  /**
   * Median of the newer half against median of the older half, in percent; the middle measurement
   * of an odd count is in neither half. Null below {@link #TREND_MIN} measurements or when the
   * older half's median is 0.
   */
  static Double trend(List<Long> oldestFirst) {
    int n = oldestFirst.size();
    if (n < TREND_MIN) {
      return null;
    }
    long older = median(oldestFirst.subList(0, n / 2));
    long newer = median(oldestFirst.subList(n - n / 2, n));
    if (older == 0) {
      return null;
    }
    return Math.round(1000.0 * (newer - older) / older) / 10.0;
  }

  private static List<Long> sorted(List<Long> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("no measurements");
    }
    List<Long> s = new ArrayList<>(values);
    Collections.sort(s);
    return s;
  }

  private static long middle(List<Long> sorted) {
    int n = sorted.size();
    if (n % 2 == 1) {
      return sorted.get(n / 2);
    }
    long a = sorted.get(n / 2 - 1);
    long b = sorted.get(n / 2);
    return a + Math.round((b - a) / 2.0); // no overflow for large byte counts
  }
}
