package dev.stackback.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScheduleTest {
  private static final ZonedDateTime NOW =
      ZonedDateTime.of(2026, 11, 23, 10, 7, 30, 0, ZoneOffset.UTC); // a Monday

  private static ZonedDateTime next(String cron) {
    return Schedule.parse(cron).next(NOW).orElseThrow();
  }

  @ParameterizedTest
  @CsvSource({
    "'0 2 * * *', 2026-11-24T02:00Z",
    "'*/15 1-5 * * 1,3', 2026-11-25T01:00Z",
    "'*/15 * * * *', 2026-11-23T10:15Z",
    "@daily, 2026-11-24T00:00Z",
    "@midnight, 2026-11-24T00:00Z",
    "@hourly, 2026-11-23T11:00Z",
    "@weekly, 2026-11-29T00:00Z",
    "@monthly, 2026-12-01T00:00Z",
    "@yearly, 2027-01-01T00:00Z",
    "@annually, 2027-01-01T00:00Z",
    "'30 0 2 * * *', 2026-11-24T02:00:30Z",
    "'*/10 * * * * *', 2026-11-23T10:07:40Z",
    "'0 2 * * 7', 2026-11-29T02:00Z",
    "'0 2 * * 0', 2026-11-29T02:00Z"
  })
  void next_followsTheSchedule(String cron, String expected) {
    assertEquals(ZonedDateTime.parse(expected), next(cron));
  }

  @Test
  void text_isAsWrittenTrimmed() {
    assertEquals("@daily", Schedule.parse(" @daily ").text());
    assertEquals("0 2 * * *", Schedule.parse("0 2 * * *").toString());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"61 * * * *", "0 24 * * *", "* * 32 * *", "* * * 13 *", "* * *", "@often", "x"})
  void invalid_throwsWithTheTextInTheMessage(String cron) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Schedule.parse(cron));
    assertTrue(
        e.getMessage().startsWith("'" + cron + "' is not a cron schedule: "), e.getMessage());
  }

  @Test
  void wrongFieldCount_saysWhatIsExpected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Schedule.parse("* * * * * * *"));
    assertEquals(
        "'* * * * * * *' is not a cron schedule: expected 5 fields (minute hour day month"
            + " weekday), 6 with seconds first, or @daily/@hourly/...; got 7",
        e.getMessage());
  }

  @Test
  void next_isPresentForAValidSchedule() {
    assertEquals(
        Optional.of(ZonedDateTime.parse("2026-11-24T02:00Z")),
        Schedule.parse("0 2 * * *").next(NOW));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0 0 31 4 *", "0 0 30 2 *", "0 0 31 2,4,6 *", "0 0 0 31 11 *"})
  void impossibleDate_neverFires_isRejected(String cron) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Schedule.parse(cron));
    assertTrue(e.getMessage().startsWith("'" + cron + "' never fires"), e.getMessage());
  }

  @Test
  void leapDay_firesInALeapYear() {
    assertEquals(ZonedDateTime.parse("2028-02-29T00:00Z"), next("0 0 29 2 *"));
  }

  @Test
  void zone_timesAreLocalToIt() {
    Schedule s = Schedule.parse("0 2 * * *", java.time.ZoneId.of("Europe/Berlin"));
    ZonedDateTime at = s.next(NOW).orElseThrow();
    assertEquals(java.time.ZoneId.of("Europe/Berlin"), at.getZone());
    assertEquals(java.time.Instant.parse("2026-11-24T01:00:00Z"), at.toInstant());
  }
}
