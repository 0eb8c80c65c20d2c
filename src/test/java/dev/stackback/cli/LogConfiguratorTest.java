package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

class LogConfiguratorTest {

  @Test
  void logsGoToStderrWithOurPattern_oursAtInfo_librariesAtWarn() {
    LoggerContext context = new LoggerContext();
    LogConfigurator.apply(context);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    ConsoleAppender<?> appender =
        assertInstanceOf(ConsoleAppender.class, root.getAppender("STDERR"));
    assertEquals("System.err", appender.getTarget());
    assertEquals(
        LogConfigurator.PATTERN,
        assertInstanceOf(PatternLayoutEncoder.class, appender.getEncoder()).getPattern());
    assertEquals(Level.WARN, root.getLevel());
    assertEquals(Level.INFO, context.getLogger("stack-back").getLevel());
    assertEquals(Level.INFO, context.getLogger("dev.stackback").getLevel());
    assertEquals(Level.WARN, context.getLogger("com.github.dockerjava").getLevel());
    assertEquals(Level.WARN, context.getLogger("org.apache.hc").getLevel());
    // docker-java's stack traces of failed streams: our code reports those errors itself
    assertEquals(
        Level.OFF,
        context
            .getLogger("com.github.dockerjava.api.async.ResultCallbackTemplate")
            .getEffectiveLevel());
    context.stop();
  }
}
