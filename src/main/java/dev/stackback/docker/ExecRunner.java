package dev.stackback.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.ExecCreateCmd;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.exception.DockerException;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine;
import dev.stackback.util.Durations;
import dev.stackback.util.LineSplitter;
import dev.stackback.util.OutputTail;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code docker exec} with a bound. Docker has no API to kill an exec'd process, so the
 * command is wrapped in {@code sh -c 'echo <marker> $$ >&2; exec "$@"'}: the wrapper reports its
 * PID (which the command inherits through {@code exec}) and a second exec can kill that PID and its
 * descendants on timeout. The wrapper needs a POSIX {@code sh} in the container.
 */
final class ExecRunner {

  /** How long a failed stdout sink waits for the PID marker on stderr. */
  private static final Duration PID_GRACE = Duration.ofSeconds(2);

  private static final long AWAIT_SLICE_MS = 100;

  private static final Logger LOG = LoggerFactory.getLogger(ExecRunner.class);
  private static final Duration EXIT_CODE_WAIT = Duration.ofSeconds(5);
  private static final Duration AFTER_KILL_WAIT = Duration.ofSeconds(5);
  private static final Duration KILL_EXEC_WAIT = Duration.ofSeconds(15);
  private static final String WRAPPER = "echo \"$0 $$\" >&2; exec \"$@\"";

  private final DockerClient client;

  ExecRunner(DockerClient client) {
    this.client = client;
  }

  ExecResult run(ExecRequest request, OutputLine output) {
    return runWithInput(request, null, output);
  }

  /**
   * Like {@link #run} with {@code stdin} (when not null) attached; the command must stop reading by
   * itself, Docker never closes it.
   */
  ExecResult runWithInput(ExecRequest request, InputStream stdin, OutputLine output) {
    if (stdin != null) {
      QuietStdinCopier.install();
    }
    OutputTail tail = new OutputTail();
    LineSplitter stdout = new LineSplitter(line -> deliver(output, tail, true, line));
    return execute(
        request,
        stdin,
        stdout::feed,
        stdout::flush,
        line -> deliver(output, tail, false, line),
        tail);
  }

  ExecResult runStreaming(ExecRequest request, OutputStream stdout, OutputLine stderr) {
    OutputTail tail = new OutputTail();
    return execute(
        request, null, stdout::write, () -> {}, line -> deliver(stderr, tail, false, line), tail);
  }

  private static void deliver(OutputLine sink, OutputTail tail, boolean isStdout, String line) {
    tail.add(line);
    sink.line(isStdout ? OutputLine.Stream.STDOUT : OutputLine.Stream.STDERR, line);
  }

  private ExecResult execute(
      ExecRequest request,
      InputStream stdin,
      ExecCallback.ByteSink stdout,
      Runnable flushStdout,
      Consumer<String> stderr,
      OutputTail tail) {
    long started = System.nanoTime();
    String marker = "stack-back-exec-pid-" + UUID.randomUUID();
    String execId = create(request, marker, stdin != null);
    ExecCallback callback = new ExecCallback(stdout, flushStdout, stderr, marker);
    try {
      var start = client.execStartCmd(execId);
      if (stdin != null) {
        start.withStdIn(stdin);
      }
      start.exec(callback);
      boolean completed = await(callback, request.timeout());
      Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
      if (!completed) {
        LOG.warn(
            "exec in {} timed out after {}; killing it",
            request.containerId(),
            Durations.format(elapsed));
        stopCommand(request, callback);
        tail.add("[timed out after " + Durations.format(request.timeout()) + "; killed]");
        return new ExecResult(-1, true, elapsed, tail.snapshot());
      }
      if (callback.writeFailure() != null) {
        stopCommand(request, callback);
        tail.add("[copying stdout failed: " + callback.writeFailure().getMessage() + "]");
        return new ExecResult(-1, false, elapsed, tail.snapshot());
      }
      callback.flush();
      return new ExecResult(exitCode(execId, request), false, elapsed, tail.snapshot());
    } catch (InterruptedException e) {
      withInterruptCleared(() -> stopCommand(request, callback));
      throw new ContainerRuntimeException(
          "exec in container '" + request.containerId() + "' was interrupted", e);
    } catch (DockerException | IllegalStateException e) {
      throw new ContainerRuntimeException(
          "exec in container '" + request.containerId() + "' failed: " + e.getMessage(), e);
    } finally {
      callback.closeQuietly();
    }
  }

