package dev.stackback.docker;

import java.util.ArrayDeque;
import java.util.List;

/** The last lines of a command's output, for reports. Thread-safe. */
final class OutputTail {

  static final int DEFAULT_LINES = 50;

  private final int capacity;
  private final ArrayDeque<String> lines;

  OutputTail(int capacity) {
    this.capacity = capacity;
    this.lines = new ArrayDeque<>(capacity);
  }

  OutputTail() {
    this(DEFAULT_LINES);
  }

  synchronized void add(String line) {
    if (lines.size() == capacity) {
      lines.removeFirst();
    }
    lines.addLast(line);
  }

  synchronized List<String> snapshot() {
    return List.copyOf(lines);
  }
}
