package dev.stackback.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration in code (found through {@code META-INF/services}): logs go to stderr,
 * command output (status, runs, JSON) to stdout; ours at INFO until {@link Logging} applies {@code
 * LOG_LEVEL}, libraries at WARN. Done in code because reading a {@code logback.xml} loads an XML
 * parser and several hundred classes of Joran on every start. A {@code logback-test.xml} on the
 * class path or {@code -Dlogback.configurationFile} still win (the next configurator reads them).
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} - %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null
        || LogConfigurator.class.getClassLoader().getResource("logback-test.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    apply(context);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** docker-java's logger of errors in streaming callbacks. */
  static final String CALLBACK_LOGGER = "com.github.dockerjava.api.async.ResultCallbackTemplate";

  /** The production configuration, applied to {@code context}. */
  static void apply(LoggerContext context) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
    context.getLogger("stack-back").setLevel(Level.INFO);
    context.getLogger("dev.stackback").setLevel(Level.INFO);
    context.getLogger("com.github.dockerjava").setLevel(Level.WARN);
    // docker-java logs every failed streaming call (exec attach, logs, events) with a stack trace;
    // the same error reaches our code through the callback and is reported in one line there
    context.getLogger(CALLBACK_LOGGER).setLevel(Level.OFF);
    context.getLogger("org.apache.hc").setLevel(Level.WARN);
  }
}
