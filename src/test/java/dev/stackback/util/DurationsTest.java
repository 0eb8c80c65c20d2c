package dev.stackback.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({
    "0, 0s",
    "1, 1ms",
    "331, 331ms",
    "999, 999ms",
    "1000, 1s",
    "1500, 1.5s",
    "1549, 1.5s",
    "2050, 2s",
    "59900, 59.9s",
    "70000, 1m10s",
    "70500, 1m10s",
    "90000, 1m30s",
    "600000, 10m",
    "3605000, 1h5s",
    "7500000, 2h5m",
    "43200000, 12h",
    "97200000, 1d3h"
  })
  void format_readsLikePeopleWriteIt(long ms, String expected) {
    assertEquals(expected, Durations.format(Duration.ofMillis(ms)));
    assertEquals(expected, Durations.formatMillis(ms));
  }

  @org.junit.jupiter.api.Test
  void nullAndNegative() {
    assertEquals("-", Durations.format(null));
    assertEquals("0s", Durations.format(Duration.ofSeconds(-3)));
  }
}
