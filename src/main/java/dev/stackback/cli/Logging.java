package dev.stackback.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/** Applies {@code LOG_LEVEL} to our loggers (an invalid value is reported by the config). */
final class Logging {
  private Logging() {}

  static void configure(Map<String, String> env) {
    String v = env.getOrDefault("LOG_LEVEL", "info").trim().toLowerCase(Locale.ROOT);
    Level level =
        switch (v) {
          case "trace" -> Level.TRACE;
          case "debug" -> Level.DEBUG;
          case "warn", "warning" -> Level.WARN;
          case "error" -> Level.ERROR;
          default -> Level.INFO;
        };
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    ((Logger) LoggerFactory.getLogger("stack-back")).setLevel(level);
    ((Logger) LoggerFactory.getLogger("dev.stackback")).setLevel(level);
  }
}
