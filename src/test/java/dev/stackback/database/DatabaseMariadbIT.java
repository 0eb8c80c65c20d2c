package dev.stackback.database;

import static dev.stackback.database.DbFixture.MARIADB_IMAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MariaDB and MySQL end to end. The {@code stack-back.mysql} service runs the MariaDB test image
 * with the MYSQL_* variables (there is no MySQL image on our machines); its dump goes through the
 * same mariadb-dump/mysqldump script. One backup in set-up; the tests restore into fresh servers
 * and through {@code restore}.
 */
class DatabaseMariadbIT {
  static final String ROOT_SECRET = "maria-ROOT-51d0e2";
  static final String MYSQL_ROOT = "mysql-ROOT-93ab77";

  static DbFixture fx;
  static String maria;
  static String mysql;
  static String freshMaria;
  static String freshMysql;
  static DbFixture.Cli backup;

  @BeforeAll
  static void setUp() {
    fx = new DbFixture("maria");
    Path secret = fx.file("root-password", ROOT_SECRET + "\n");
    maria =
        fx.run(
            "maria",
            MARIADB_IMAGE,
            Map.of("stack-back.mariadb", "true"),
            Map.of(
                "MARIADB_ROOT_PASSWORD_FILE", "/run/secrets/root-password",
                "MARIADB_DATABASE", "shop"),
            List.of("-v", secret + ":/run/secrets/root-password:ro"));
    mysql =
        fx.run(
            "mysql",
            MARIADB_IMAGE,
            Map.of("stack-back.mysql", "true"),
            Map.of(
                "MYSQL_ROOT_PASSWORD", MYSQL_ROOT,
                "MYSQL_DATABASE", "legacy",
                "MYSQL_USER", "app",
                "MYSQL_PASSWORD", "app-password"),
            List.of());
    freshMaria = fresh("fresh-maria", ROOT_SECRET);
    freshMysql = fresh("fresh-mysql", MYSQL_ROOT);

    fx.awaitMariadb(maria);
    fx.mariadb(
        maria,
        ROOT_SECRET,
        "USE shop; CREATE TABLE items(name varchar(20));"
            + " INSERT INTO items VALUES ('alpha'), ('beta');"
            + " CREATE PROCEDURE count_items() SELECT count(*) FROM items;"
            + " CREATE EVENT purge_items ON SCHEDULE EVERY 1 DAY DO DELETE FROM items WHERE 1 = 0;");
    fx.awaitMariadb(mysql);
    fx.mariadb(
        mysql,
        MYSQL_ROOT,
        "USE legacy; CREATE TABLE notes(body text); INSERT INTO notes VALUES ('one'), ('two');"
            + " CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN 2 * x;");

    backup = fx.cli("backup");
  }

  private static String fresh(String name, String rootPassword) {
    String c =
        DbFixture.docker(
            "run",
            "-d",
            "--name",
            fx.project + "-" + name,
            "-e",
            "MARIADB_ROOT_PASSWORD=" + rootPassword,
            MARIADB_IMAGE);
    fx.adopt(c);
    return c;
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void backup_dumpsAllDatabasesOfBothServers_secretsNeverInOutput() throws IOException {
    assertEquals(0, backup.exit(), backup.all());
    assertEquals(1, fx.snapshotIds("/databases/maria/all_databases.sql").size());
    assertEquals(1, fx.snapshotIds("/databases/mysql/all_databases.sql").size());
    assertFalse(backup.all().contains(ROOT_SECRET), "secret in output");
    assertFalse(backup.all().contains(MYSQL_ROOT), "password in output");
    assertEquals("", fx.locks());
  }

  @Test
  void mariadbDump_restoresIntoFreshServer_withRoutineAndEvent() {
    String path = "/databases/maria/all_databases.sql";
    fx.awaitMariadb(freshMaria);
    fx.restoreByHand(
        fx.snapshotIds(path).get(0),
        path,
        freshMaria,
        "sh",
        "-c",
        "MYSQL_PWD='" + ROOT_SECRET + "' mariadb -uroot");
    assertEquals(
        "alpha\nbeta",
        fx.mariadb(freshMaria, ROOT_SECRET, "SELECT name FROM shop.items ORDER BY name"));
    assertEquals("2", fx.mariadb(freshMaria, ROOT_SECRET, "CALL shop.count_items()"));
    assertEquals(
        "purge_items",
        fx.mariadb(
            freshMaria,
            ROOT_SECRET,
            "SELECT event_name FROM information_schema.events WHERE event_schema = 'shop'"));
  }

  @Test
  void mysqlLabelledDump_restoresIntoFreshServer_withFunction() {
    String path = "/databases/mysql/all_databases.sql";
    fx.awaitMariadb(freshMysql);
    fx.restoreByHand(
        fx.snapshotIds(path).get(0),
        path,
        freshMysql,
        "sh",
        "-c",
        "MYSQL_PWD='" + MYSQL_ROOT + "' mariadb -uroot");
    assertEquals(
        "one\ntwo",
        fx.mariadb(freshMysql, MYSQL_ROOT, "SELECT body FROM legacy.notes ORDER BY body"));
    assertEquals("42", fx.mariadb(freshMysql, MYSQL_ROOT, "SELECT legacy.twice(21)"));
  }

  @Test
  void status_pingsBothServers() throws IOException {
    DbFixture.Cli status = fx.cli("status", "--json");
    assertEquals(0, status.exit(), status.all());
    for (JsonNode t : new ObjectMapper().readTree(status.out()).path("targets")) {
      JsonNode d = t.path("database");
      assertTrue(d.path("answers").asBoolean(), t.toString());
      assertTrue(d.path("answer").asText().contains("alive"), t.toString());
    }
    assertFalse(status.all().contains(ROOT_SECRET));
  }

  @Test
  void restoreCommand_dump_bringsBackRowsAndRoutines() {
    fx.mariadb(maria, ROOT_SECRET, "DELETE FROM shop.items; DROP PROCEDURE shop.count_items");
    DbFixture.Cli r = fx.cli("restore", "--service", "maria", "--dump");
    assertEquals(0, r.exit(), r.all());
    assertEquals(
        "alpha\nbeta", fx.mariadb(maria, ROOT_SECRET, "SELECT name FROM shop.items ORDER BY name"));
    assertEquals("2", fx.mariadb(maria, ROOT_SECRET, "CALL shop.count_items()"));
    assertFalse(r.all().contains(ROOT_SECRET));
  }
}
