package dev.stackback.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.stackback.port.OutputLine.Stream;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Output logging is rate-limited per second (a fake clock: no timing in this test). */
class OutputLogTest {
  private final AtomicLong nanos = new AtomicLong();
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private Logger logger;

  @BeforeEach
  void setUp() {
    logger = (Logger) LoggerFactory.getLogger("test.output-log." + System.identityHashCode(this));
    logger.setLevel(Level.INFO);
    logger.setAdditive(false);
    events.start();
    logger.addAppender(events);
  }

  private List<String> messages() {
    return events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void underTheLimit_everyLineIsLogged() {
    try (OutputLog log = new OutputLog(logger, "pre web#1", nanos::get)) {
      log.line(Stream.STDOUT, "one");
      log.line(Stream.STDERR, "two");
    }
    assertEquals(List.of("[pre web#1] one", "[pre web#1] two"), messages());
  }

  @Test
  void floodInOneSecond_logsTheLimitThenOneOmissionLine() {
    OutputLog log = new OutputLog(logger, "h", nanos::get);
    for (int i = 0; i < 100_000; i++) {
      log.line(Stream.STDOUT, "y");
    }
    nanos.addAndGet(1_000_000_000L);
    log.line(Stream.STDOUT, "later");
    log.close();
    List<String> m = messages();
    assertEquals(OutputLog.MAX_LINES + 2, m.size(), m.subList(m.size() - 3, m.size()).toString());
    assertEquals(
        "[h] 99900 lines omitted (98 KiB): more than 100 lines or 64 KiB of output per"
            + " second; the run record keeps the last lines",
        m.get(OutputLog.MAX_LINES));
    assertEquals("[h] later", m.get(OutputLog.MAX_LINES + 1));
  }

  @Test
  void bigLines_areLimitedByBytes_andTheLastWindowIsReportedOnClose() {
    OutputLog log = new OutputLog(logger, "h", nanos::get);
    String line = "x".repeat(4096);
    for (int i = 0; i < 20; i++) {
      log.line(Stream.STDOUT, line);
    }
    log.close();
    List<String> m = messages();
    assertEquals(17, m.size()); // 16 x 4 KiB = 64 KiB, then the omission line
    assertEquals(true, m.get(16).startsWith("[h] 4 lines omitted (16 KiB)"), m.get(16));
  }
}
