package dev.stackback.config;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A cron schedule: five fields (minute hour day month weekday) with steps, ranges and lists, an
 * optional sixth leading seconds field, and the nicknames {@code @hourly @daily @midnight @weekly
 * @monthly @yearly @annually}. Times are computed in the schedule's zone (the container's {@code
 * TZ}), so {@code 0 2 * * *} means 02:00 local time there.
 */
public final class Schedule {
  private static final Map<String, String> NICKNAMES =
      Map.of(
          "@hourly", "0 * * * *",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@weekly", "0 0 * * 0",
          "@monthly", "0 0 1 * *",
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *");

  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final CronParser WITH_SECONDS = new CronParser(secondsDefinition());

  /** A fixed start for the "does it ever fire" check, so the answer does not depend on today. */
  private static final ZonedDateTime PROBE =
      ZonedDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  private final String text;
  private final Cron cron;
  private final ZoneId zone;

  private Schedule(String text, Cron cron, ZoneId zone) {
    this.text = text;
    this.cron = cron;
    this.zone = zone;
  }

  private static CronDefinition secondsDefinition() {
    return CronDefinitionBuilder.defineCron()
        .withSeconds()
        .and()
        .withMinutes()
        .and()
        .withHours()
        .and()
        .withDayOfMonth()
        .supportsQuestionMark()
        .and()
        .withMonth()
        .and()
        .withDayOfWeek()
        .withValidRange(0, 7)
        .withMondayDoWValue(1)
        .withIntMapping(7, 0)
        .supportsQuestionMark()
        .and()
        .instance();
  }

  /** Parses a schedule in UTC, or throws {@link IllegalArgumentException} with a reason. */
  public static Schedule parse(String text) {
    return parse(text, ZoneOffset.UTC);
  }

  /**
   * Parses a schedule whose times are in {@code zone}, or throws {@link IllegalArgumentException}
   * with a readable reason. A schedule that can never fire (e.g. {@code 0 0 31 4 *}: April has no
   * 31st) is rejected here, so the daemon never meets it.
   */
  public static Schedule parse(String text, ZoneId zone) {
    String t = text.trim();
    String expanded = NICKNAMES.getOrDefault(t.toLowerCase(Locale.ROOT), t);
    int fields = expanded.split("\\s+").length;
    Cron cron;
    try {
      cron =
          switch (fields) {
            case 5 -> UNIX.parse(expanded);
            case 6 -> WITH_SECONDS.parse(expanded);
            default ->
                throw new IllegalArgumentException(
                    "expected 5 fields (minute hour day month weekday), 6 with seconds first, or"
                        + " @daily/@hourly/...; got "
                        + fields);
          };
      cron.validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + t + "' is not a cron schedule: " + e.getMessage(), e);
    }
    Schedule s = new Schedule(t, cron, zone);
    if (s.next(PROBE.withZoneSameLocal(zone)).isEmpty()) {
      throw new IllegalArgumentException(
          "'"
              + t
              + "' never fires: no date matches its day and month fields (e.g. April has no"
              + " 31st, February no 30th)");
    }
    return s;
  }

  /** The next time after {@code now}, in the schedule's zone; empty if there is none. */
  public Optional<ZonedDateTime> next(ZonedDateTime now) {
    try {
      return ExecutionTime.forCron(cron).nextExecution(now.withZoneSameInstant(zone));
    } catch (RuntimeException e) {
      // cron-utils may throw on an expression it cannot resolve; that is "no next time" to us
      return Optional.empty();
    }
  }

  /** The zone the schedule's times are in. */
  public ZoneId zone() {
    return zone;
  }

  /** The schedule as the user wrote it. */
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }
}
