package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class DaemonLogTest {

  private static String capture(Runnable r) {
    PrintStream old = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setErr(old);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void linesLookLikeLogbacks_oursAtLogLevel_librariesAtWarn() {
    DaemonLog.Loggers loggers = (DaemonLog.Loggers) new DaemonLog().getLoggerFactory();
    Logger ours = loggers.getLogger("stack-back.daemon");
    Logger lib = loggers.getLogger("org.example.Lib");
    String out =
        capture(
            () -> {
              ours.info("next {} at {}", "backup", "noon");
              ours.debug("hidden at info");
              lib.info("hidden: a library below WARN");
              lib.warn("shown");
            });
    String[] lines = out.split("\n");
    assertEquals(2, lines.length, out);
    assertTrue(
        lines[0].matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) INFO  daemon -"
                + " next backup at noon"),
        lines[0]);
    assertTrue(lines[1].endsWith(" WARN  Lib - shown"), lines[1]);

    loggers.level("debug");
    assertTrue(capture(() -> ours.debug("now shown")).contains(" DEBUG daemon - now shown"));
    loggers.level("error");
    assertEquals("", capture(() -> ours.warn("hidden at error")));
  }
}
