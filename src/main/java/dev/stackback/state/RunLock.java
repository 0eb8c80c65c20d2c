package dev.stackback.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One run at a time: an OS file lock on {@code STATE_DIR/run.lock}. The kernel drops the lock when
 * the holder dies, so a crashed run never blocks the next one, and a record left {@code running}
 * while we hold the lock belongs to a dead run.
 */
public final class RunLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;
  private final AutoCloseable inner;

  private RunLock(FileChannel channel, FileLock lock, AutoCloseable inner) {
    this.channel = channel;
    this.lock = lock;
    this.inner = inner;
  }

  /**
   * This lock together with {@code inner} (e.g. the engine-wide lock taken under it): closing the
   * result releases {@code inner} first, then the file lock. Use the result instead of this one.
   */
  public RunLock with(AutoCloseable inner) {
    return new RunLock(channel, lock, inner);
  }

  /** Takes the lock, or returns empty when another process (or this one) holds it. */
  public static Optional<RunLock> tryAcquire(Path stateDir) {
    try {
      Files.createDirectories(stateDir);
      FileChannel ch =
          FileChannel.open(
              stateDir.resolve("run.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        FileLock l = ch.tryLock();
        if (l == null) {
          ch.close();
          return Optional.empty();
        }
        return Optional.of(new RunLock(ch, l, null));
      } catch (OverlappingFileLockException e) {
        ch.close();
        return Optional.empty();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot use STATE_DIR " + stateDir + " for the run lock: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      if (inner != null) {
        inner.close();
      }
    } catch (Exception e) {
      // the inner lock reports its own failures; the file lock is released regardless
    } finally {
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
