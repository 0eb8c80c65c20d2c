package dev.stackback.docker;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Turns a byte stream that arrives in arbitrary chunks into lines: keeps a partial line across
 * chunks, strips {@code \r\n}, and emits an over-long line in pieces so memory stays bounded. Bytes
 * are decoded as UTF-8 per complete line, so a character split across chunks survives. Not
 * thread-safe: one splitter per stream, fed from one thread.
 */
final class LineSplitter {

  /** Longest line kept before it is emitted anyway (a dump without newlines must not fill RAM). */
  static final int MAX_LINE_BYTES = 64 * 1024;

  private final Consumer<String> sink;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

  LineSplitter(Consumer<String> sink) {
    this.sink = sink;
  }

  /** Feeds a chunk; every complete line in it goes to the sink. */
  void feed(byte[] data, int offset, int length) {
    int start = offset;
    int end = offset + length;
    for (int i = offset; i < end; i++) {
      if (data[i] == '\n') {
        partial.write(data, start, i - start);
        emit();
        start = i + 1;
      } else if (partial.size() + (i - start) >= MAX_LINE_BYTES) {
        partial.write(data, start, i - start);
        emit();
        start = i;
      }
    }
    partial.write(data, start, end - start);
  }

  void feed(byte[] data) {
    feed(data, 0, data.length);
  }

  /** Emits what is left as a last line (a final line without a newline). */
  void flush() {
    if (partial.size() > 0) {
      emit();
    }
  }

  private void emit() {
    byte[] bytes = partial.toByteArray();
    partial.reset();
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    sink.accept(new String(bytes, 0, length, StandardCharsets.UTF_8));
  }
}
