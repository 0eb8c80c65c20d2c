package dev.stackback.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.stackback.config.Config;
import dev.stackback.config.ConfigLoader;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code LOG_LEVEL} (or {@code LOG_LEVEL_FILE}, read like every setting by the config
 * loader) to our loggers; an invalid value is reported by the command that loads the config.
 */
final class Logging {
  private Logging() {}

  static void configure(Map<String, String> env) {
    level(ConfigLoader.load(env).config().map(Config::logLevel).orElse("info"));
  }

  /** The same with the configuration already read. */
  static void configure(Config config) {
    level(config.logLevel());
  }

  private static void level(String logLevel) {
    String v = logLevel.toLowerCase(Locale.ROOT);
    if (LoggerFactory.getILoggerFactory() instanceof DaemonLog.Loggers daemon) {
      daemon.level(v); // the daemon's own logging (no logback in that process)
      return;
    }
    logback(v);
  }

  private static void logback(String v) {
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
    ((Logger) LoggerFactory.getLogger(LogConfigurator.CALLBACK_LOGGER)).setLevel(Level.OFF);
  }
}
