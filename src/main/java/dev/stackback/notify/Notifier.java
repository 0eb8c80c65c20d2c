package dev.stackback.notify;

import dev.stackback.config.Config;
import dev.stackback.config.Config.NotifyOn;
import dev.stackback.state.RunRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends run notifications to every configured channel (SMTP, Discord, {@code NOTIFY_URLS}): on
 * failure, and on success too with {@code NOTIFY_ON=always}. A channel that fails is logged
 * (without secrets) and never stops the others; nothing here throws into the caller.
 */
public final class Notifier {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.notify");

  /** Bound of every connect, request, read and write of a channel. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final List<Channel> channels;
  private final NotifyOn notifyOn;

  Notifier(List<Channel> channels, NotifyOn notifyOn) {
    this.channels = List.copyOf(channels);
    this.notifyOn = notifyOn;
  }

  /** The channels {@code config} configures, each bounded by {@link #TIMEOUT}. */
  public static Notifier from(Config config) {
    return from(config, TIMEOUT);
  }

  /** The channels {@code config} configures, each bounded by {@code timeout}. */
  public static Notifier from(Config config, Duration timeout) {
    List<Channel> channels = new ArrayList<>();
    if (config.email().enabled()) {
      channels.add(new SmtpChannel(config.email(), timeout));
    } else if (config.email().host().isPresent()) {
      LOG.warn("EMAIL_HOST is set but EMAIL_SEND_TO is empty: no e-mail will be sent");
    }
    config.discordWebhook().ifPresent(u -> channels.add(HttpChannel.discord(u, timeout)));
    for (int i = 0; i < config.notifyUrls().size(); i++) {
      channels.add(HttpChannel.webhook(i + 1, config.notifyUrls().get(i), timeout));
    }
    return new Notifier(channels, config.notifyOn());
  }

  /** A notifier with no channel. */
  public static Notifier none() {
    return new Notifier(List.of(), NotifyOn.FAILURE);
  }

  /** Whether any channel is configured. */
  public boolean configured() {
    return !channels.isEmpty();
  }

  /**
   * Whether a run that ended like {@code r} is notified: a successful run with anomalies (a dump
   * much smaller than usual may be a silent failure) also with {@code NOTIFY_ON=failure}.
   */
  public boolean wants(RunRecord r) {
    return switch (r.state()) {
      case RunRecord.FAILED, RunRecord.INCOMPLETE -> true;
      case RunRecord.SUCCEEDED -> notifyOn == NotifyOn.ALWAYS || !r.anomalies().isEmpty();
      default -> false;
    };
  }

  /** Notifies about a finished run if {@link #wants} it. Never throws. */
  public void runEnded(RunRecord r) {
    try {
      if (channels.isEmpty() || !wants(r)) {
        return;
      }
      send(Messages.forRun(r));
    } catch (RuntimeException e) {
      LOG.error("notification about run {} failed: {}", r.id(), e.toString());
    }
  }

  /** Sends {@code n} to every channel, one after another. Never throws. */
  public List<Result> send(Notification n) {
    List<Result> results = new ArrayList<>();
    for (Channel c : channels) {
      results.add(sendTo(c, n));
    }
    return results;
  }

  private static Result sendTo(Channel c, Notification n) {
    try {
      c.send(n);
      LOG.info("notification sent: {}", c.name());
      return new Result(c.name(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(c, "interrupted");
    } catch (Exception | LinkageError e) {
      String why =
          e.getMessage() != null
              ? e.getMessage()
              : e instanceof java.net.ConnectException
                  ? "cannot connect (refused or unreachable)"
                  : e.getClass().getSimpleName();
      if (e.getCause() != null && e.getCause().getMessage() != null) {
        why += " (" + e.getCause().getMessage() + ")";
      }
      return failed(c, why);
    }
  }

  private static Result failed(Channel c, String why) {
    String safe = scrub(why, c.secrets());
    LOG.error("notification to {} failed: {}", c.name(), safe);
    return new Result(c.name(), safe);
  }

  /** {@code text} with every secret replaced by {@code ***}, longest first. */
  static String scrub(String text, List<String> secrets) {
    String out = text;
    List<String> sorted = new ArrayList<>(secrets);
    sorted.sort((a, b) -> b.length() - a.length());
    for (String s : sorted) {
      if (s != null && !s.isEmpty()) {
        out = out.replace(s, "***");
      }
    }
    return out;
  }

  /**
   * What happened on one channel.
   *
   * @param channel the channel's name (no secrets)
   * @param error why it failed, or null when it got through
   */
  public record Result(String channel, String error) {
    public boolean ok() {
      return error == null;
    }
  }
}
