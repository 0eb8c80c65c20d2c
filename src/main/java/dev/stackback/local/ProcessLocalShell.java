package dev.stackback.local;

import dev.stackback.port.ExecResult;
import dev.stackback.port.LocalShell;
import dev.stackback.port.OutputLine;
import dev.stackback.port.OutputLine.Stream;
import dev.stackback.util.LineSplitter;
import dev.stackback.util.OutputTail;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link LocalShell} with {@link ProcessBuilder}: {@code sh -c script} with the extra environment
 * merged over ours, output lines streamed as they arrive, and on timeout the whole process tree
 * terminated (SIGTERM, then SIGKILL after {@link #KILL_GRACE}).
 */
public final class ProcessLocalShell implements LocalShell {
  /** How long a timed-out process tree gets between SIGTERM and SIGKILL. */
  public static final Duration KILL_GRACE = Duration.ofSeconds(2);

  private static final int TAIL = 50;
  private static final Duration DRAIN = Duration.ofSeconds(2);
  private final String shell;

  /** Runs scripts with {@code sh}. */
  public ProcessLocalShell() {
    this("sh");
  }

  /** Runs scripts with the given POSIX shell. */
  public ProcessLocalShell(String shell) {
    this.shell = shell;
  }

  @Override
  public ExecResult run(String script, Map<String, String> env, Duration timeout, OutputLine out) {
    long started = System.nanoTime();
    Tail tail = new Tail(out == null ? OutputLine.discard() : out);
    Process process;
    try {
      process = start(script, env);
    } catch (IOException e) {
      return new ExecResult(
          -1, false, elapsed(started), List.of("cannot start " + shell + ": " + e));
    }
    Thread stdout = reader(process.getInputStream(), Stream.STDOUT, tail);
    Thread stderr = reader(process.getErrorStream(), Stream.STDERR, tail);
    boolean exited = waitFor(process, timeout);
    if (!exited) {
      killTree(process);
    }
    join(stdout);
    join(stderr);
    int exitCode = exited ? process.exitValue() : -1;
    return new ExecResult(exitCode, !exited, elapsed(started), tail.lines());
  }

  private Process start(String script, Map<String, String> env) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(shell, "-c", script);
    if (env != null) {
      builder.environment().putAll(env);
    }
    Process process = builder.start();
    process.getOutputStream().close(); // hooks get no stdin
    return process;
  }

  private static boolean waitFor(Process process, Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  // Children first collected while the shell still lives: once it dies they are re-parented.
  private static void killTree(Process process) {
    List<ProcessHandle> tree =
        java.util.stream.Stream.concat(
                process.descendants(), java.util.stream.Stream.of(process.toHandle()))
            .toList();
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + KILL_GRACE.toNanos();
    while (System.nanoTime() < deadline && tree.stream().anyMatch(ProcessHandle::isAlive)) {
      sleepBriefly();
    }
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleepBriefly() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // Bytes, not readLine(): a hook printing 50 MB without a newline must not become one 50 MB
  // string.
  private static Thread reader(InputStream in, Stream stream, Tail tail) {
    return Thread.ofPlatform()
        .name("local-shell-" + stream.name().toLowerCase(java.util.Locale.ROOT))
        .daemon()
        .start(
            () -> {
              LineSplitter lines = new LineSplitter(line -> tail.add(stream, line));
              byte[] buffer = new byte[8192];
              try (in) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                  lines.feed(buffer, 0, n);
                }
              } catch (IOException e) {
                // the process is gone; what we read is all there is
              }
              lines.flush();
            });
  }

  // A grandchild that escaped the kill may hold the pipe open: never wait for it unbounded.
  private static void join(Thread thread) {
    try {
      thread.join(DRAIN.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Duration elapsed(long started) {
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /** Forwards lines and keeps the last of them (bounded in lines and bytes). */
  private static final class Tail {
    private final OutputLine out;
    private final OutputTail lines = new OutputTail(TAIL);

    Tail(OutputLine out) {
      this.out = out;
    }

    void add(Stream stream, String line) {
      lines.add(line);
      out.line(stream, line);
    }

    List<String> lines() {
      return lines.snapshot();
    }
  }
}
