package dev.stackback.notify;

import dev.stackback.config.Config;
import dev.stackback.config.Redaction;
import dev.stackback.state.RunRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pings a healthchecks.io-style monitor ({@code PING_URL}) about backup runs: {@code <url>/start}
 * when a run starts, {@code <url>} when it succeeded, {@code <url>/fail} when it failed or was
 * incomplete, each a POST with the run's summary as its plain-text body. A scheduled run skipped
 * because of a pause pings {@code <url>} (it is no failure) with the pause as its body. A ping that
 * fails is logged (the URL without credentials) and never changes the run; each is bounded by its
 * timeout. Thread-safe; nothing here throws into the caller.
 */
public final class Pinger {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.notify");

  /** Bodies are cut to this many characters (healthchecks.io keeps the first 100 kB). */
  static final int BODY_LIMIT = 10_000;

  private final Optional<String> url;
  private final Duration timeout;
  private final AtomicBoolean ended = new AtomicBoolean();

  Pinger(Optional<String> url, Duration timeout) {
    this.url = url.map(String::trim).filter(u -> !u.isEmpty());
    this.timeout = timeout;
  }

  /** The monitor {@code config} names ({@code PING_URL}), bounded by {@link Notifier#TIMEOUT}. */
  public static Pinger from(Config config) {
    return new Pinger(config.pingUrl(), Notifier.TIMEOUT);
  }

  /** A pinger with no monitor. */
  public static Pinger none() {
    return new Pinger(Optional.empty(), Notifier.TIMEOUT);
  }

  /** Whether a monitor is configured. */
  public boolean configured() {
    return url.isPresent();
  }

  /** A run starts: {@code <url>/start}. */
  public void started(String what) {
    ping("/start", what);
  }

  /**
   * A run ended: {@code <url>} when it succeeded or was skipped (paused), {@code <url>/fail} when
   * it failed or was incomplete; nothing for a record still running. Only the first end is sent.
   */
  public void ended(RunRecord r) {
    String suffix =
        switch (r.state()) {
          case RunRecord.SUCCEEDED, RunRecord.SKIPPED -> "";
          case RunRecord.FAILED, RunRecord.INCOMPLETE -> "/fail";
          default -> null;
        };
    if (suffix == null || !ended.compareAndSet(false, true)) {
      return;
    }
    String body =
        RunRecord.SKIPPED.equals(r.state())
            ? "stack-back backup skipped on host '"
                + r.host()
                + "' (run "
                + r.id()
                + "): "
                + r.reason()
            : Messages.text(r);
    ping(suffix, body);
  }

  /**
   * A backup that ended without a run record (invalid configuration or labels, the engine
   * unreachable, another run in progress): {@code <url>/fail} with {@code why}, unless an end was
   * already sent.
   */
  public void failedWithoutRecord(String why) {
    if (ended.compareAndSet(false, true)) {
      ping("/fail", why);
    }
  }

  /** {@code scheme://host[:port]} of a ping URL: what output may show of it. */
  public static String origin(String url) {
    return Redaction.url(HttpChannel.origin(url));
  }

  /** {@code base} with {@code suffix} appended to its path (before any query). */
  static String withSuffix(String base, String suffix) {
    int q = base.indexOf('?');
    String path = q < 0 ? base : base.substring(0, q);
    String query = q < 0 ? "" : base.substring(q);
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return path + suffix + query;
  }

  private void ping(String suffix, String body) {
    if (url.isEmpty()) {
      return;
    }
    String target = withSuffix(url.get(), suffix);
    String shown = origin(target) + "/…" + suffix;
    try {
      HttpChannel.post(
          target,
          "text/plain; charset=utf-8",
          body.length() > BODY_LIMIT ? body.substring(0, BODY_LIMIT) : body,
          timeout);
      LOG.info("ping sent: {}", shown);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.error("ping {} failed: interrupted", shown);
    } catch (IOException | RuntimeException e) {
      String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
      LOG.error(
          "ping {} failed: {}",
          shown,
          Notifier.scrub(Redaction.url(why), HttpChannel.secretsOf(target)));
    }
  }
}
