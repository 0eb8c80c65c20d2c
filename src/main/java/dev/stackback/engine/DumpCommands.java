package dev.stackback.engine;

import dev.stackback.label.DatabaseKind;
import dev.stackback.plan.DatabaseDump;
import java.util.List;

/**
 * The dump commands, run inside the database container with {@code sh -c}. Credentials are read
 * there from the container's own environment ({@code *_FILE} forms included), so no password
 * crosses our command line, our logs or the Docker API.
 */
final class DumpCommands {
  private DumpCommands() {}

  /** argv for {@code docker exec}. */
  static List<String> command(DatabaseDump dump) {
    return List.of("sh", "-c", script(dump));
  }

  static String script(DatabaseDump dump) {
    return dump.kind() == DatabaseKind.POSTGRES ? postgres(dump.allDatabases()) : mysql();
  }

  /** Reads {@code $1} or the file named by {@code $1_FILE}. */
  private static final String READ_VAR =
      "v() { eval \"f=\\${$1_FILE:-}\"; if [ -n \"$f\" ]; then cat \"$f\"; else eval \"printf %s"
          + " \\\"\\${$1:-}\\\"\"; fi; }; ";

  private static String postgres(boolean all) {
    return "set -e; "
        + READ_VAR
        + "U=$(v POSTGRES_USER); U=${U:-postgres}; "
        + "P=$(v POSTGRES_PASSWORD); if [ -n \"$P\" ]; then export PGPASSWORD=\"$P\"; fi; "
        + (all
            ? "exec pg_dumpall -U \"$U\" --clean --if-exists"
            : "D=$(v POSTGRES_DB); exec pg_dump -U \"$U\" -d \"${D:-$U}\" --clean --if-exists");
  }

  private static String mysql() {
    return "set -e; "
        + READ_VAR
        + "P=$(v MARIADB_ROOT_PASSWORD); [ -n \"$P\" ] || P=$(v MYSQL_ROOT_PASSWORD); U=root; "
        + "if [ -z \"$P\" ] && [ -z \"$(v MARIADB_ALLOW_EMPTY_ROOT_PASSWORD)$(v"
        + " MYSQL_ALLOW_EMPTY_PASSWORD)\" ]; then "
        + "U=$(v MARIADB_USER); [ -n \"$U\" ] || U=$(v MYSQL_USER); "
        + "P=$(v MARIADB_PASSWORD); [ -n \"$P\" ] || P=$(v MYSQL_PASSWORD); fi; "
        + "if [ -n \"$P\" ]; then export MYSQL_PWD=\"$P\"; fi; "
        + "if command -v mariadb-dump >/dev/null 2>&1; then DUMP=mariadb-dump; else"
        + " DUMP=mysqldump; fi; "
        + "exec $DUMP -u\"$U\" --all-databases --single-transaction --routines --events"
        + " --triggers";
  }
}
