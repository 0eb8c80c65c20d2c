package dev.stackback.util;

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
  void overlongLine_keepsTheCapAndCountsTheRest() {
    feed("a".repeat(LineSplitter.MAX_LINE_BYTES + 10) + "\nnext\n");
    assertEquals(
        List.of("a".repeat(LineSplitter.MAX_LINE_BYTES) + "… 10 bytes omitted", "next"), lines);
  }

  @Test
  void fiftyMegabytesOfNulBytes_becomeOneShortLine() {
    byte[] chunk = new byte[64 * 1024];
    int chunks = 50 * 16; // 50 MiB
    for (int i = 0; i < chunks; i++) {
      splitter.feed(chunk);
    }
    assertEquals(List.of(), lines, "no newline yet: nothing emitted, nothing piled up");
    splitter.flush();
    assertEquals(1, lines.size());
    String line = lines.get(0);
    long omitted = (long) chunks * chunk.length - LineSplitter.MAX_LINE_BYTES;
    assertEquals(
        "\uFFFD".repeat(LineSplitter.MAX_LINE_BYTES) + "… " + omitted + " bytes omitted", line);
  }

  @Test
  void controlCharacters_becomeReplacementCharacters_tabStays() {
    feed("a\u0000b\u001b[31mc\td\n");
    assertEquals(List.of("a\uFFFDb\uFFFD[31mc\td"), lines);
  }

  @Test
  void cutInsideAMultiByteCharacter_dropsTheWholeCharacter() {
    LineSplitter small = new LineSplitter(4, lines::add);
    small.feed("abcü-rest\n".getBytes(StandardCharsets.UTF_8)); // ü is 2 bytes: 3 + 1 of it fit
    assertEquals(List.of("abc… 7 bytes omitted"), lines);
  }

  @Test
  void offsetAndLength_areHonoured() {
    byte[] bytes = "xxab\ncdyy".getBytes(StandardCharsets.UTF_8);
    splitter.feed(bytes, 2, 5);
    splitter.flush();
    assertEquals(List.of("ab", "cd"), lines);
  }
}
