package dev.stackback.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.stackback.util.LineSplitter;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Receives the multiplexed frames of one exec: stdout bytes go to a {@link ByteSink} as they
 * arrive, stderr is split into lines. The first stderr line of our wrapper carries the command's
 * in-container PID behind a marker; it is taken out of the output. A failing stdout sink closes the
 * stream at once and is remembered.
 */
final class ExecCallback extends ResultCallback.Adapter<Frame> {

  /** Where stdout bytes go; may keep the array (no copy is made). */
  @FunctionalInterface
  interface ByteSink {
    void accept(byte[] bytes) throws IOException;
  }

  private static final long FLUSH_WAIT_MS = 2_000;

  private final ReentrantLock lock = new ReentrantLock();
  private final ByteSink stdout;
  private final LineSplitter stderr;
  private final Runnable flushStdout;
  private final String marker;
  private volatile String pid;
  private volatile IOException writeFailure;

  /**
   * @param stdout receives stdout payloads
   * @param flushStdout called once at the end (flushes a stdout line splitter, if any)
   * @param stderrLines receives stderr lines except the marker line
   * @param marker the text our wrapper prints before its PID on stderr, or null for none
   */
  ExecCallback(ByteSink stdout, Runnable flushStdout, Consumer<String> stderrLines, String marker) {
    this.stdout = stdout;
    this.flushStdout = flushStdout;
    this.marker = marker == null ? null : marker + " ";
    this.stderr = new LineSplitter(line -> onStderrLine(line, stderrLines));
  }

  /**
   * Counts down when the stream ends (complete or error); unlike docker-java's own wait, waiting on
   * it does not close the stream.
   */
  private final CountDownLatch ended = new CountDownLatch(1);

  @Override
  public void onComplete() {
    ended.countDown();
    super.onComplete();
  }

  @Override
  public void onError(Throwable throwable) {
    ended.countDown();
    super.onError(throwable);
  }

  /**
   * Waits up to {@code millis} for the stream to end, without closing it (docker-java's {@code
   * awaitCompletion(timeout)} closes the stream when it returns, even on timeout).
   */
  boolean awaitEnd(long millis) throws InterruptedException {
    return ended.await(millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onNext(Frame frame) {
    lock.lock();
    try {
      if (writeFailure != null) {
        // stdout is dropped now, but stderr may still bring the PID marker: docker does not
        // order stdout and stderr frames, so the marker can come after the first stdout bytes
        if (pid == null && frame.getStreamType() == StreamType.STDERR) {
          stderr.feed(frame.getPayload());
        }
        return;
      }
      switch (frame.getStreamType()) {
        case STDOUT, RAW -> writeStdout(frame.getPayload());
        case STDERR -> stderr.feed(frame.getPayload());
        default -> {}
      }
    } finally {
      lock.unlock();
    }
  }

  private void writeStdout(byte[] payload) {
    try {
      stdout.accept(payload);
    } catch (IOException e) {
      // the stream stays open until the PID is known, so the command can be killed; the runner
      // stops waiting as soon as it is (or after a short grace without it)
      writeFailure = e;
    }
  }

  private void onStderrLine(String line, Consumer<String> sink) {
    if (marker != null && pid == null && line.startsWith(marker)) {
      pid = line.substring(marker.length()).trim();
      return;
    }
    sink.accept(line);
  }

  /**
   * Emits partial last lines; call once the stream has ended or been closed. Bounded: a frame still
   * stuck in a blocked stdout sink (a hung restic) must not hang the caller, so the partial lines
   * are then dropped.
   */
  void flush() {
    try {
      if (!lock.tryLock(FLUSH_WAIT_MS, TimeUnit.MILLISECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      stderr.flush();
      flushStdout.run();
    } finally {
      lock.unlock();
    }
  }

  /** The command's PID inside the container, once the wrapper has reported it. */
  String pid() {
    return pid;
  }

  IOException writeFailure() {
    return writeFailure;
  }

  void closeQuietly() {
    try {
      close();
    } catch (IOException | RuntimeException e) {
      // closing a dead stream: nothing left to do
    }
  }
}
