package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackback.config.ConfigLoader;
import java.time.ZonedDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusTextTest {
  @Test
  void nextTime_isShownInTheSchedulesZone() {
    var config =
        ConfigLoader.load(
                Map.of(
                    "RESTIC_REPOSITORY", "/repo",
                    "RESTIC_PASSWORD", "x",
                    "TZ", "Europe/Berlin",
                    "CRON_SCHEDULE", "30 3 * * *"),
                p -> "")
            .config()
            .orElseThrow();
    Map<String, Object> m = StatusModel.config(config, ZonedDateTime.parse("2026-12-02T12:00:00Z"));
    assertEquals("Europe/Berlin", m.get("timeZone"));
    assertEquals("2026-12-03T03:30+01:00", m.get("nextBackup"));
    assertEquals(
        "2026-12-03 03:30 Europe/Berlin", StatusText.when(m.get("nextBackup"), m.get("timeZone")));
  }

  @Test
  void noNextTime_saysNone() {
    assertEquals("none", StatusText.when(null, "UTC"));
  }
}
