package dev.stackback.label;

import java.util.List;

/** Every label key stack-back reads, in one place. */
public final class LabelKeys {
  private LabelKeys() {}

  /** Our prefix. */
  public static final String PREFIX = "stack-back.";

  /** The Python tool's older prefix, accepted for the volume and database labels. */
  public static final String LEGACY_PREFIX = "restic-compose-backup.";

  // suffixes after PREFIX (or LEGACY_PREFIX)
  public static final String VOLUMES = "volumes";
  public static final String VOLUMES_INCLUDE = "volumes.include";
  public static final String VOLUMES_EXCLUDE = "volumes.exclude";
  public static final String STOP_DURING_BACKUP = "volumes.stop-during-backup";
  public static final String POSTGRES = "postgres";
  public static final String POSTGRES_ALL = "postgres.all";
  public static final String MYSQL = "mysql";
  public static final String MARIADB = "mariadb";

  /** Suffixes that the legacy prefix may carry too. */
  public static final List<String> LEGACY_SUFFIXES =
      List.of(
          VOLUMES,
          VOLUMES_INCLUDE,
          VOLUMES_EXCLUDE,
          STOP_DURING_BACKUP,
          POSTGRES,
          POSTGRES_ALL,
          MYSQL,
          MARIADB);

  /** {@code stack-back.hooks.<stage>.<N>.<property>} */
  public static final String HOOKS = "hooks.";

  public static final String HOOK_CMD = "cmd";
  public static final String HOOK_CONTEXT = "context";
  public static final String HOOK_ON_ERROR = "on-error";
  public static final String HOOK_RETRIES = "retries";
  public static final String HOOK_TIMEOUT = "timeout";
  public static final String HOOK_MODE = "mode";
  public static final String HOOK_USER = "user";

  /** Properties a hook label may carry. */
  public static final List<String> HOOK_PROPERTIES =
      List.of(
          HOOK_CMD, HOOK_CONTEXT, HOOK_ON_ERROR, HOOK_RETRIES, HOOK_TIMEOUT, HOOK_MODE, HOOK_USER);

  /** On the stack-back container: turns on ordered backup. */
  public static final String ORDERED = "ordered";

  /** On the stack-back container: {@code stack-back.order.<N>} = compose service name. */
  public static final String ORDER = "order.";

  /** Marks our own worker containers (full key, set by the Docker adapter). */
  public static final String WORKER = "stack-back.worker";

  // labels set by Docker Compose and Swarm
  public static final String COMPOSE_PROJECT = "com.docker.compose.project";
  public static final String COMPOSE_SERVICE = "com.docker.compose.service";
  public static final String COMPOSE_ONEOFF = "com.docker.compose.oneoff";
  public static final String SWARM_SERVICE = "com.docker.swarm.service.name";
  public static final String SWARM_STACK = "com.docker.stack.namespace";

  /**
   * Set by SWARM_MODE discovery (never by Docker or the user): the hostname of the swarm node a
   * container runs on; its snapshots get tag {@code node=<hostname>}.
   */
  public static final String SWARM_NODE = "dev.stack-back.swarm.node";

  /** The full key with our prefix. */
  public static String key(String suffix) {
    return PREFIX + suffix;
  }

  /** The full key with the legacy prefix. */
  public static String legacyKey(String suffix) {
    return LEGACY_PREFIX + suffix;
  }
}
