package dev.stackback.label;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for the value vocabulary shared by labels and environment variables. Each returns empty
 * for a value it rejects; the caller reports the problem with its own context.
 */
public final class Values {
  private Values() {}

  /** What a boolean may be spelled as, for messages. */
  public static final String BOOLEAN_WORDS = "true/false, 1/0, yes/no or on/off";

  private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  /** {@code true/false/1/0/yes/no/on/off}, any case, surrounding blanks ignored. */
  public static Optional<Boolean> parseBoolean(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    return switch (raw.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> Optional.of(true);
      case "false", "0", "no", "off" -> Optional.of(false);
      default -> Optional.empty();
    };
  }

  /**
   * A positive duration such as {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 500ms}; a bare
   * number counts as seconds.
   */
  public static Optional<Duration> parseDuration(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    try {
      return parseDurationOrThrow(raw);
    } catch (NumberFormatException | ArithmeticException e) {
      // a number too large for a Duration is a rejected value, not a crash
      return Optional.empty();
    }
  }

  private static Optional<Duration> parseDurationOrThrow(String raw) {
    String s = raw.trim().toLowerCase(Locale.ROOT);
    if (s.matches("\\d+")) {
      return positive(Duration.ofSeconds(Long.parseLong(s)));
    }
    Matcher m = DURATION_PART.matcher(s);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        return Optional.empty();
      }
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              });
      end = m.end();
    }
    return end == s.length() && end > 0 ? positive(total) : Optional.empty();
  }

  private static Optional<Duration> positive(Duration d) {
    return d.isZero() || d.isNegative() ? Optional.empty() : Optional.of(d);
  }

  /** A non-negative integer. */
  public static Optional<Integer> parseNonNegativeInt(String raw) {
    if (raw == null || !raw.trim().matches("\\d{1,9}")) {
      return Optional.empty();
    }
    return Optional.of(Integer.parseInt(raw.trim()));
  }

  /** Comma-separated tokens, trimmed, empty ones dropped. */
  public static List<String> parseList(String raw) {
    if (raw == null || raw.isBlank()) {
      return List.of();
    }
    return Arrays.stream(raw.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
  }

  /**
   * Human form of a duration; kept so other code keeps compiling. Use {@link
   * dev.stackback.util.Durations#format} in new code: this is the same formatter.
   */
  public static String format(Duration d) {
    return dev.stackback.util.Durations.format(d);
  }
}
