package dev.stackback.engine;

import dev.stackback.port.OutputLine;
import dev.stackback.util.Bytes;
import dev.stackback.util.OutputTail;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs a step's output lines as {@code [label] line}, at most {@link #MAX_LINES} lines and {@link
 * #MAX_BYTES} bytes per second: a hook that prints 100 MB cannot make a log of 100 MB. What is left
 * out is said once per second, as {@code [label] N lines omitted (1.2 MiB)}, and at {@link #close}.
 * Lines are already bounded in length by the adapters' line splitters. Thread-safe.
 */
final class OutputLog implements OutputLine, AutoCloseable {
  static final int MAX_LINES = 100;
  static final int MAX_BYTES = 64 * 1024;
  private static final long WINDOW_NANOS = 1_000_000_000L;

  private final Logger log;
  private final String label;
  private final LongSupplier nanos;
  private long windowStart;
  private int lines;
  private long bytes;
  private long omittedLines;
  private long omittedBytes;

  OutputLog(Logger log, String label) {
    this(log, label, System::nanoTime);
  }

  OutputLog(Logger log, String label, LongSupplier nanos) {
    this.log = log;
    this.label = label;
    this.nanos = nanos;
    this.windowStart = nanos.getAsLong();
  }

  @Override
  public synchronized void line(Stream stream, String line) {
    long now = nanos.getAsLong();
    if (now - windowStart >= WINDOW_NANOS) {
      reportOmitted();
      windowStart = now;
      lines = 0;
      bytes = 0;
    }
    int size = OutputTail.utf8Length(line);
    if (lines < MAX_LINES && bytes + size <= MAX_BYTES) {
      lines++;
      bytes += size;
      log.info("[{}] {}", label, line);
    } else {
      omittedLines++;
      omittedBytes += size;
    }
  }

  /** Says what the last window left out. */
  @Override
  public synchronized void close() {
    reportOmitted();
  }

  private void reportOmitted() {
    if (omittedLines > 0) {
      log.warn(
          "[{}] {} lines omitted ({}): more than {} lines or {} KiB of output per second;"
              + " the run record keeps the last lines",
          label,
          omittedLines,
          Bytes.format(omittedBytes),
          MAX_LINES,
          MAX_BYTES / 1024);
      omittedLines = 0;
      omittedBytes = 0;
    }
  }
}
