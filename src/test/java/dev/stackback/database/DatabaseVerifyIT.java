package dev.stackback.database;

import static dev.stackback.database.DbFixture.MARIADB_IMAGE;
import static dev.stackback.database.DbFixture.POSTGRES_IMAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stackback.it.RunRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code stack-back verify} end to end: real Postgres and MariaDB servers, a volume, real restic,
 * the CLI in-process. One backup in set-up; a drill of it passes with the real table and row counts
 * of scratch servers made from the same images; a dump snapshot that is not SQL (made by hand with
 * {@code restic backup --stdin} under the same path, host and tags) fails its drill. The real
 * database containers are never restarted or changed, and no scratch container is left behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DatabaseVerifyIT {
  static final String PG_SECRET = "pg-verify-SECRET-41c2";
  static final String MARIA_ROOT = "maria-verify-ROOT-9d1e";
  static final ObjectMapper JSON = new ObjectMapper();

  static DbFixture fx;
  static String pg;
  static String pgAll;
  static String maria;
  static String files;
  static Map<String, String> before;
  static DbFixture.Cli backup;

  @BeforeAll
  static void setUp() {
    fx = new DbFixture("verify");
    Path secret = fx.file("pg-password", PG_SECRET + "\n");
    pg =
        fx.run(
            "pg",
            POSTGRES_IMAGE,
            Map.of("stack-back.postgres", "true"),
            Map.of(
                "POSTGRES_USER", "appuser",
                "POSTGRES_PASSWORD_FILE", "/run/secrets/pg-password",
                "POSTGRES_DB", "app"),
            List.of("-v", secret + ":/run/secrets/pg-password:ro"));
    pgAll =
        fx.run(
            "pgall",
            POSTGRES_IMAGE,
            Map.of("stack-back.postgres", "true"),
            Map.of("POSTGRES_PASSWORD", "other-password"),
            List.of());
    maria =
        fx.run(
            "maria",
            MARIADB_IMAGE,
            Map.of("stack-back.mariadb", "true"),
            Map.of("MARIADB_ROOT_PASSWORD", MARIA_ROOT, "MARIADB_DATABASE", "shop"),
            List.of());
    files =
        fx.run(
            "files",
            DbFixture.BUSYBOX_IMAGE,
            Map.of("stack-back.volumes", "true"),
            Map.of(),
            List.of("-v", "/data"),
            "sh",
            "-c",
            "mkdir -p /data/sub; echo hello > /data/hello.txt;"
                + " head -c 300000 /dev/urandom > /data/sub/random.bin; : > /data/empty;"
                + " trap 'exit 0' TERM; sleep 3600 & wait");

    fx.awaitPostgres(pg);
    fx.psql(
        pg,
        "appuser",
        "app",
        "CREATE TABLE items(name text); INSERT INTO items VALUES ('alpha'), ('beta'), ('gamma');"
            + " CREATE TABLE tags(t text); INSERT INTO tags VALUES ('x'), ('y')");
    fx.awaitPostgres(pgAll);
    fx.psql(pgAll, "postgres", "postgres", "CREATE DATABASE shop");
    fx.psql(
        pgAll,
        "postgres",
        "shop",
        "CREATE TABLE orders(id int); INSERT INTO orders SELECT generate_series(1, 500)");
    fx.awaitReady(maria, "sh", "-c", "MYSQL_PWD=" + MARIA_ROOT + " mariadb-admin -uroot ping");
    fx.mariadb(
        maria,
        MARIA_ROOT,
        "USE shop; CREATE TABLE items(name varchar(20)); INSERT INTO items VALUES ('a'), ('b'),"
            + " ('c'), ('d'); CREATE TABLE empty_one(id int)");

    backup = fx.cli("backup");
    before = state();
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  /** Id, start time and restart count of each real container: a drill must change none. */
  static Map<String, String> state() {
    Map<String, String> m = new java.util.TreeMap<>();
    for (String c : List.of(pg, pgAll, maria, files)) {
      m.put(
          c,
          DbFixture.docker(
              "inspect",
              "-f",
              "{{.Id}} {{.State.StartedAt}} {{.RestartCount}} {{.State.Running}}",
              c));
    }
    return m;
  }

  @Test
  @Order(1)
  void verify_goodBackup_passes_withTableAndRowCounts_realContainersUntouched() throws IOException {
    assertEquals(0, backup.exit(), backup.all());

    DbFixture.Cli v = fx.cli("verify");

    assertEquals(0, v.exit(), v.all());
    String out = v.all();
    // the counts come from the scratch servers, loaded from the dumps
    assertTrue(out.contains("app: 2 table(s), 5 row(s)"), out);
    assertTrue(out.contains("shop: 1 table(s), 500 row(s)"), out);
    assertTrue(out.contains("shop: 2 table(s), 4 row(s)"), out);
    assertTrue(out.contains("3 file(s)"), out);
    assertFalse(out.contains(PG_SECRET) || out.contains(MARIA_ROOT), "secret in output");

    JsonNode run = latestRun();
    assertEquals("verify", run.path("trigger").asText());
    assertEquals("succeeded", run.path("state").asText());
    List<String> steps = steps(run);
    assertEquals(
        List.of(
            "verify dump maria: ok",
            "verify dump pg: ok",
            "verify dump pgall: ok",
            "verify volumes files: ok"),
        steps.stream().sorted().toList());

    assertEquals(before, state(), "a real container was restarted or replaced");
    assertEquals("3", fx.psql(pg, "appuser", "app", "SELECT count(*) FROM items"));
    assertEquals(List.of(), scratchContainers(run.path("id").asText()));
    assertEquals("", fx.locks());
  }

  @Test
  @Order(2)
  void verify_dumpThatIsNotSql_fails_scratchRemoved_realDatabaseUntouched() throws IOException {
    JsonNode good = snapshotOf("/databases/pg/app.sql");
    List<String> argv =
        new ArrayList<>(
            List.of(
                "sh",
                "-c",
                "printf 'this is not SQL at all;\\n' | restic backup --stdin --stdin-filename"
                    + " /databases/pg/app.sql --host \"$0\" --tag \"$1\"",
                good.path("hostname").asText(),
                String.join(",", texts(good.path("tags")))));
    DbFixture.Result made =
        DbFixture.process(
            argv,
            Map.of(
                "RESTIC_REPOSITORY",
                fx.repo.toString(),
                "RESTIC_PASSWORD",
                DbFixture.RESTIC_PASSWORD));
    assertEquals(0, made.exit(), made.output());

    DbFixture.Cli v = fx.cli("verify", "--service", "pg", "--service", "files");

    assertEquals(1, v.exit(), v.all());
    JsonNode run = latestRun();
    assertEquals("verify", run.path("trigger").asText());
    assertEquals("failed", run.path("state").asText());
    assertEquals(
        List.of("verify dump pg: failed", "verify volumes files: ok"),
        steps(run).stream().sorted().toList());
    String message = step(run, "verify dump pg").path("message").asText();
    assertTrue(message.contains("does not load"), message);
    assertTrue(message.contains("syntax error"), message);
    assertTrue(run.path("error").asText().contains("verify dump pg failed"), run.toString());

    assertEquals(before, state(), "a real container was restarted or replaced");
    assertEquals("3", fx.psql(pg, "appuser", "app", "SELECT count(*) FROM items"));
    assertEquals(List.of(), scratchContainers(run.path("id").asText()));
  }

  @Test
  @Order(3)
  void verify_unknownService_isExit2_andNoRun() {
    DbFixture.Cli v = fx.cli("verify", "--service", "nope");

    assertEquals(2, v.exit(), v.all());
    assertTrue(v.err().contains("--service 'nope' is not a backup target"), v.all());
  }

  @Test
  @Order(4)
  void sigtermDuringADumpDrill_removesTheScratchContainer_recordsTheRunFailed() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path jar = Path.of("target", "stack-back.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "run `mvn package` first: " + jar);
    ProcessBuilder pb =
        new ProcessBuilder(java, "-jar", jar.toString(), "verify", "--service", "pgall");
    pb.environment().putAll(fx.env());
    pb.redirectErrorStream(true).redirectOutput(fx.dir.resolve("sigterm.log").toFile());
    Process p = pb.start();
    String scratch = "";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (scratch.isEmpty() && System.nanoTime() < deadline && p.isAlive()) {
      scratch =
          DbFixture.docker(
              "ps",
              "-q",
              "--filter",
              "label=stack-back.scratch",
              "--filter",
              "label=stack-back.worker.host=" + fx.project);
      Thread.sleep(100);
    }
    assertFalse(scratch.isEmpty(), "no scratch container appeared: " + log());

    // the drill holds the run lock: a backup meanwhile is refused, not run alongside
    DbFixture.Cli busy = fx.cli("backup");
    assertEquals(5, busy.exit(), busy.all());
    assertTrue(busy.err().contains("another backup run is in progress"), busy.all());

    p.destroy(); // SIGTERM
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "stack-back did not exit after SIGTERM");

    // the JVM ends with 143 on SIGTERM once the run is closed (as a backup does)
    assertNotEquals(0, p.exitValue(), log());
    assertTrue(log().contains("removed scratch container"), log());
    assertEquals(
        "",
        DbFixture.docker("ps", "-aq", "--filter", "label=stack-back.worker.host=" + fx.project),
        "the scratch container is left behind");
    assertEquals(
        "",
        DbFixture.docker("ps", "-aq", "--filter", "name=stack-back-lock-" + fx.project),
        "the engine-wide run lock is left behind");
    JsonNode run = latestRun();
    assertEquals("verify", run.path("trigger").asText());
    assertEquals("failed", run.path("state").asText());
    assertTrue(run.path("error").asText().contains("interrupted"), run.toString());
    assertEquals(before, state(), "a real container was restarted or replaced");
    assertEquals("", fx.locks());
  }

  @Test
  @Order(5)
  void daemon_runsDrillsOnVerifySchedule_theBadDumpIsReported() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path jar = Path.of("target", "stack-back.jar").toAbsolutePath();
    ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar.toString(), "daemon");
    pb.environment().putAll(fx.env());
    pb.environment().put("CRON_SCHEDULE", "0 0 1 1 *");
    pb.environment().put("VERIFY_SCHEDULE", "*/5 * * * * *");
    pb.redirectErrorStream(true).redirectOutput(fx.dir.resolve("daemon.log").toFile());
    String lastBefore = latestRun().path("id").asText();
    Process p = pb.start();
    try {
      JsonNode run = null;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (System.nanoTime() < deadline && p.isAlive()) {
        JsonNode r = latestRun();
        if (!r.path("id").asText().equals(lastBefore)
            && !r.path("state").asText().equals("running")) {
          run = r;
          break;
        }
        Thread.sleep(500);
      }
      String log = Files.readString(fx.dir.resolve("daemon.log"));
      assertTrue(run != null, "no scheduled drill ended: " + log);
      assertEquals("verify", run.path("trigger").asText(), run.toString());
      // the dump of pg that is not SQL (made above) is still its latest: the drill reports it
      assertEquals("failed", run.path("state").asText(), run.toString());
      assertEquals(
          List.of(
              "verify volumes files: ok",
              "verify dump maria: ok",
              "verify dump pg: failed",
              "verify dump pgall: ok"),
          steps(run));
      assertTrue(log.contains("restore drills (verify) on '*/5 * * * * *'"), log);
      assertTrue(log.contains("next restore drill at"), log);
    } finally {
      p.destroy();
      assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the daemon did not exit after SIGTERM");
    }
    assertEquals(
        "",
        DbFixture.docker("ps", "-aq", "--filter", "label=stack-back.worker.host=" + fx.project),
        "a scratch container is left behind");
    assertEquals(
        "",
        DbFixture.docker("ps", "-aq", "--filter", "name=stack-back-lock-" + fx.project),
        "the engine-wide run lock is left behind");
    assertEquals(before, state(), "a real container was restarted or replaced");
  }

  static String log() throws IOException {
    return Files.readString(fx.dir.resolve("sigterm.log"));
  }

  static List<String> scratchContainers(String runId) {
    String names =
        DbFixture.docker(
            "ps",
            "-a",
            "--filter",
            "name=stack-back-verify-" + runId.toLowerCase(),
            "--format",
            "{{.Names}}");
    return names.isEmpty() ? List.of() : List.of(names.split("\n"));
  }

  static JsonNode snapshotOf(String path) throws IOException {
    JsonNode found = null;
    for (JsonNode s : JSON.readTree(fx.snapshotsJson())) {
      if (texts(s.path("paths")).contains(path)) {
        found = s;
      }
    }
    assertTrue(found != null, "no snapshot of " + path);
    return found;
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static JsonNode latestRun() {
    return RunRecords.of(fx.dir.resolve("state")).getLast();
  }

  static List<String> steps(JsonNode run) {
    List<String> out = new ArrayList<>();
    run.path("steps")
        .forEach(s -> out.add(s.path("name").asText() + ": " + s.path("outcome").asText()));
    return out;
  }

  static JsonNode step(JsonNode run, String name) {
    for (JsonNode s : run.path("steps")) {
      if (s.path("name").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no step " + name + " in " + run);
  }
}
