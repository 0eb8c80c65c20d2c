package dev.stackback.config;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A cron schedule: five fields (minute hour day month weekday) with steps, ranges and lists, an
 * optional sixth leading seconds field, and the nicknames {@code @hourly @daily @midnight @weekly
 * @monthly @yearly @annually}.
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

  private final String text;
  private final Cron cron;

  private Schedule(String text, Cron cron) {
    this.text = text;
    this.cron = cron;
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

  /** Parses a schedule, or throws {@link IllegalArgumentException} with a readable reason. */
  public static Schedule parse(String text) {
    String t = text.trim();
    String expanded = NICKNAMES.getOrDefault(t.toLowerCase(Locale.ROOT), t);
    int fields = expanded.split("\\s+").length;
    try {
      Cron cron =
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
      return new Schedule(t, cron);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + t + "' is not a cron schedule: " + e.getMessage(), e);
    }
  }

  /** The next time after {@code now}, if any. */
  public Optional<ZonedDateTime> next(ZonedDateTime now) {
    return ExecutionTime.forCron(cron).nextExecution(now);
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
