package dev.stackback.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class DistributionTest {
  @Test
  void median_oddCount_isTheMiddleOfTheSortedValues() {
    assertEquals(5, Distribution.median(List.of(9L, 1L, 5L)));
    assertEquals(7, Distribution.median(List.of(7L)));
  }

  @Test
  void median_evenCount_isTheRoundedMeanOfTheTwoMiddleValues() {
    assertEquals(3, Distribution.median(List.of(4L, 2L))); // (2 + 4) / 2
    assertEquals(3, Distribution.median(List.of(1L, 2L, 3L, 100L))); // 2.5 rounds up
    assertEquals(2, Distribution.median(List.of(2L, 2L)));
  }

  @Test
  void median_hugeValues_doNotOverflow() {
    long big = Long.MAX_VALUE - 10;
    assertEquals(big - 1, Distribution.median(List.of(big, big - 2)));
  }

  @Test
  void median_empty_isAnError() {
    assertThrows(IllegalArgumentException.class, () -> Distribution.median(List.of()));
    assertThrows(IllegalArgumentException.class, () -> Distribution.of(List.of()));
  }

  @Test
  void p95_isTheNearestRank() {
    // 20 values 1..20: rank ceil(0.95 * 20) = 19
    List<Long> twenty = java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList();
    assertEquals(19, Distribution.of(twenty).p95());
    // 21 values: rank ceil(19.95) = 20
    List<Long> more = java.util.stream.LongStream.rangeClosed(1, 21).boxed().toList();
    assertEquals(20, Distribution.of(more).p95());
    // fewer than 20: the maximum
    assertEquals(90, Distribution.of(List.of(10L, 90L, 20L)).p95());
    assertEquals(4, Distribution.of(List.of(4L)).p95());
  }

  @Test
  void of_oneValue_hasNoTrend() {
    Distribution d = Distribution.of(List.of(42L));
    assertEquals(new Distribution(1, 42, 42, 42, null), d);
  }

  @Test
  void trend_belowFourValues_isNull() {
    assertNull(Distribution.trend(List.of(1L, 2L, 300L)));
  }

  @Test
  void trend_comparesTheNewerHalfWithTheOlderHalf() {
    // older half 10, 10; newer half 15, 15: +50 %
    assertEquals(50.0, Distribution.trend(List.of(10L, 10L, 15L, 15L)));
    // the order matters: the same values the other way round fall by a third
    assertEquals(-33.3, Distribution.trend(List.of(15L, 15L, 10L, 10L)));
    // odd count: the middle value (1000) is in neither half
    assertEquals(0.0, Distribution.trend(List.of(10L, 10L, 1000L, 10L, 10L)));
  }

  @Test
  void trend_olderHalfZero_isNull() {
    assertNull(Distribution.trend(List.of(0L, 0L, 5L, 5L)));
  }

  @Test
  void of_setsEveryField() {
    Distribution d = Distribution.of(List.of(100L, 200L, 300L, 1000L));
    assertEquals(4, d.count());
    assertEquals(250, d.median());
    assertEquals(1000, d.p95());
    assertEquals(1000, d.max());
    assertEquals(333.3, d.trendPercent()); // 150 -> 650
  }
}
