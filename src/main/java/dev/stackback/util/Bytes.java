package dev.stackback.util;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one human form of a byte count in logs, messages, {@code status}, {@code runs} and
 * notifications, in IEC units: {@code 512 B}, {@code 1.4 GiB}, {@code 620 MiB} (one decimal below
 * 10, whole numbers above). JSON output keeps plain byte counts.
 */
public final class Bytes {
  private static final String UNITS = "KMGTPE";
  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGTPE]i?B|B)", Pattern.CASE_INSENSITIVE);

  private Bytes() {}

  /** {@code bytes} for people; negative counts are shown as {@code 0 B}. */
  public static String format(long bytes) {
    if (bytes < 1024) {
      return Math.max(0, bytes) + " B";
    }
    int unit = (63 - Long.numberOfLeadingZeros(bytes)) / 10; // 1 = KiB, 2 = MiB, ...
    double value = bytes / Math.pow(1024, unit);
    String number = String.format(Locale.ROOT, "%.1f", value);
    if (Double.parseDouble(number) >= 10) { // 9.97 is "10", not "10.0"
      number = String.format(Locale.ROOT, "%.0f", value);
    }
    if (number.equals("1024")) { // 1023.6 MiB rounds up to the next unit
      return format((long) Math.pow(1024, unit + 1));
    }
    return number + " " + UNITS.charAt(unit - 1) + "iB";
  }

  /**
   * The byte count of a size as restic prints it ({@code 157.723 MiB}, {@code 0 B}, {@code 2.5
   * GiB}); empty when {@code text} holds none.
   */
  public static OptionalLong parse(String text) {
    if (text == null) {
      return OptionalLong.empty();
    }
    Matcher m = SIZE.matcher(text.strip());
    if (!m.find()) {
      return OptionalLong.empty();
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2).toUpperCase(Locale.ROOT);
    int power = unit.equals("B") ? 0 : UNITS.indexOf(unit.charAt(0)) + 1;
    return OptionalLong.of(Math.round(value * Math.pow(1024, power)));
  }
}
