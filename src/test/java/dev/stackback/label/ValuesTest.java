package dev.stackback.label;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValuesTest {

  @ParameterizedTest
  @CsvSource({
    "30s, PT30S",
    "5m, PT5M",
    "1h30m, PT1H30M",
    "45, PT45S",
    "500ms, PT0.5S",
    "1d, PT24H",
    "2h5m10s, PT2H5M10S",
    "' 5M ', PT5M",
    "90s, PT1M30S",
    "1m500ms, PT1M0.5S"
  })
  void duration_acceptsUnitsAndCombinations_bareNumberIsSeconds(String raw, String expected) {
    assertEquals(Optional.of(Duration.parse(expected)), Values.parseDuration(raw));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10x", "", " ", "0", "0s", "0m0s", "-5s", "1h 30m", "s", "m5", "5m5", "1.5h", "5 m", "abc",
        "5sec", "1h-30m"
      })
  void duration_rejectsMalformedZeroAndNegative(String raw) {
    assertEquals(Optional.empty(), Values.parseDuration(raw));
  }

  @Test
  void duration_null_isEmpty() {
    assertEquals(Optional.empty(), Values.parseDuration(null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"99999999999999999999", "99999999999999999999s", "9999999999999999d"})
  void duration_tooLarge_isRejectedNotThrown(String raw) {
    assertEquals(Optional.empty(), Values.parseDuration(raw));
  }

  @ParameterizedTest
  @ValueSource(strings = {"true", "TRUE", "True", "1", "yes", "YES", "Yes", "on", "ON", " on "})
  void boolean_trueSpellings_anyCase(String raw) {
    assertEquals(Optional.of(true), Values.parseBoolean(raw));
  }

  @ParameterizedTest
  @ValueSource(strings = {"false", "FALSE", "False", "0", "no", "NO", "off", "Off", " false "})
  void boolean_falseSpellings_anyCase(String raw) {
    assertEquals(Optional.of(false), Values.parseBoolean(raw));
  }

  @ParameterizedTest
  @ValueSource(strings = {"maybe", "", "y", "n", "t", "2", "truee", "enabled"})
  void boolean_otherWords_areRejected(String raw) {
    assertEquals(Optional.empty(), Values.parseBoolean(raw));
  }

  @Test
  void boolean_null_isEmpty() {
    assertEquals(Optional.empty(), Values.parseBoolean(null));
  }

  @Test
  void list_trimsTokensAndDropsEmptyOnes() {
    assertEquals(List.of("a", "b c", "d"), Values.parseList(" a , b c ,, d ,"));
  }

  @Test
  void list_blankOrNull_isEmpty() {
    assertEquals(List.of(), Values.parseList("  "));
    assertEquals(List.of(), Values.parseList(null));
    assertEquals(List.of(), Values.parseList(" , ,"));
  }

  @Test
  void nonNegativeInt_acceptsDigitsTrimmed_rejectsSignsAndWords() {
    assertEquals(Optional.of(0), Values.parseNonNegativeInt("0"));
    assertEquals(Optional.of(42), Values.parseNonNegativeInt(" 42 "));
    assertEquals(Optional.empty(), Values.parseNonNegativeInt("-1"));
    assertEquals(Optional.empty(), Values.parseNonNegativeInt("+1"));
    assertEquals(Optional.empty(), Values.parseNonNegativeInt("1.0"));
    assertEquals(Optional.empty(), Values.parseNonNegativeInt("ten"));
    assertEquals(Optional.empty(), Values.parseNonNegativeInt("9999999999"));
    assertEquals(Optional.empty(), Values.parseNonNegativeInt(null));
  }
}
