package dev.stackback.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BytesTest {

  @ParameterizedTest
  @CsvSource({
    "0, 0 B",
    "-5, 0 B",
    "1023, 1023 B",
    "1024, 1.0 KiB",
    "1536, 1.5 KiB",
    "10239, 10 KiB",
    "650117120, 620 MiB",
    "1503238554, 1.4 GiB",
    "1073217536, 1.0 GiB", // 1023.5 MiB rounds to the next unit, never "1024 MiB"
    "5497558138880, 5.0 TiB",
    "9223372036854775807, 8.0 EiB"
  })
  void format_usesIecUnits_oneDecimalBelowTen(long bytes, String text) {
    assertEquals(text, Bytes.format(bytes));
  }

  @Test
  void parse_readsResticsSizes() {
    assertEquals(OptionalLong.of(0), Bytes.parse("0 B"));
    assertEquals(OptionalLong.of(165384552), Bytes.parse("157.723 MiB"));
    assertEquals(OptionalLong.of(1158567428), Bytes.parse("1.079 GiB"));
    assertEquals(OptionalLong.of(2048), Bytes.parse("2 KiB"));
    assertEquals(OptionalLong.empty(), Bytes.parse("no size"));
    assertEquals(OptionalLong.empty(), Bytes.parse(null));
  }
}
