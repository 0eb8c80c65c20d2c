package dev.stackback.database;

import static dev.stackback.database.DbFixture.POSTGRES_IMAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Postgres end to end: real servers, real restic, the CLI in-process. One backup run in set-up
 * dumps a single database (pg_dump, POSTGRES_DB set, credentials from *_FILE, a pre hook that
 * writes a row) and a whole server (pg_dumpall, legacy label); the tests restore the dumps into
 * fresh servers, use {@code restore}, and read {@code status}.
 */
class DatabasePostgresIT {
  static final String SECRET = "pg-SECRET-7f3a9c";

  static DbFixture fx;
  static String db;
  static String dbAll;
  static String files;
  static String auto;
  static String freshApp;
  static String freshAll;
  static DbFixture.Cli backup;

  @BeforeAll
  static void setUp() {
    fx = new DbFixture("pg");
    Path secret = fx.file("pg-password", SECRET + "\n");
    db =
        fx.run(
            "db",
            POSTGRES_IMAGE,
            Map.of(
                "stack-back.postgres", "true",
                "stack-back.hooks.pre.1.cmd",
                    "psql -U appuser -d app -c \"INSERT INTO items(name) VALUES ('from-pre-hook')\"",
                "stack-back.hooks.post.1.cmd",
                    "psql -U appuser -d app -c \"INSERT INTO items(name) VALUES ('from-post-hook')\""),
            Map.of(
                "POSTGRES_USER", "appuser",
                "POSTGRES_PASSWORD_FILE", "/run/secrets/pg-password",
                "POSTGRES_DB", "app"),
            List.of("-v", secret + ":/run/secrets/pg-password:ro"));
    dbAll =
        fx.run(
            "dball",
            POSTGRES_IMAGE,
            Map.of("restic-compose-backup.postgres", "true"),
            Map.of("POSTGRES_PASSWORD", "other-password"),
            List.of());
    files = fx.volumeApp("files", "echo hello > /data/hello.txt; ");
    // no label: a database only for AUTO_BACKUP_ALL, by its image
    auto = fx.run("auto", POSTGRES_IMAGE, Map.of(), Map.of("POSTGRES_PASSWORD", "x"), List.of());
    // fresh servers to restore into, outside the project so they are no backup targets
    freshApp =
        DbFixture.docker(
            "run",
            "-d",
            "--name",
            fx.project + "-fresh-app",
            "--label",
            "sbdb.fresh=" + fx.project,
            "-e",
            "POSTGRES_USER=appuser",
            "-e",
            "POSTGRES_PASSWORD=x",
            "-e",
            "POSTGRES_DB=app",
            POSTGRES_IMAGE);
    freshAll =
        DbFixture.docker(
            "run",
            "-d",
            "--name",
            fx.project + "-fresh-all",
            "--label",
            "sbdb.fresh=" + fx.project,
            "-e",
            "POSTGRES_PASSWORD=x",
            POSTGRES_IMAGE);
    fx.adopt(freshApp);
    fx.adopt(freshAll);

    fx.awaitPostgres(db);
    fx.psql(
        db,
        "appuser",
        "app",
        "CREATE TABLE items(name text); INSERT INTO items VALUES ('alpha'), ('beta')");
    fx.awaitPostgres(dbAll);
    fx.psql(dbAll, "postgres", "postgres", "CREATE DATABASE shop");
    fx.psql(dbAll, "postgres", "postgres", "CREATE DATABASE blog");
    fx.psql(
        dbAll,
        "postgres",
        "shop",
        "CREATE TABLE orders(id int); INSERT INTO orders SELECT generate_series(1, 500)");
    fx.psql(
        dbAll,
        "postgres",
        "blog",
        "CREATE TABLE posts(title text); INSERT INTO posts VALUES ('first'), ('second')");

    backup = fx.cli("backup");
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void backup_dumpsEachDatabaseIntoItsOwnSnapshot_withHostAndTags() throws IOException {
    assertEquals(0, backup.exit(), backup.all());
    JsonNode snaps = new ObjectMapper().readTree(fx.snapshotsJson());
    JsonNode single = find(snaps, "/databases/db/app.sql");
    assertEquals(fx.project, single.path("hostname").asText());
    // SPEC 3's tags, and the run's id (a run is a restore point)
    Matcher run = Pattern.compile("Run (\\S+):").matcher(backup.out());
    assertTrue(run.find(), backup.out());
    assertEquals(
        List.of("project=" + fx.project, "run=" + run.group(1), "service=db", "stack-back"),
        Stream.of(single.path("tags")).flatMap(t -> toList(t).stream()).sorted().toList());
    find(snaps, "/databases/dball/all_databases.sql");
    assertEquals("", fx.locks());
  }

  @Test
  void hooks_preBeforeTheDump_postAfterIt() {
    String out = backup.out();
    int pre = out.indexOf("pre db#1");
    int dump = out.indexOf("dump db ");
    int post = out.indexOf("post db#1");
    assertTrue(pre >= 0 && pre < dump && dump < post, out);
    // the dump holds the pre hook's row but not the post hook's: the restore tests compare rows
  }

  @Test
  void secretFromFile_neverAppearsInOutputOrRunRecords() throws IOException {
    assertFalse(backup.all().contains(SECRET), "secret in the backup output");
    DbFixture.Cli status = fx.cli("status");
    assertFalse(status.all().contains(SECRET), "secret in status");
    try (Stream<Path> records = Files.walk(fx.dir.resolve("state"))) {
      for (Path p : records.filter(Files::isRegularFile).toList()) {
        assertFalse(Files.readString(p).contains(SECRET), "secret in " + p);
      }
    }
  }

  @Test
  void singleDatabaseDump_restoresIntoFreshServer_withTheRowOfThePreHook() {
    String path = "/databases/db/app.sql";
    String id = fx.snapshotIds(path).get(0);
    fx.awaitPostgres(freshApp);
    fx.restoreByHand(
        id,
        path,
        freshApp,
        "psql",
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-U",
        "appuser",
        "-d",
        "app");
    assertEquals(
        "alpha\nbeta\nfrom-pre-hook",
        fx.psql(freshApp, "appuser", "app", "SELECT name FROM items ORDER BY name"));
  }

  @Test
  void allDatabasesDump_restoresBothDatabasesIntoFreshServer() {
    String path = "/databases/dball/all_databases.sql";
    String id = fx.snapshotIds(path).get(0);
    fx.awaitPostgres(freshAll);
    fx.restoreByHand(id, path, freshAll, "psql", "-X", "-q", "-U", "postgres", "-d", "postgres");
    assertEquals("500", fx.psql(freshAll, "postgres", "shop", "SELECT count(*) FROM orders"));
    assertEquals(
        "first\nsecond",
        fx.psql(freshAll, "postgres", "blog", "SELECT title FROM posts ORDER BY 1"));
  }

  @Test
  void status_saysEachDatabaseAnswers_andWhereItsDumpGoes() throws IOException {
    DbFixture.Cli status = fx.cli("status", "--json");
    assertEquals(0, status.exit(), status.all());
    JsonNode targets = new ObjectMapper().readTree(status.out()).path("targets");
    JsonNode dbEntry = target(targets, "db").path("database");
    assertTrue(dbEntry.path("answers").asBoolean(), dbEntry.toString());
    assertTrue(
        dbEntry.path("answer").asText().contains("accepting connections"), dbEntry.toString());
    assertEquals("/databases/db/app.sql", dbEntry.path("snapshotPath").asText());
    assertEquals("pg_dump", dbEntry.path("dump").asText());
    JsonNode allEntry = target(targets, "dball").path("database");
    assertTrue(allEntry.path("answers").asBoolean(), allEntry.toString());
    assertEquals("pg_dumpall", allEntry.path("dump").asText());

    DbFixture.Cli text = fx.cli("status");
    assertTrue(text.out().contains("ping   answers"), text.out());
  }

  @Test
  void autoBackupAll_detectsTheUnlabelledServerByItsImage() throws IOException {
    fx.awaitPostgres(auto);
    JsonNode plain = new ObjectMapper().readTree(fx.cli("status", "--json").out()).path("targets");
    assertTrue(
        Stream.iterate(0, i -> i < plain.size(), i -> i + 1)
            .noneMatch(i -> plain.get(i).path("service").asText().equals("auto")),
        "an unlabelled database is no target without AUTO_BACKUP_ALL");

    DbFixture.Cli status = fx.cli(Map.of("AUTO_BACKUP_ALL", "true"), "status", "--json");
    assertEquals(0, status.exit(), status.all());
    JsonNode d = target(new ObjectMapper().readTree(status.out()).path("targets"), "auto");
    JsonNode database = d.path("database");
    assertEquals("postgres", database.path("kind").asText());
    assertEquals("/databases/auto/all_databases.sql", database.path("snapshotPath").asText());
    assertTrue(database.path("detectedBy").asText().contains("AUTO_BACKUP_ALL"), d.toString());
    assertTrue(database.path("answers").asBoolean(), d.toString());
  }

  @Test
  void restoreCommand_dump_streamsTheLatestDumpBackIntoTheRunningServer() {
    fx.psql(db, "appuser", "app", "DELETE FROM items; INSERT INTO items VALUES ('after-backup')");
    DbFixture.Cli r = fx.cli("restore", "--service", "db", "--dump");
    assertEquals(0, r.exit(), r.all());
    assertEquals(
        "alpha\nbeta\nfrom-pre-hook",
        fx.psql(db, "appuser", "app", "SELECT name FROM items ORDER BY name"));
    assertFalse(r.all().contains(SECRET));
    assertEquals("", fx.sh(db, "ls /tmp | grep stack-back-restore || true"), "temporary file left");
  }

  @Test
  void restoreCommand_dumpAll_bySnapshotId_restoresEveryDatabase() {
    String id = fx.snapshotIds("/databases/dball/all_databases.sql").get(0);
    fx.psql(dbAll, "postgres", "shop", "DELETE FROM orders WHERE id > 10");
    DbFixture.Cli r =
        fx.cli("restore", "--service", "dball", "--dump", "--snapshot", id.substring(0, 8));
    assertEquals(0, r.exit(), r.all());
    assertEquals("500", fx.psql(dbAll, "postgres", "shop", "SELECT count(*) FROM orders"));
  }

  @Test
  void restoreCommand_target_restoresTheVolumesIntoADirectory() throws IOException {
    Path target = fx.dir.resolve("restored");
    DbFixture.Cli r = fx.cli("restore", "--service", "files", "--target", target.toString());
    assertEquals(0, r.exit(), r.all());
    assertEquals("hello\n", Files.readString(target.resolve("volumes/files/data/hello.txt")));
  }

  @Test
  void restoreCommand_unknownService_failsWithoutTouchingAnything() {
    DbFixture.Cli r = fx.cli("restore", "--service", "nosuch", "--dump");
    assertEquals(1, r.exit(), r.all());
    assertTrue(r.err().contains("service 'nosuch'"), r.err());
  }

  private static JsonNode find(JsonNode snaps, String path) {
    for (JsonNode s : snaps) {
      if (toList(s.path("paths")).contains(path)) {
        return s;
      }
    }
    throw new AssertionError("no snapshot of " + path + " in " + snaps);
  }

  private static JsonNode target(JsonNode targets, String service) {
    for (JsonNode t : targets) {
      if (t.path("service").asText().equals(service)) {
        return t;
      }
    }
    throw new AssertionError("no target " + service + " in " + targets);
  }

  private static List<String> toList(JsonNode array) {
    return Stream.iterate(0, i -> i < array.size(), i -> i + 1)
        .map(i -> array.get(i).asText())
        .toList();
  }
}
