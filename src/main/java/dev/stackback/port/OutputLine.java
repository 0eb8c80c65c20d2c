package dev.stackback.port;

/** Receives output line by line as it arrives. Implementations must be thread-safe. */
@FunctionalInterface
public interface OutputLine {
  /** Which stream a line came from. */
  enum Stream {
    STDOUT,
    STDERR
  }

  void line(Stream stream, String line);

  /** A sink that drops everything. */
  static OutputLine discard() {
    return (stream, line) -> {};
  }
}
