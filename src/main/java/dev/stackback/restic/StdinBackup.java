package dev.stackback.restic;

import dev.stackback.port.BackupSummary;
import dev.stackback.port.OutputLine;
import dev.stackback.port.ResticException;
import dev.stackback.port.ResticException.Kind;
import dev.stackback.port.StdinProducer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code restic backup --stdin}: the producer writes on the calling thread into restic's
 * buffered stdin. Only a producer that returns true lets stdin close normally (restic commits what
 * it got on EOF); otherwise restic gets SIGINT while stdin is still open, so no snapshot is made. A
 * watchdog interrupts restic (and the calling thread) when the timeout passes mid-stream.
 */
final class StdinBackup {
  private static final Logger LOG = LoggerFactory.getLogger(StdinBackup.class);

  private enum State {
    RUNNING,
    FINISHING,
    TIMED_OUT
  }

  private final ResticCli cli;
  private final List<String> argv;
  private final StdinProducer producer;
  private final ResticOutput output;
  private final Duration timeout;
  private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);

  StdinBackup(
      ResticCli cli,
      List<String> argv,
      StdinProducer producer,
      ResticOutput output,
      Duration timeout) {
    this.cli = cli;
    this.argv = argv;
    this.producer = producer;
    this.output = output;
    this.timeout = timeout;
  }

  BackupSummary run() {
    long deadline = System.nanoTime() + timeout.toNanos();
    ResticProcess process = ResticProcess.start(argv, cli.backupEnv(), output, null, true);
    Thread watchdog = startWatchdog(process, Thread.currentThread(), deadline);
    Exception producerError = null;
    boolean complete = false;
    try {
      complete = producer.writeTo(process.stdin());
      if (complete) {
        process.stdin().flush();
      }
    } catch (IOException | RuntimeException e) {
      producerError = e;
    } finally {
      watchdog.interrupt();
    }
    if (!state.compareAndSet(State.RUNNING, State.FINISHING)) {
      Thread.interrupted(); // the watchdog's wake-up call, not the caller's
      return abortAfterTimeout(process, producerError);
    }
    if (!complete) {
      throw abort(process, producerError);
    }
    return commit(process, deadline);
  }

  private Thread startWatchdog(ResticProcess process, Thread caller, long deadline) {
    return Thread.ofPlatform()
        .name("restic-stdin-watchdog")
        .daemon()
        .start(
            () -> {
              try {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                  Thread.sleep(Duration.ofNanos(left));
                }
              } catch (InterruptedException e) {
                return; // the producer finished in time
              }
              if (state.compareAndSet(State.RUNNING, State.TIMED_OUT)) {
                process.sendInterrupt();
                caller.interrupt(); // wakes a producer that blocks interruptibly
              }
            });
  }

  private BackupSummary abortAfterTimeout(ResticProcess process, Exception producerError) {
    int exitCode = process.interruptThenCloseStdin();
    process.closeStdinQuietly();
    forgetIfSaved(exitCode);
    cli.removeStaleLocks();
    ResticException e = ResticCli.timeout("backup --stdin", timeout, output);
    if (producerError != null) {
      e.addSuppressed(producerError);
    }
    throw e;
  }

  // SIGINT before closing stdin: a normal EOF would commit the truncated stream.
  private ResticException abort(ResticProcess process, Exception producerError) {
    int exitCode = process.interruptThenCloseStdin();
    process.closeStdinQuietly();
    forgetIfSaved(exitCode);
    cli.removeStaleLocks();
    ResticCli.Result result = new ResticCli.Result(exitCode, output);
    // restic may have quit first (wrong password, no repository): that is the real error
    Kind kind = ResticExitCodes.classify(exitCode, output.stderrLines());
    ResticException e =
        kind == Kind.FAILED || kind == Kind.INCOMPLETE
            ? aborted(exitCode, producerError)
            : cli.failure("backup --stdin", result);
    if (producerError != null) {
      e.addSuppressed(producerError);
    }
    return e;
  }

  /**
   * The safety net of an abort: had restic saved a snapshot of the cut stream anyway (exit 0 with a
   * summary), that snapshot is forgotten at once, so a failed dump never looks like a backup.
   */
  private void forgetIfSaved(int exitCode) {
    if (exitCode != 0) {
      return;
    }
    ResticJson.findSummary(output.stdoutLines(), exitCode)
        .ifPresent(
            s -> {
              LOG.warn("restic saved snapshot {} of an aborted stream; forgetting it", s.shortId());
              cli.forgetIds(List.of(s.snapshotId()), false, OutputLine.discard());
            });
  }

  private ResticException aborted(int exitCode, Exception producerError) {
    String why =
        producerError == null
            ? "the producer reported incomplete data"
            : "the producer failed: " + cli.redact(String.valueOf(producerError.getMessage()));
    return new ResticException(
        Kind.FAILED, exitCode, "restic backup --stdin aborted, no snapshot: " + why);
  }

  private BackupSummary commit(ResticProcess process, long deadline) {
    try {
      process.closeStdin();
    } catch (IOException e) {
      // restic exited before EOF; its exit code and output below say why
    }
    OptionalInt code = process.await(Duration.ofNanos(deadline - System.nanoTime()));
    if (code.isEmpty()) {
      process.interrupt();
      throw ResticCli.timeout("backup --stdin", timeout, output);
    }
    return cli.summary(new ResticCli.Result(code.getAsInt(), output));
  }
}
