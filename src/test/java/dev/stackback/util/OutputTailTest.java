package dev.stackback.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OutputTailTest {
  private static int bytes(List<String> lines) {
    return lines.stream().mapToInt(OutputTail::utf8Length).sum();
  }

  @Test
  void keepsTheLastLines() {
    OutputTail t = new OutputTail(3);
    IntStream.rangeClosed(1, 5).forEach(i -> t.add("l" + i));
    assertEquals(List.of("l3", "l4", "l5"), t.snapshot());
  }

  @Test
  void boundedByBytes_oldestDroppedFirst() {
    OutputTail t = new OutputTail();
    String line = "x".repeat(LineSplitter.MAX_LINE_BYTES);
    for (int i = 0; i < 10; i++) {
      t.add(i + line);
    }
    List<String> kept = t.snapshot();
    assertTrue(bytes(kept) <= OutputTail.MAX_BYTES, "bytes " + bytes(kept));
    assertEquals(List.of("7" + line, "8" + line, "9" + line), kept);
  }

  @Test
  void hugeLineFromElsewhere_isCut() {
    OutputTail t = new OutputTail();
    t.add("é".repeat(10_000)); // 20000 bytes
    String kept = t.snapshot().get(0);
    assertEquals("é".repeat(2048) + "… 15904 bytes omitted", kept);
    String binary = "\uFFFD".repeat(LineSplitter.MAX_LINE_BYTES) + "… 52424704 bytes omitted";
    t.add(binary);
    assertEquals(binary, t.snapshot().get(t.snapshot().size() - 1), "a splitter's line is kept");
  }

  @Test
  void bound_leavesSmallTailsAlone_andCutsBigOnes() {
    List<String> small = List.of("a", "b");
    assertSame(small, OutputTail.bound(small));
    List<String> big = IntStream.range(0, 200).mapToObj(i -> i + "y".repeat(1000)).toList();
    List<String> bounded = OutputTail.bound(big);
    assertTrue(bytes(bounded) <= OutputTail.MAX_BYTES, "bytes " + bytes(bounded));
    assertEquals(big.get(199), bounded.get(bounded.size() - 1));
  }

  @Test
  void utf8Length_countsLikeTheEncoder() {
    String s = "aé€😀";
    assertEquals(
        s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, OutputTail.utf8Length(s));
  }
}
