package dev.stackback.engine;

import dev.stackback.port.BackupProgress;
import dev.stackback.util.Bytes;
import dev.stackback.util.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs the progress of one backup at INFO for a person watching a long run, e.g. {@code snapshot
 * app: 42% 620 MiB of 1.4 GiB, 20 of 21 files, ETA 12s}: nothing for a backup that ends within
 * {@link #QUIET_FOR_NANOS}, then at most one line every {@link #EVERY_NANOS}. Thread-safe.
 */
final class ProgressLog {
  static final long QUIET_FOR_NANOS = 5_000_000_000L;
  static final long EVERY_NANOS = 10_000_000_000L;

  private final Logger log;
  private final String label;
  private final LongSupplier nanos;
  private final long started;
  private long lastLogged;
  private boolean logged;

  ProgressLog(Logger log, String label) {
    this(log, label, System::nanoTime);
  }

  ProgressLog(Logger log, String label, LongSupplier nanos) {
    this.log = log;
    this.label = label;
    this.nanos = nanos;
    this.started = nanos.getAsLong();
  }

  /** Logs {@code p} unless too early or too soon after the last line. */
  void update(BackupProgress p) {
    long now = nanos.getAsLong();
    synchronized (this) {
      if (now - started < QUIET_FOR_NANOS || (logged && now - lastLogged < EVERY_NANOS)) {
        return;
      }
      logged = true;
      lastLogged = now;
    }
    log.info("{}: {}", label, describe(p));
  }

  /**
   * {@code 42% 620 MiB of 1.4 GiB, 20 of 21 files, ETA 12s} when the total is known; {@code 620 MiB
   * read (25 MiB/s)} when not (a stdin backup).
   */
  static String describe(BackupProgress p) {
    if (p.totalBytes() <= 0) {
      String rate =
          p.secondsElapsed() > 0
              ? " (" + Bytes.format(p.bytesDone() / p.secondsElapsed()) + "/s)"
              : "";
      return Bytes.format(p.bytesDone()) + " read" + rate;
    }
    StringBuilder b = new StringBuilder();
    int percent = (int) Math.floor(Math.min(1, Math.max(0, p.percentDone())) * 100);
    b.append(String.format(Locale.ROOT, "%d%% ", percent))
        .append(Bytes.format(p.bytesDone()))
        .append(" of ")
        .append(Bytes.format(p.totalBytes()));
    if (p.totalFiles() > 1) {
      b.append(", ").append(p.filesDone()).append(" of ").append(p.totalFiles()).append(" files");
    }
    p.secondsRemaining()
        .ifPresent(s -> b.append(", ETA ").append(Durations.format(Duration.ofSeconds(s))));
    return b.toString();
  }
}
