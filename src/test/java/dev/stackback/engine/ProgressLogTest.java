package dev.stackback.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.stackback.port.BackupProgress;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Progress is logged for people: not for short backups, at most every 10 s (a fake clock). */
class ProgressLogTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong nanos = new AtomicLong(42 * SECOND);
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private Logger logger;

  @BeforeEach
  void setUp() {
    logger = (Logger) LoggerFactory.getLogger("test.progress-log." + System.identityHashCode(this));
    logger.setLevel(Level.INFO);
    logger.setAdditive(false);
    events.start();
    logger.addAppender(events);
  }

  private List<String> messages() {
    return events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static BackupProgress at(long bytesDone, long seconds) {
    long total = 1_503_238_554L; // 1.4 GiB
    return new BackupProgress(
        (double) bytesDone / total, bytesDone, total, 3, 21, seconds, OptionalLong.of(12));
  }

  @Test
  void aBackupOfUnderFiveSeconds_logsNothing() {
    ProgressLog log = new ProgressLog(logger, "snapshot app", nanos::get);
    for (int s = 0; s < 5; s++) { // restic reports every second: 0..4 s
      log.update(at(s * 100_000_000L, s));
      nanos.addAndGet(SECOND - 1);
    }
    assertEquals(List.of(), messages());
  }

  @Test
  void aLongBackup_logsFromFiveSeconds_thenEveryTenSeconds() {
    ProgressLog log = new ProgressLog(logger, "snapshot app", nanos::get);
    for (int s = 0; s <= 30; s++) { // a report every second for 30 s
      log.update(at(650_117_120L, s));
      nanos.addAndGet(SECOND);
    }
    // at 5 s, 15 s and 25 s: three lines in 30 s
    assertEquals(
        List.of(
            "snapshot app: 43% 620 MiB of 1.4 GiB, 3 of 21 files, ETA 12s",
            "snapshot app: 43% 620 MiB of 1.4 GiB, 3 of 21 files, ETA 12s",
            "snapshot app: 43% 620 MiB of 1.4 GiB, 3 of 21 files, ETA 12s"),
        messages());
  }

  @Test
  void describe_stdinBackup_showsBytesAndRate_noPercentOrEta() {
    BackupProgress stdin = new BackupProgress(0, 209_061_852L, 0, 0, 1, 6, OptionalLong.empty());
    assertEquals("199 MiB read (33 MiB/s)", ProgressLog.describe(stdin));
  }

  @Test
  void describe_longEta_andOneFile_readAsPeopleWriteThem() {
    BackupProgress p = new BackupProgress(0.999, 1023, 1024, 0, 1, 0, OptionalLong.of(4000));
    assertEquals("99% 1023 B of 1.0 KiB, ETA 1h6m40s", ProgressLog.describe(p));
  }
}
