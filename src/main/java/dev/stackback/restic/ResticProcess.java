package dev.stackback.restic;

import dev.stackback.port.ResticException;
import dev.stackback.port.ResticException.Kind;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.zeroturnaround.exec.MessageLoggers;
import org.zeroturnaround.exec.ProcessExecutor;
import org.zeroturnaround.exec.ProcessResult;
import org.zeroturnaround.exec.StartedProcess;
import org.zeroturnaround.exec.stream.ExecuteStreamHandler;

/**
 * One running restic process, started with zt-exec. stdout and stderr are read on their own threads
 * as they arrive; stdin is either closed at once or kept open (buffered) for the caller.
 * Interrupting sends SIGINT so restic removes its lock, and kills only when it does not exit.
 */
final class ResticProcess {
  static final Duration INTERRUPT_GRACE = Duration.ofSeconds(20);

  /** How long SIGINT gets to cancel restic's work before its stdin is closed. */
  static final Duration STDIN_SETTLE = Duration.ofMillis(750);

  private static final int STDIN_BUFFER = 1 << 20;
  private static final int COPY_BUFFER = 1 << 16;
  private static final Duration DRAIN = Duration.ofSeconds(30);

  private final Process process;
  private final Future<ProcessResult> future;
  private final Streams streams;

  private ResticProcess(StartedProcess started, Streams streams) {
    this.process = started.getProcess();
    this.future = started.getFuture();
    this.streams = streams;
  }

  /**
   * Starts restic. {@code rawStdout}, when not null, receives stdout bytes unchanged (for dump);
   * otherwise stdout lines go to {@code output}. Inherited {@code RESTIC_*} variables that {@code
   * env} does not set are removed, so only the caller's settings reach restic.
   */
  static ResticProcess start(
      List<String> argv,
      Map<String, String> env,
      ResticOutput output,
      OutputStream rawStdout,
      boolean keepStdin) {
    Streams streams = new Streams(output, rawStdout, keepStdin);
    ProcessExecutor executor =
        new ProcessExecutor()
            .command(withoutCacheWhenHomeless(argv, env, System.getenv()))
            .exitValueAny()
            .redirectErrorStream(false)
            .streams(streams)
            // zt-exec's own message logs the environment, i.e. the password: never
            .setMessageLogger(MessageLoggers.NOP)
            .environment(env);
    System.getenv().keySet().stream()
        .filter(name -> name.startsWith("RESTIC_") && !env.containsKey(name))
        .forEach(name -> executor.environment(name, null));
    try {
      return new ResticProcess(executor.start(), streams);
    } catch (IOException e) {
      throw new ResticException(
          Kind.FAILED, -1, "cannot start " + argv.get(0) + ": " + e.getMessage());
    }
  }

  /** restic's stdin, buffered; only when started with {@code keepStdin}. */
  OutputStream stdin() {
    return streams.stdin;
  }

  /** Closes stdin; restic then sees EOF (and commits a stdin backup). */
  void closeStdin() throws IOException {
    if (streams.stdin != null) {
      streams.stdin.close();
    }
  }

  void closeStdinQuietly() {
    try {
      closeStdin();
    } catch (IOException e) {
      // restic is gone already; nothing left to tell it
    }
  }

  /** The error writing dump output to the caller's stream, or null. */
  IOException copyError() {
    return streams.copyError;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code once restic exited and its output was read, or empty after {@code timeout}. */
  OptionalInt await(Duration timeout) {
    try {
      return OptionalInt.of(
          future.get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS).getExitValue());
    } catch (TimeoutException e) {
      return OptionalInt.empty();
    } catch (InterruptedException e) {
      interrupt();
      Thread.currentThread().interrupt();
      throw new ResticException(Kind.FAILED, -1, "interrupted while waiting for restic");
    } catch (ExecutionException e) {
      throw new ResticException(Kind.FAILED, -1, "restic failed: " + e.getCause());
    }
  }

