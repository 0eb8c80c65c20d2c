package dev.stackback.config;

import dev.stackback.history.Thresholds;
import dev.stackback.port.KeepPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * stack-back's settings, read from the environment (SPEC 5) by {@link ConfigLoader}. Secrets stay
 * in {@link #resticEnv()} and the notification fields; {@link Redaction} hides them in output.
 */
public record Config(
    String resticRepository,
    Map<String, String> resticEnv,
    KeepPolicy keep,
    Schedule cronSchedule,
    Optional<Schedule> maintenanceSchedule,
    Optional<Schedule> verifySchedule,
    String logLevel,
    boolean autoBackupAll,
    boolean includeProjectName,
    boolean includeAllComposeProjects,
    boolean swarmMode,
    boolean excludeBindMounts,
    boolean checkWithCache,
    Email email,
    Optional<String> discordWebhook,
    List<String> notifyUrls,
    Optional<String> pingUrl,
    NotifyOn notifyOn,
    Optional<String> dockerHost,
    Duration hookTimeout,
    Duration stopTimeout,
    Duration backupTimeout,
    Duration healthTimeout,
    StopScope stopScope,
    int backupConcurrency,
    Optional<String> backupHost,
    Path stateDir,
    Optional<Integer> metricsPort,
    Optional<String> stackBackContainer,
    Thresholds anomalyThresholds,
    boolean dashboard,
    Optional<String> dashboardToken) {

  public Config {
    resticEnv = Map.copyOf(resticEnv);
    notifyUrls = List.copyOf(notifyUrls);
  }

  /** When stop-during-backup containers are down. */
  public enum StopScope {
    /** each only around its own volume snapshot (default) */
    SERVICE,
    /** all together for the whole backup step */
    RUN
  }

  /** When notifications go out. */
  public enum NotifyOn {
    FAILURE,
    ALWAYS
  }

  /** SMTP settings; {@code host} empty means e-mail is off. */
  public record Email(
      Optional<String> host,
      int port,
      Optional<String> user,
      Optional<String> password,
      List<String> sendTo) {
    public Email {
      sendTo = List.copyOf(sendTo);
    }

    public boolean enabled() {
      return host.isPresent() && !sendTo.isEmpty();
    }
  }
}
