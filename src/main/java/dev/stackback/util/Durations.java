package dev.stackback.util;

import java.time.Duration;

/**
 * The one human form of a {@link Duration} in messages, logs and status: {@code 500ms}, {@code
 * 2.5s}, {@code 1m10s}, {@code 2h5m}, {@code 1d3h} (never {@code PT1M10S}). Parts that are zero are
 * left out; below a minute tenths of a second are kept, above it whole seconds.
 */
public final class Durations {
  private Durations() {}

  /** {@code d} for people; {@code -} for null, negative durations count as zero. */
  public static String format(Duration d) {
    if (d == null) {
      return "-";
    }
    long ms = Math.max(0, d.toMillis());
    if (ms == 0) {
      return "0s";
    }
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000 && ms % 1000 != 0) {
      long tenths = ms / 100;
      return tenths % 10 == 0 ? tenths / 10 + "s" : tenths / 10 + "." + tenths % 10 + "s";
    }
    long s = ms / 1000;
    StringBuilder b = new StringBuilder();
    append(b, s / 86_400, 'd');
    append(b, s % 86_400 / 3600, 'h');
    append(b, s % 3600 / 60, 'm');
    append(b, s % 60, 's');
    return b.toString();
  }

  /** {@code ms} milliseconds for people. */
  public static String formatMillis(long ms) {
    return format(Duration.ofMillis(ms));
  }

  private static void append(StringBuilder b, long n, char unit) {
    if (n > 0) {
      b.append(n).append(unit);
    }
  }
}