  private String create(ExecRequest request, String marker, boolean attachStdin) {
    List<String> argv = new ArrayList<>(List.of("sh", "-c", WRAPPER, marker));
    argv.addAll(request.command());
    ExecCreateCmd cmd =
        client
            .execCreateCmd(request.containerId())
            .withCmd(argv.toArray(String[]::new))
            .withAttachStdout(true)
            .withAttachStderr(true)
            .withAttachStdin(attachStdin)
            .withEnv(envList(request.env()));
    if (request.user() != null && !request.user().isBlank()) {
      cmd.withUser(request.user());
    }
    LOG.debug(
        "exec in {} as {} (env keys {}): {}",
        request.containerId(),
        request.user(),
        request.env().keySet(),
        request.command());
    try {
      return cmd.exec().getId();
    } catch (DockerException e) {
      throw new ContainerRuntimeException(
          "cannot exec in container '" + request.containerId() + "': " + e.getMessage(), e);
    }
  }

  private static List<String> envList(Map<String, String> env) {
    return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
  }

  /**
   * True when the stream ended, or the stdout sink failed and the command's PID is known (or did
   * not come within {@link #PID_GRACE}), within the bound; false on timeout.
   */
  private static boolean await(ExecCallback callback, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long failedAt = 0;
    while (true) {
      long left = deadline - System.nanoTime();
      if (callback.awaitEnd(Math.max(1, Math.min(AWAIT_SLICE_MS, left / 1_000_000)))) {
        return true;
      }
      if (callback.writeFailure() != null) {
        if (callback.pid() != null) {
          return true;
        }
        if (failedAt == 0) {
          failedAt = System.nanoTime();
        } else if (System.nanoTime() - failedAt > PID_GRACE.toNanos()) {
          return true;
        }
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
    }
  }

  /** Kills the command (and what it started) inside the container, then ends the stream. */
  private void stopCommand(ExecRequest request, ExecCallback callback) {
    String pid = callback.pid();
    if (pid == null || !pid.matches("\\d+")) {
      LOG.warn("exec in {}: command PID unknown, cannot kill it", request.containerId());
    } else {
      ProcessKiller.kill(client, request.containerId(), pid, request.stopSignal(), KILL_EXEC_WAIT);
    }
    try {
      callback.awaitCompletion(AFTER_KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.debug("exec stream ended with {}", e.toString());
    }
    callback.closeQuietly();
    callback.flush();
  }

  private int exitCode(String execId, ExecRequest request) throws InterruptedException {
    long deadline = System.nanoTime() + EXIT_CODE_WAIT.toNanos();
    while (true) {
      InspectExecResponse inspect = client.inspectExecCmd(execId).exec();
      Long code = inspect.getExitCodeLong();
      if (code != null && !Boolean.TRUE.equals(inspect.isRunning())) {
        return code.intValue();
      }
      if (System.nanoTime() > deadline) {
        LOG.warn("exec in {}: no exit code after the stream ended", request.containerId());
        return -1;
      }
      Thread.sleep(20);
    }
  }

  /** Runs cleanup that talks to Docker even though this thread was interrupted. */
  static void withInterruptCleared(Runnable cleanup) {
    boolean interrupted = Thread.interrupted();
    try {
      cleanup.run();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * docker-java copies an exec's stdin on a thread of its own ({@code
   * docker-java-httpclient5-hijacking-stream-*}) that rethrows a failed write as an uncaught
   * exception: when the connection is gone (the engine died, the exec ended) the JVM would print
   * its stack trace on stderr. The exec's own result already says what went wrong, so such a
   * thread's end is logged at DEBUG instead; every other thread's uncaught exception is handled as
   * before.
   */
  static final class QuietStdinCopier implements Thread.UncaughtExceptionHandler {
    private static final String PREFIX = "docker-java-httpclient5-hijacking-stream";
    private static boolean installed;

    private final Thread.UncaughtExceptionHandler previous;

    private QuietStdinCopier(Thread.UncaughtExceptionHandler previous) {
      this.previous = previous;
    }

    static synchronized void install() {
      if (!installed) {
        installed = true;
        Thread.setDefaultUncaughtExceptionHandler(
            new QuietStdinCopier(Thread.getDefaultUncaughtExceptionHandler()));
      }
    }

    @Override
    public void uncaughtException(Thread t, Throwable e) {
      if (t.getName().startsWith(PREFIX)) {
        LOG.debug("copying an exec's stdin ended: {}", e.toString());
      } else if (previous != null) {
        previous.uncaughtException(t, e);
      } else {
        // what the JVM does without a default handler (ThreadGroup would call this one again)
        System.err.print("Exception in thread \"" + t.getName() + "\" ");
        e.printStackTrace(System.err);
      }
    }
  }
}
