package dev.stackback.config;

import dev.stackback.config.Config.Email;
import dev.stackback.config.Config.NotifyOn;
import dev.stackback.config.Config.StopScope;
import dev.stackback.history.Thresholds;
import dev.stackback.label.Problem;
import dev.stackback.label.Values;
import dev.stackback.port.KeepPolicy;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/** Reads {@link Config} from environment variables, reporting every problem at once. */
public final class ConfigLoader {
  /** Prefixes of the variables restic and its backends read; they go to restic untouched. */
  static final List<String> RESTIC_ENV_PREFIXES =
      List.of(
          "RESTIC_",
          "AWS_",
          "B2_",
          "AZURE_",
          "GOOGLE_",
          "OS_",
          "ST_",
          "RCLONE_",
          "SWIFT_",
          // minio-go (restic's S3 client) also reads MINIO_ACCESS_KEY / MINIO_SECRET_KEY
          "MINIO_",
          // Go's TLS: extra CA certificates for every https backend
          "SSL_CERT_FILE",
          "SSL_CERT_DIR",
          "TMPDIR",
          "XDG_CACHE_HOME",
          "HTTP_PROXY",
          "HTTPS_PROXY",
          "NO_PROXY",
          "http_proxy",
          "https_proxy",
          "no_proxy");

  /**
   * Backend credentials restic reads only from the variable itself: their {@code <NAME>_FILE} form
   * (a Docker secret) is read by stack-back and passed as {@code <NAME>}. Variables whose own name
   * ends in {@code _FILE} ({@code AWS_SHARED_CREDENTIALS_FILE}, ...) are restic's and pass as they
   * are.
   */
  static final List<String> READ_FOR_RESTIC =
      List.of(
          "AWS_ACCESS_KEY_ID",
          "AWS_SECRET_ACCESS_KEY",
          "AWS_SESSION_TOKEN",
          "MINIO_ACCESS_KEY",
          "MINIO_SECRET_KEY",
          "B2_ACCOUNT_ID",
          "B2_ACCOUNT_KEY",
          "AZURE_ACCOUNT_NAME",
          "AZURE_ACCOUNT_KEY",
          "AZURE_ACCOUNT_SAS",
          "GOOGLE_ACCESS_TOKEN",
          "OS_PASSWORD",
          "OS_APPLICATION_CREDENTIAL_SECRET",
          "OS_AUTH_TOKEN",
          "ST_KEY",
          "RESTIC_REST_USERNAME",
          "RESTIC_REST_PASSWORD");

  /** Our own RESTIC_* settings that are not restic's (with their {@code _FILE} forms). */
  static final String NOT_FOR_RESTIC_PREFIX = "RESTIC_KEEP_";

  /** The Python tool's deprecated name of {@code AUTO_BACKUP_ALL}. */
  static final String OLD_AUTO_BACKUP_ALL = "INCLUDE_ALL_VOLUMES";

  private static final Set<String> LOG_LEVELS =
      Set.of("trace", "debug", "info", "warn", "warning", "error");

  private ConfigLoader() {}

  /**
   * The result: a config, or the problems that prevent one; warnings (deprecated names) either way.
   */
  public record Result(Optional<Config> config, List<Problem> problems, List<Problem> warnings) {
    public Result {
      problems = List.copyOf(problems);
      warnings = List.copyOf(warnings);
    }
  }

  /** Reads the process environment. */
  public static Result load(Map<String, String> env) {
    return load(env, Env::readFile);
  }

