package dev.stackback.util;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last lines of a command's output, for reports: at most {@link #DEFAULT_LINES} lines and
 * {@link #MAX_BYTES} bytes (UTF-8) in all, older lines dropped first. Thread-safe.
 */
public final class OutputTail {

  public static final int DEFAULT_LINES = 50;

  /** Bytes of output a step keeps (and a run record stores) at most. */
  public static final int MAX_BYTES = 16 * 1024;

  private final int capacity;
  private final ArrayDeque<String> lines;
  private int bytes;

  public OutputTail(int capacity) {
    this.capacity = capacity;
    this.lines = new ArrayDeque<>(Math.min(capacity, 1024));
  }

  public OutputTail() {
    this(DEFAULT_LINES);
  }

  public synchronized void add(String line) {
    String kept = capLine(line);
    lines.addLast(kept);
    bytes += utf8Length(kept);
    while (lines.size() > capacity || (bytes > MAX_BYTES && lines.size() > 1)) {
      bytes -= utf8Length(lines.removeFirst());
    }
  }

  public synchronized List<String> snapshot() {
    return List.copyOf(lines);
  }

  /**
   * {@code tail} within the bounds of a stored step: each line at most {@link
   * LineSplitter#MAX_LINE_BYTES} bytes, the last lines within {@link #MAX_BYTES} in all. The same
   * list when it already fits.
   */
  public static List<String> bound(List<String> tail) {
    int total = 0;
    boolean fits = true;
    for (String l : tail) {
      int n = utf8Length(l);
      total += n;
      if (n > MAX_STORED_LINE_BYTES || total > MAX_BYTES) {
        fits = false;
        break;
      }
    }
    if (fits) {
      return tail;
    }
    OutputTail t = new OutputTail(Integer.MAX_VALUE);
    tail.forEach(t::add);
    return new ArrayList<>(t.snapshot());
  }

  /**
   * Longest line (UTF-8 bytes) kept as it is: what a {@link LineSplitter} emits, 4 KiB of input
   * that may take up to 3 bytes a byte once control characters and invalid UTF-8 became U+FFFD,
   * plus its omission note.
   */
  static final int MAX_STORED_LINE_BYTES = 3 * LineSplitter.MAX_LINE_BYTES + 64;

  /**
   * A line longer than {@link #MAX_STORED_LINE_BYTES} cut to {@link LineSplitter#MAX_LINE_BYTES}
   * bytes, then {@code … N bytes omitted}; lines from a {@link LineSplitter} are returned as they
   * are.
   */
  public static String capLine(String line) {
    if (line.length() <= LineSplitter.MAX_LINE_BYTES) {
      return line;
    }
    int total = utf8Length(line);
    if (total <= MAX_STORED_LINE_BYTES) {
      return line;
    }
    int kept = 0;
    int i = 0;
    while (i < line.length()) {
      int n = utf8Length(line.charAt(i));
      if (kept + n > LineSplitter.MAX_LINE_BYTES) {
        break;
      }
      kept += n;
      i += n == 4 ? 2 : 1;
    }
    return line.substring(0, i) + "… " + (total - kept) + " bytes omitted";
  }

  /** Bytes of {@code s} in UTF-8, without encoding it. */
  public static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      int k = utf8Length(s.charAt(i));
      n += k;
      if (k == 4) {
        i++;
      }
    }
    return n;
  }

  /** Bytes of the character starting with {@code c}: 4 for a surrogate pair. */
  private static int utf8Length(char c) {
    if (c < 0x80) {
      return 1;
    }
    if (c < 0x800) {
      return 2;
    }
    return Character.isHighSurrogate(c) ? 4 : 3;
  }
}
