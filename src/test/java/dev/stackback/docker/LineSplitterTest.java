package dev.stackback.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

  private final List<String> lines = new ArrayList<>();
  private final LineSplitter splitter = new LineSplitter(lines::add);

  private void feed(String s) {
    splitter.feed(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void partialLineAcrossFrames_isJoined() {
    feed("hel");
    feed("lo\nwor");
    assertEquals(List.of("hello"), lines);
    feed("ld\n");
    assertEquals(List.of("hello", "world"), lines);
  }

  @Test
  void crlf_isStripped_andEmptyLinesKept() {
    feed("a\r\n\r\nb\n");
    assertEquals(List.of("a", "", "b"), lines);
  }

  @Test
  void crSplitFromLfAcrossFrames_isStripped() {
    feed("a\r");
    feed("\nb\n");
    assertEquals(List.of("a", "b"), lines);
  }

  @Test
  void lastLineWithoutNewline_isEmittedOnFlush_once() {
    feed("x\ny");
    assertEquals(List.of("x"), lines);
    splitter.flush();
    splitter.flush();
    assertEquals(List.of("x", "y"), lines);
  }

  @Test
  void multiByteCharacterSplitAcrossFrames_survives() {
    byte[] bytes = "grüße\n".getBytes(StandardCharsets.UTF_8);
    splitter.feed(Arrays.copyOfRange(bytes, 0, 3)); // cuts the 'ü' in half
    splitter.feed(Arrays.copyOfRange(bytes, 3, bytes.length));
    assertEquals(List.of("grüße"), lines);
  }

  @Test
  void overlongLine_isEmittedInBoundedPieces() {
    feed("a".repeat(LineSplitter.MAX_LINE_BYTES + 10) + "\n");
    assertEquals(2, lines.size());
    assertEquals(LineSplitter.MAX_LINE_BYTES, lines.get(0).length());
    assertEquals(10, lines.get(1).length());
  }

  @Test
  void offsetAndLength_areHonoured() {
    byte[] bytes = "xxab\ncdyy".getBytes(StandardCharsets.UTF_8);
    splitter.feed(bytes, 2, 5);
    splitter.flush();
    assertEquals(List.of("ab", "cd"), lines);
  }
}