  /** Reads {@code env}, reading {@code *_FILE} files through {@code files}. */
  public static Result load(Map<String, String> env, Function<Path, String> files) {
    Env e = new Env(env, files);
    Optional<String> repository = e.string("RESTIC_REPOSITORY");
    if (repository.isEmpty()) {
      e.problem("RESTIC_REPOSITORY", "is not set (e.g. /restic_data, s3:..., b2:..., rest:...)");
    }
    Passwords.check(e, files);
    KeepPolicy keep =
        new KeepPolicy(
            e.nonNegativeInt(List.of("RESTIC_KEEP_DAILY", "KEEP_DAILY"), 7),
            e.nonNegativeInt(List.of("RESTIC_KEEP_WEEKLY", "KEEP_WEEKLY"), 4),
            e.nonNegativeInt(List.of("RESTIC_KEEP_MONTHLY", "KEEP_MONTHLY"), 12),
            e.nonNegativeInt(List.of("RESTIC_KEEP_YEARLY", "KEEP_YEARLY"), 3));
    ZoneId zone = zone(e);
    Schedule cron =
        schedule(e, "CRON_SCHEDULE", zone).orElseGet(() -> Schedule.parse("0 2 * * *", zone));
    Optional<Schedule> maintenance = schedule(e, "MAINTENANCE_SCHEDULE", zone);
    Optional<Schedule> verify = schedule(e, "VERIFY_SCHEDULE", zone);
    String logLevel = e.string("LOG_LEVEL").orElse("info").trim().toLowerCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(logLevel)) {
      e.problem(
          "LOG_LEVEL", "'" + logLevel + "' is not one of trace, debug, info, warn(ing), error");
      logLevel = "info";
    }
    List<Problem> warnings = new ArrayList<>();
    boolean autoBackupAll = autoBackupAll(e, warnings);
    boolean allProjects = e.bool("INCLUDE_ALL_COMPOSE_PROJECTS", false);
    boolean projectName = includeProjectName(e, allProjects, warnings);
    Config config =
        new Config(
            repository.orElse(""),
            resticEnv(e, env, repository),
            keep,
            cron,
            maintenance,
            verify,
            logLevel,
            autoBackupAll,
            projectName,
            allProjects,
            e.bool("SWARM_MODE", false),
            e.bool("EXCLUDE_BIND_MOUNTS", false),
            e.bool("CHECK_WITH_CACHE", false),
            email(e),
            e.string("DISCORD_WEBHOOK"),
            Values.parseList(e.string("NOTIFY_URLS").orElse("")),
            e.string("PING_URL").map(String::trim),
            e.choice("NOTIFY_ON", NotifyOn.class, NotifyOn.FAILURE),
            e.string("DOCKER_HOST"),
            e.duration("HOOK_TIMEOUT", Duration.ofMinutes(10)),
            e.duration("STOP_TIMEOUT", Duration.ofSeconds(30)),
            e.duration("BACKUP_TIMEOUT", Duration.ofHours(12)),
            e.durationOrZero("HEALTH_TIMEOUT", Duration.ofMinutes(2)),
            e.choice("STOP_SCOPE", StopScope.class, StopScope.SERVICE),
            backupConcurrency(e),
            e.string("BACKUP_HOST").map(String::trim),
            Path.of(e.string("STATE_DIR").orElse("/state")),
            port(e),
            e.string("STACK_BACK_CONTAINER").map(String::trim),
            anomalyThresholds(e),
            e.bool("DASHBOARD", true),
            dashboardToken(e));
    validateUrls(e, config);
    return e.problems().isEmpty()
        ? new Result(Optional.of(config), List.of(), warnings)
        : new Result(Optional.empty(), e.problems(), warnings);
  }

  /** The most {@code BACKUP_CONCURRENCY} may be: more restic processes only compete for I/O. */
  static final int MAX_CONCURRENCY = 8;

  /** {@code BACKUP_CONCURRENCY}: 1 (default) to {@link #MAX_CONCURRENCY}. */
  private static int backupConcurrency(Env e) {
    int n = e.nonNegativeInt("BACKUP_CONCURRENCY", 1);
    if (n < 1 || n > MAX_CONCURRENCY) {
      e.problem(
          "BACKUP_CONCURRENCY",
          "'" + n + "' is out of range: snapshots at once, 1 (default) to " + MAX_CONCURRENCY);
      return 1;
    }
    return n;
  }

  /**
   * {@code ANOMALY_MIN_RUNS}, {@code ANOMALY_SHRINK_PERCENT} (at most 100) and {@code
   * ANOMALY_SLOWER_FACTOR}; 0 turns a check off.
   */
  private static Thresholds anomalyThresholds(Env e) {
    Thresholds d = Thresholds.DEFAULT;
    int shrink = e.nonNegativeInt("ANOMALY_SHRINK_PERCENT", d.shrinkPercent());
    if (shrink > 100) {
      e.problem("ANOMALY_SHRINK_PERCENT", "'" + shrink + "' is more than 100 (percent)");
      shrink = d.shrinkPercent();
    }
    return new Thresholds(
        e.nonNegativeInt("ANOMALY_MIN_RUNS", d.minRuns()),
        shrink,
        e.nonNegativeInt("ANOMALY_SLOWER_FACTOR", d.slowerFactor()));
  }

  /**
   * {@code AUTO_BACKUP_ALL}, or the Python tool's deprecated {@code INCLUDE_ALL_VOLUMES} (a
   * warning); both set to different values is an error naming both.
   */
  private static boolean autoBackupAll(Env e, List<Problem> warnings) {
    Optional<String> current = e.string("AUTO_BACKUP_ALL");
    Optional<String> old = e.string(OLD_AUTO_BACKUP_ALL);
    if (old.isEmpty()) {
      return e.bool("AUTO_BACKUP_ALL", false);
    }
    warnings.add(
        Problem.variable(
            OLD_AUTO_BACKUP_ALL, "is deprecated: use AUTO_BACKUP_ALL (same meaning) instead"));
    boolean oldValue = e.bool(OLD_AUTO_BACKUP_ALL, false);
    if (current.isEmpty()) {
      return oldValue;
    }
    boolean value = e.bool("AUTO_BACKUP_ALL", false);
    if (value != oldValue) {
      e.problem(
          OLD_AUTO_BACKUP_ALL,
          "'"
              + old.get()
              + "' disagrees with AUTO_BACKUP_ALL='"
              + current.get()
              + "'; set only AUTO_BACKUP_ALL (INCLUDE_ALL_VOLUMES is its deprecated name)");
    }
    return value;
  }

  /**
   * {@code INCLUDE_PROJECT_NAME}; {@code INCLUDE_ALL_COMPOSE_PROJECTS=true} implies it, as in the
   * Python tool (which ignores an explicit {@code INCLUDE_PROJECT_NAME=false} then: a warning).
   */
  private static boolean includeProjectName(Env e, boolean allProjects, List<Problem> warnings) {
    boolean value = e.bool("INCLUDE_PROJECT_NAME", false);
    if (allProjects && !value && e.string("INCLUDE_PROJECT_NAME").isPresent()) {
      warnings.add(
          Problem.variable(
              "INCLUDE_PROJECT_NAME",
              "is ignored: INCLUDE_ALL_COMPOSE_PROJECTS=true puts the project name in snapshot"
                  + " paths (/volumes/<project>/<service>/...), as the Python tool does"));
    }
    return value || allProjects;
  }

  /**
   * The zone schedules run in: the container's {@code TZ} read explicitly (the JVM's default zone
   * need not follow TZ when the image has no tzdata), else the JVM's default. A POSIX leading
   * {@code :} is ignored.
   */
  private static ZoneId zone(Env e) {
    Optional<String> tz = e.string("TZ").map(String::trim);
    if (tz.isEmpty()) {
      return ZoneId.systemDefault();
    }
    String id = tz.get().startsWith(":") ? tz.get().substring(1) : tz.get();
    try {
      return ZoneId.of(id);
    } catch (DateTimeException ex) {
      e.problem("TZ", "'" + tz.get() + "' is not a time zone (e.g. Europe/Berlin, UTC)");
      return ZoneOffset.UTC;
    }
  }

  private static Optional<Schedule> schedule(Env e, String name, ZoneId zone) {
    Optional<String> v = e.string(name);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Schedule.parse(v.get(), zone));
    } catch (IllegalArgumentException ex) {
      e.problem(name, ex.getMessage());
      return Optional.empty();
    }
  }

  private static Email email(Env e) {
    int port = e.nonNegativeInt("EMAIL_PORT", 587);
    if (port < 1 || port > 65535) {
      e.problem("EMAIL_PORT", "'" + port + "' is not a port number (1-65535)");
    }
    return new Email(
        e.string("EMAIL_HOST"),
        port,
        e.string("EMAIL_HOST_USER"),
        e.string("EMAIL_HOST_PASSWORD"),
        Values.parseList(e.string("EMAIL_SEND_TO").orElse("")));
  }

  private static Optional<Integer> port(Env e) {
    Optional<String> v = e.string("METRICS_PORT");
    if (v.isEmpty()) {
      return Optional.empty();
    }
    // one problem per variable: a word is as wrong as 0 or 70000
    Optional<Integer> port = Values.parseNonNegativeInt(v.get()).filter(p -> p >= 1 && p <= 65535);
    if (port.isEmpty()) {
      e.problem("METRICS_PORT", "'" + v.get() + "' is not a port number (1-65535)");
    }
    return port;
  }

  /** The shortest {@code DASHBOARD_TOKEN} accepted: it is all that guards the actions. */
  static final int MIN_TOKEN_LENGTH = 16;

  /**
   * {@code DASHBOARD_TOKEN} (or {@code _FILE}), trimmed: at least {@link #MIN_TOKEN_LENGTH}
   * printable characters without spaces. The value is never shown in a problem.
   */
  private static Optional<String> dashboardToken(Env e) {
    Optional<String> t = e.string("DASHBOARD_TOKEN").map(String::trim);
    if (t.isEmpty()) {
      return t;
    }
    String v = t.get();
    if (v.length() < MIN_TOKEN_LENGTH) {
      e.problem(
          "DASHBOARD_TOKEN",
          "is too short ("
              + v.length()
              + " characters; at least "
              + MIN_TOKEN_LENGTH
              + ", e.g. from 'openssl rand -hex 16'); the value is not shown");
      return Optional.empty();
    }
    if (!v.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      e.problem(
          "DASHBOARD_TOKEN",
          "must be printable ASCII without spaces (e.g. from 'openssl rand -hex 16');"
              + " the value is not shown");
      return Optional.empty();
    }
    return t;
  }

  private static void validateUrls(Env e, Config c) {
    c.discordWebhook()
        .filter(u -> !isHttpUrl(u))
        .ifPresent(u -> e.problem("DISCORD_WEBHOOK", "is not an http(s) URL"));
    c.pingUrl()
        .filter(u -> !isHttpUrl(u))
        .ifPresent(u -> e.problem("PING_URL", "is not an http(s) URL (the value is not shown)"));
    for (String url : c.notifyUrls()) {
      if (!isHttpUrl(url)) {
        e.problem("NOTIFY_URLS", "an entry is not an http(s) URL (values are not shown)");
      }
    }
  }

  private static boolean isHttpUrl(String s) {
    String l = s.trim().toLowerCase(Locale.ROOT);
    return l.startsWith("http://") || l.startsWith("https://");
  }

  /**
   * The variables restic reads, copied as they are (restic handles its own _FILE forms); the {@code
   * _FILE} forms of the backend credentials in {@link #READ_FOR_RESTIC} are read here, since restic
   * does not know them.
   */
  private static Map<String, String> resticEnv(
      Env e, Map<String, String> env, Optional<String> repo) {
    Map<String, String> out = new TreeMap<>();
    env.forEach(
        (k, v) -> {
          if (RESTIC_ENV_PREFIXES.stream().anyMatch(k::startsWith)
              && !k.startsWith(NOT_FOR_RESTIC_PREFIX)) {
            out.put(k, v);
          }
        });
    for (String name : READ_FOR_RESTIC) {
      if (out.remove(name + "_FILE") != null) {
        e.string(name).ifPresent(value -> out.put(name, value.strip()));
      }
    }
    // RESTIC_REPOSITORY_FILE was read by us; restic gets the value itself
    if (out.containsKey("RESTIC_REPOSITORY_FILE")) {
      out.remove("RESTIC_REPOSITORY_FILE");
      repo.ifPresent(r -> out.put("RESTIC_REPOSITORY", r));
    }
    return out;
  }
}
