package dev.stackback.restic;

import dev.stackback.port.OutputLine;
import dev.stackback.port.OutputLine.Stream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Receives restic's output lines as they arrive: strips terminal escapes, redacts secrets, forwards
 * them to the caller's {@link OutputLine}, keeps the stdout lines a command's result needs and a
 * tail of stderr for error messages. JSON progress ({@code status}) lines are forwarded but never
 * kept: a long backup prints thousands; the caller throttles what it logs of them.
 */
final class ResticOutput {
  private static final int TAIL = 50;
  private static final int MAX_KEPT_STDOUT = 50_000;
  private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[A-Za-z]|\r");

  private final OutputLine log;
  private final Redactor redactor;
  private final List<String> stdout = new ArrayList<>();
  private final Deque<String> stderrTail = new ArrayDeque<>();
  private boolean stdoutTruncated;
  private volatile String unreachable;

  ResticOutput(OutputLine log, Redactor redactor) {
    this.log = log == null ? OutputLine.discard() : log;
    this.redactor = redactor;
  }

  void stdout(String raw) {
    String line = clean(raw);
    if (ResticJson.isStatus(line)) {
      log.line(Stream.STDOUT, line);
      return;
    }
    synchronized (this) {
      if (stdout.size() < MAX_KEPT_STDOUT) {
        stdout.add(line);
      } else {
        stdoutTruncated = true;
      }
    }
    log.line(Stream.STDOUT, line);
  }

  void stderr(String raw) {
    String line = clean(raw);
    if (unreachable == null) {
      Unreachable.retrying(line).ifPresent(reason -> unreachable = reason);
    }
    synchronized (this) {
      stderrTail.addLast(line);
      if (stderrTail.size() > TAIL) {
        stderrTail.removeFirst();
      }
    }
    log.line(Stream.STDERR, line);
  }

  /**
   * restic's reason when it retries opening the repository because the backend cannot be reached
   * (see {@link Unreachable#retrying}); empty until such a line arrived.
   */
  java.util.Optional<String> unreachable() {
    return java.util.Optional.ofNullable(unreachable);
  }

  synchronized List<String> stdoutLines() {
    return List.copyOf(stdout);
  }

  synchronized boolean stdoutTruncated() {
    return stdoutTruncated;
  }

  synchronized List<String> stderrLines() {
    return List.copyOf(stderrTail);
  }

  /** The last stderr lines in one line, for exception messages (already redacted). */
  String errorText() {
    List<String> lines = stderrLines();
    return ResticJson.lastLines(lines.isEmpty() ? stdoutLines() : lines);
  }

  private String clean(String raw) {
    return redactor.redact(ANSI.matcher(raw).replaceAll(""));
  }
}
