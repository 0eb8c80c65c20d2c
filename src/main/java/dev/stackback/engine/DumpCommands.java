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

  /**
   * argv that succeeds only when the REAL server of a freshly started scratch container answers:
   * the official images first run a temporary server without networking to initialise the data
   * directory, and a dump loaded into that one would be cut off when it stops. So: Postgres answers
   * and its {@code listen_addresses} is not empty; MariaDB/MySQL answers with {@code
   * skip_networking} off.
   */
  public static List<String> scratchReady(DatabaseKind kind) {
    String script =
        kind == DatabaseKind.POSTGRES
            ? "set -e; "
                + READ_VAR
                + POSTGRES_CREDENTIALS
                + "pg_isready -q -t 2 -U \"$U\" -d postgres; "
                + "L=$(psql -X -At -U \"$U\" -d postgres -c 'show listen_addresses'); "
                + "[ -n \"$L\" ]"
            : "set -e; "
                + READ_VAR
                + MYSQL_CREDENTIALS
                + MYSQL_CLIENT
                + "N=$($C -u\"$U\" -N -B -e 'SELECT @@skip_networking'); [ \"$N\" = 0 ]";
    return List.of("sh", "-c", script);
  }

  /**
   * argv that prints one line {@code <database>|<tables>|<rows>} per user database of the server
   * (rows counted exactly, table by table): the database of a {@code pg_dump} file, every database
   * but the templates after {@code pg_dumpall}, every schema but the system ones for MariaDB/MySQL.
   */
  public static List<String> count(DatabaseKind kind, boolean allDatabases) {
    String script;
    if (kind == DatabaseKind.POSTGRES) {
      String perDatabase =
          "select current_database(), count(*), coalesce(sum((xpath('/row/c/text()',"
              + " query_to_xml(format('select count(*) as c from %I.%I', table_schema,"
              + " table_name), false, true, '')))[1]::text::bigint), 0) from"
              + " information_schema.tables where table_type = 'BASE TABLE' and table_schema"
              + " not in ('pg_catalog', 'information_schema')";
      script =
          "set -e; "
              + READ_VAR
              + POSTGRES_CREDENTIALS
              + (allDatabases
                  ? "DBS=$(psql -X -At -U \"$U\" -d postgres -c 'select datname from pg_database"
                      + " where not datistemplate order by 1'); "
                  : "D=$(v POSTGRES_DB); DBS=${D:-$U}; ")
              + "for d in $DBS; do psql -X -At -F '|' -U \"$U\" -d \"$d\" -c \""
              + perDatabase
              + "\"; done";
    } else {
      String tables =
          "SET SESSION group_concat_max_len = 16777216; SELECT GROUP_CONCAT(CONCAT('SELECT ',"
              + " QUOTE(table_schema), ' s, COUNT(*) c FROM ', CHAR(96), table_schema, CHAR(96),"
              + " '.', CHAR(96), table_name, CHAR(96)) SEPARATOR ' UNION ALL ') FROM"
              + " information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT"
              + " IN ('mysql', 'information_schema', 'performance_schema', 'sys')";
      script =
          "set -e; "
              + READ_VAR
              + MYSQL_CREDENTIALS
              + MYSQL_CLIENT
              + "Q=$($C -u\"$U\" -N -B -e \""
              + tables
              + "\"); "
              + "if [ -z \"$Q\" ] || [ \"$Q\" = NULL ]; then exit 0; fi; "
              + "$C -u\"$U\" -N -B -e \"SELECT s, COUNT(*), SUM(c) FROM ($Q) x GROUP BY s ORDER BY"
              + " s\" | tr '\\t' '|'";
    }
    return List.of("sh", "-c", script);
  }

  /** Sets C to the MariaDB client, or MySQL's. */
  private static final String MYSQL_CLIENT =
      "if command -v mariadb >/dev/null 2>&1; then C=mariadb; else C=mysql; fi; ";

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
