package dev.stackback.engine;

import dev.stackback.label.DatabaseKind;
import dev.stackback.plan.DatabaseDump;
import java.util.List;

/**
 * The database commands (dump, ping, restore), run inside the database container with {@code sh
 * -c}. Credentials are read there from the container's own environment ({@code *_FILE} forms
 * included, image defaults when unset), so no password crosses our command line, our logs or the
 * Docker API: the clients get it through {@code PGPASSWORD} / {@code MYSQL_PWD}.
 */
public final class DumpCommands {
  private DumpCommands() {}

  /** argv for {@code docker exec} of the dump; its stdout is the dump. */
  public static List<String> command(DatabaseDump dump) {
    return List.of("sh", "-c", script(dump));
  }

  static String script(DatabaseDump dump) {
    return dump.kind() == DatabaseKind.POSTGRES ? postgres(dump.allDatabases()) : mysql();
  }

  /**
   * argv of a quick "does the server answer" check: {@code pg_isready} or {@code mariadb-admin /
   * mysqladmin ping}, each giving up after {@code seconds}.
   */
  public static List<String> ping(DatabaseKind kind, int seconds) {
    String t = Integer.toString(Math.max(1, seconds));
    String script =
        kind == DatabaseKind.POSTGRES
            ? "set -e; "
                + READ_VAR
                + POSTGRES_CREDENTIALS
                + "D=$(v POSTGRES_DB); exec pg_isready -t "
                + t
                + " -U \"$U\" -d \"${D:-$U}\""
            : "set -e; "
                + READ_VAR
                + MYSQL_CREDENTIALS
                + "if command -v mariadb-admin >/dev/null 2>&1; then A=mariadb-admin; else"
                + " A=mysqladmin; fi; "
                + "exec $A -u\"$U\" --connect-timeout="
                + t
                + " ping";
    return List.of("sh", "-c", script);
  }

  /**
   * argv that reads exactly {@code bytes} bytes of stdin into {@code file} (private to root) and
   * fails unless all of them arrived. Exec stdin never reaches EOF, so {@code head -c} is what
   * stops reading.
   */
  public static List<String> receive(String file, long bytes) {
    String script =
        "set -e; umask 077; head -c \"$2\" > \"$1\"; n=$(wc -c < \"$1\"); "
            + "if [ \"$n\" -ne \"$2\" ]; then echo \"received $n of $2 bytes\" >&2;"
            + " rm -f \"$1\"; exit 1; fi";
    return List.of("sh", "-c", script, "sh", file, Long.toString(bytes));
  }

  /**
   * argv that feeds the dump in {@code file} to the database's client and removes the file whatever
   * happens. A {@code pg_dump} file is applied in one transaction that stops at the first error; a
   * {@code pg_dumpall} file is applied statement by statement (it re-creates roles and databases
   * that exist already, which Postgres reports as errors); MariaDB/MySQL through {@code mariadb} or
   * {@code mysql}.
   */
  public static List<String> restore(DatabaseKind kind, boolean allDatabases, String file) {
    String apply;
    if (kind == DatabaseKind.POSTGRES) {
      apply =
          POSTGRES_CREDENTIALS
              + (allDatabases
                  ? "psql -X -q -U \"$U\" -d postgres -f \"$1\""
                  : "D=$(v POSTGRES_DB); psql -X -q -v ON_ERROR_STOP=1 --single-transaction"
                      + " -U \"$U\" -d \"${D:-$U}\" -f \"$1\"");
    } else {
      apply =
          MYSQL_CREDENTIALS
              + "if command -v mariadb >/dev/null 2>&1; then C=mariadb; else C=mysql; fi; "
              + "$C -u\"$U\" < \"$1\"";
    }
    String script = "trap 'rm -f \"$1\"' EXIT; " + READ_VAR + "set -e; " + apply;
    return List.of("sh", "-c", script, "sh", file);
  }

  /** Reads {@code $1} or the file named by {@code $1_FILE}. */
  private static final String READ_VAR =
      "v() { eval \"f=\\${$1_FILE:-}\"; if [ -n \"$f\" ]; then cat \"$f\"; else eval \"printf %s"
          + " \\\"\\${$1:-}\\\"\"; fi; }; ";

  /** Sets U (default postgres) and exports PGPASSWORD when a password is set. */
  private static final String POSTGRES_CREDENTIALS =
      "U=$(v POSTGRES_USER); U=${U:-postgres}; "
          + "P=$(v POSTGRES_PASSWORD); if [ -n \"$P\" ]; then export PGPASSWORD=\"$P\"; fi; ";

  /**
   * Sets U and exports MYSQL_PWD: root with the root password, root without one when an empty root
   * password is allowed, else the application user.
   */
  private static final String MYSQL_CREDENTIALS =
      "P=$(v MARIADB_ROOT_PASSWORD); [ -n \"$P\" ] || P=$(v MYSQL_ROOT_PASSWORD); U=root; "
          + "if [ -z \"$P\" ] && [ -z \"$(v MARIADB_ALLOW_EMPTY_ROOT_PASSWORD)$(v"
          + " MYSQL_ALLOW_EMPTY_PASSWORD)\" ]; then "
          + "U=$(v MARIADB_USER); [ -n \"$U\" ] || U=$(v MYSQL_USER); "
          + "P=$(v MARIADB_PASSWORD); [ -n \"$P\" ] || P=$(v MYSQL_PASSWORD); fi; "
          + "if [ -n \"$P\" ]; then export MYSQL_PWD=\"$P\"; fi; ";

  private static String postgres(boolean all) {
    return "set -e; "
        + READ_VAR
        + POSTGRES_CREDENTIALS
        + (all
            ? "exec pg_dumpall -U \"$U\" --clean --if-exists"
            : "D=$(v POSTGRES_DB); exec pg_dump -U \"$U\" -d \"${D:-$U}\" --clean --if-exists");
  }

  private static String mysql() {
    return "set -e; "
        + READ_VAR
        + MYSQL_CREDENTIALS
        + "if command -v mariadb-dump >/dev/null 2>&1; then DUMP=mariadb-dump; else"
        + " DUMP=mysqldump; fi; "
        + "exec $DUMP -u\"$U\" --all-databases --single-transaction --routines --events"
        + " --triggers";
  }
}
