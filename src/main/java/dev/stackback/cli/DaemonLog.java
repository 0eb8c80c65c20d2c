package dev.stackback.cli;

import java.io.PrintStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The idle daemon's logging without logback (its ~220 classes would stay loaded): an SLF4J provider
 * chosen by {@code -Dslf4j.provider=dev.stackback.cli.DaemonLog} in the daemon's JVM options. Same
 * lines as {@link LogConfigurator} (stderr, {@code <time> <LEVEL> <logger> - <msg>}), ours at
 * LOG_LEVEL ({@link Logging}), libraries at WARN. The runs (child processes) use logback.
 */
public final class DaemonLog implements SLF4JServiceProvider {
  private final Loggers loggers = new Loggers();
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  /** The loggers; {@link #level} sets ours. */
  static final class Loggers implements ILoggerFactory {
    private final Map<String, Logger> byName = new ConcurrentHashMap<>();
    private volatile Level ours = Level.INFO;

    @Override
    public Logger getLogger(String name) {
      return byName.computeIfAbsent(name, n -> new Line(n, this));
    }

    /** LOG_LEVEL for our loggers (trace, debug, info, warn/warning, error; else info). */
    void level(String v) {
      ours =
          switch (v.toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.TRACE;
            case "debug" -> Level.DEBUG;
            case "warn", "warning" -> Level.WARN;
            case "error" -> Level.ERROR;
            default -> Level.INFO;
          };
    }
  }

  /** One logger: a line on stderr per event at or above its level. */
  private static final class Line extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private static final DateTimeFormatter TIME =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
            .withZone(ZoneId.systemDefault());
    private final transient Loggers loggers;
    private final boolean isOurs;
    private final String shortName;

    Line(String name, Loggers loggers) {
      this.name = name;
      this.loggers = loggers;
      this.isOurs = name.startsWith("stack-back") || name.startsWith("dev.stackback");
      this.shortName = name.substring(name.lastIndexOf('.') + 1);
    }

    private boolean enabled(Level l) {
      return l.toInt() >= (isOurs ? loggers.ours : Level.WARN).toInt();
    }

    @Override
    public boolean isTraceEnabled() {
      return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
      return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
      return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
      return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
      return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String msg, Object[] args, Throwable t) {
      String text = MessageFormatter.basicArrayFormat(msg, args);
      String line =
          TIME.format(java.time.Instant.now())
              + " "
              + String.format("%-5s", level)
              + " "
              + shortName
              + " - "
              + text;
      PrintStream err = System.err;
      synchronized (err) {
        err.println(line);
        if (t != null) {
          t.printStackTrace(err);
        }
      }
    }
  }
}
