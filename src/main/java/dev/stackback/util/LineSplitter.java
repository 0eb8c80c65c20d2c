package dev.stackback.util;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Turns a byte stream that arrives in arbitrary chunks into lines: keeps a partial line across
 * chunks and strips {@code \r\n}. Memory is bounded by the line cap, whatever arrives: a line
 * longer than the cap keeps its first bytes and ends in {@code … N bytes omitted}, the rest is
 * counted, not kept (50 MB of NUL bytes without a newline is one short line). Control characters
 * other than tab become U+FFFD, so binary output stays readable and small in logs and JSON. Bytes
 * are decoded as UTF-8 per complete line, so a character split across chunks survives. Not
 * thread-safe: one splitter per stream, fed from one thread.
 */
public final class LineSplitter {

  /** Bytes of one line that are kept; the rest of a longer line is counted and omitted. */
  public static final int MAX_LINE_BYTES = 4 * 1024;

  private final Consumer<String> sink;
  private final byte[] line;
  private int length;
  private long omitted;

  /** Lines of at most {@link #MAX_LINE_BYTES} bytes go to {@code sink}. */
  public LineSplitter(Consumer<String> sink) {
    this(MAX_LINE_BYTES, sink);
  }

  /** Lines of at most {@code maxLineBytes} bytes (plus the omission note) go to {@code sink}. */
  public LineSplitter(int maxLineBytes, Consumer<String> sink) {
    if (maxLineBytes < 1) {
      throw new IllegalArgumentException("maxLineBytes must be positive");
    }
    this.sink = sink;
    this.line = new byte[maxLineBytes];
  }

  /** Feeds a chunk; every complete line in it goes to the sink. */
  public void feed(byte[] data, int offset, int count) {
    int start = offset;
    int end = offset + count;
    for (int i = offset; i < end; i++) {
      if (data[i] == '\n') {
        take(data, start, i);
        emit();
        start = i + 1;
      }
    }
    take(data, start, end);
  }

  public void feed(byte[] data) {
    feed(data, 0, data.length);
  }

  /** Emits what is left as a last line (a final line without a newline). */
  public void flush() {
    if (length > 0 || omitted > 0) {
      emit();
    }
  }

  private void take(byte[] data, int from, int to) {
    int n = to - from;
    int kept = Math.min(n, line.length - length);
    System.arraycopy(data, from, line, length, kept);
    length += kept;
    omitted += n - kept;
  }

  private void emit() {
    int end = length;
    if (omitted == 0 && end > 0 && line[end - 1] == '\r') {
      end--;
    }
    if (omitted > 0) {
      // do not cut a UTF-8 character in half: back up to the start of the last one
      int cut = end;
      while (cut > 0 && (line[cut - 1] & 0xC0) == 0x80) {
        cut--;
      }
      if (cut > 0
          && (line[cut - 1] & 0x80) != 0
          && end - (cut - 1) < sequenceLength(line[cut - 1])) {
        omitted += end - (cut - 1);
        end = cut - 1;
      }
    }
    String text = printable(new String(line, 0, end, StandardCharsets.UTF_8));
    if (omitted > 0) {
      text = text + "… " + omitted + " bytes omitted";
    }
    length = 0;
    omitted = 0;
    sink.accept(text);
  }

  private static int sequenceLength(byte lead) {
    int b = lead & 0xFF;
    if (b >= 0xF0) {
      return 4;
    }
    if (b >= 0xE0) {
      return 3;
    }
    return b >= 0xC0 ? 2 : 1;
  }

  /** Control characters other than tab replaced by U+FFFD. */
  public static String printable(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7F) {
        if (b == null) {
          b = new StringBuilder(s.length()).append(s, 0, i);
        }
        b.append('\uFFFD');
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }
}
