package dev.stackback.port;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of a command: a non-zero exit is data, not an exception.
 *
 * @param exitCode the command's exit code; -1 when it never produced one (timed out, killed)
 * @param timedOut true when the command ran past its timeout and was killed
 * @param duration wall time
 * @param tail the last lines of output (stdout and stderr interleaved), for reports
 */
public record ExecResult(int exitCode, boolean timedOut, Duration duration, List<String> tail) {
  public ExecResult {
    tail = List.copyOf(tail == null ? List.of() : tail);
    duration = duration == null ? Duration.ZERO : duration;
  }

  public boolean succeeded() {
    return exitCode == 0 && !timedOut;
  }
}
