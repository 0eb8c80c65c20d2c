package dev.stackback.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HumanDurationTest {
  @Test
  void readsLikePeopleWriteIt() {
    assertEquals("0ms", HumanDuration.format(Duration.ZERO));
    assertEquals("331ms", HumanDuration.format(Duration.ofMillis(331)));
    assertEquals("1s", HumanDuration.format(Duration.ofMillis(1000)));
    assertEquals("2.3s", HumanDuration.format(Duration.ofMillis(2345)));
    assertEquals("1m10s", HumanDuration.format(Duration.ofSeconds(70)));
    assertEquals("2m", HumanDuration.format(Duration.ofMinutes(2)));
    assertEquals("1h5m", HumanDuration.format(Duration.ofMinutes(65)));
  }
}