  /** Sends SIGINT (restic cleans up and removes its lock) without waiting. */
  void sendInterrupt() {
    if (!process.isAlive()) {
      return;
    }
    try {
      // Java can only send SIGTERM/SIGKILL; the shell's kill builtin needs no extra package
      new ProcessBuilder("sh", "-c", "kill -INT \"$1\"", "sh", Long.toString(process.pid()))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      process.destroy();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * SIGINT, then waits up to {@link #INTERRUPT_GRACE} for restic to exit, then kills it. Returns
   * the exit code, or -1 when there was none.
   */
  int interrupt() {
    return interrupt(false);
  }

  /**
   * Like {@link #interrupt()} for a restic that reads stdin: restic ≥ 0.17 does not exit on SIGINT
   * while it blocks reading an open stdin, so when it is still there after {@link #STDIN_SETTLE}
   * its stdin is closed. Its context is cancelled by then, so the EOF ends it with "context
   * canceled" (exit 130) and no snapshot; the caller still checks the exit code (0 would mean a
   * snapshot was saved).
   */
  int interruptThenCloseStdin() {
    return interrupt(true);
  }

  private int interrupt(boolean closeStdin) {
    boolean wasInterrupted = Thread.interrupted();
    try {
      sendInterrupt();
      long grace = INTERRUPT_GRACE.toMillis();
      if (closeStdin && !process.waitFor(STDIN_SETTLE.toMillis(), TimeUnit.MILLISECONDS)) {
        closeStdinQuietly();
        grace -= STDIN_SETTLE.toMillis();
      }
      if (!process.waitFor(grace, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
      await(DRAIN);
      return process.isAlive() ? -1 : process.exitValue();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      wasInterrupted = true;
      return -1;
    } finally {
      if (wasInterrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Where restic finds its cache directory; with none of them set it has no cache. */
  private static final List<String> CACHE_LOCATIONS =
      List.of("RESTIC_CACHE_DIR", "XDG_CACHE_HOME", "HOME");

  /**
   * {@code argv} with {@code --no-cache} after the program when neither {@code env} nor the process
   * environment says where restic's cache goes: restic ≥ 0.17 refuses to run then ("unable to
   * locate cache directory"), e.g. under a service manager that sets no HOME; 0.14 ran without a
   * cache anyway.
   */
  static List<String> withoutCacheWhenHomeless(
      List<String> argv, Map<String, String> env, Map<String, String> processEnv) {
    boolean located =
        CACHE_LOCATIONS.stream()
            .anyMatch(
                name ->
                    !isBlank(env.get(name))
                        || (!env.containsKey(name) && !isBlank(processEnv.get(name))));
    if (located || argv.contains("--no-cache") || argv.isEmpty()) {
      return argv;
    }
    List<String> with = new java.util.ArrayList<>(argv);
    with.add(1, "--no-cache");
    return List.copyOf(with);
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  /** zt-exec stream handler: our own reader threads, stdin kept open when asked. */
  private static final class Streams implements ExecuteStreamHandler {
    private final ResticOutput output;
    private final OutputStream rawStdout;
    private final boolean keepStdin;
    private OutputStream stdin;
    private InputStream stdoutIn;
    private InputStream stderrIn;
    private Thread stdoutThread;
    private Thread stderrThread;
    private volatile IOException copyError;

    Streams(ResticOutput output, OutputStream rawStdout, boolean keepStdin) {
      this.output = output;
      this.rawStdout = rawStdout;
      this.keepStdin = keepStdin;
    }

    @Override
    public void setProcessInputStream(OutputStream os) {
      this.stdin = keepStdin ? new BufferedOutputStream(os, STDIN_BUFFER) : os;
    }

    @Override
    public void setProcessErrorStream(InputStream is) {
      this.stderrIn = is;
    }

    @Override
    public void setProcessOutputStream(InputStream is) {
      this.stdoutIn = is;
    }

    @Override
    public void start() throws IOException {
      if (!keepStdin) {
        stdin.close();
        stdin = null;
      }
      stdoutThread =
          rawStdout != null
              ? daemon("restic-stdout", () -> copy(stdoutIn, rawStdout))
              : daemon("restic-stdout", () -> lines(stdoutIn, output::stdout));
      stderrThread = daemon("restic-stderr", () -> lines(stderrIn, output::stderr));
    }

    @Override
    public void stop() {
      join(stdoutThread);
      join(stderrThread);
    }

    private static void join(Thread thread) {
      try {
        thread.join(DRAIN.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static Thread daemon(String name, Runnable body) {
      return Thread.ofPlatform().name(name).daemon().start(body);
    }

    private static void lines(InputStream in, Consumer<String> sink) {
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          sink.accept(line);
        }
      } catch (IOException e) {
        // the process is gone; what we read so far is all there is
      }
    }

    // On a failing target keep reading (and dropping) so restic is not blocked on a full pipe.
    private void copy(InputStream in, OutputStream out) {
      byte[] buffer = new byte[COPY_BUFFER];
      try (in) {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          if (copyError == null) {
            write(out, buffer, n);
          }
        }
        if (copyError == null) {
          flush(out);
        }
      } catch (IOException e) {
        // reading restic's stdout failed: the process is gone
      }
    }

    private void flush(OutputStream out) {
      try {
        out.flush();
      } catch (IOException e) {
        copyError = e;
      }
    }

    private void write(OutputStream out, byte[] buffer, int n) {
      try {
        out.write(buffer, 0, n);
      } catch (IOException e) {
        copyError = e;
      }
    }
  }
}
