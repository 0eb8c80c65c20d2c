package dev.stackback.database;

import static dev.stackback.database.DbFixture.MARIADB_IMAGE;
import static dev.stackback.database.DbFixture.POSTGRES_IMAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dumps that fail leave no snapshot: a wrong password (read from a *_FILE secret) and a Postgres
 * dump cut off mid-stream. Each case has its own project, so the other's dumps do not count.
 */
class DatabaseFailureIT {
  static final String RIGHT = "right-ROOT-pw-6b1c";
  static final String WRONG = "wrong-ROOT-pw-0d94";
  static final String ERROR_HOOK = "touch /tmp/error-hook-ran";

  static DbFixture fxMaria;
  static DbFixture fxPg;
  static String maria;
  static Path secret;
  static String pg;

  @BeforeAll
  static void setUp() {
    fxMaria = new DbFixture("failmaria");
    secret = fxMaria.file("root-password", RIGHT);
    maria =
        fxMaria.run(
            "maria",
            MARIADB_IMAGE,
            Map.of("stack-back.mariadb", "true", "stack-back.hooks.error.1.cmd", ERROR_HOOK),
            Map.of("MARIADB_ROOT_PASSWORD_FILE", "/run/secrets/root-password"),
            List.of("-v", secret + ":/run/secrets/root-password:ro"));
    fxPg = new DbFixture("failpg");
    pg =
        fxPg.run(
            "pg",
            POSTGRES_IMAGE,
            Map.of("stack-back.postgres", "true", "stack-back.hooks.error.1.cmd", ERROR_HOOK),
            Map.of("POSTGRES_PASSWORD", "pg-password", "POSTGRES_DB", "big"),
            List.of());
    fxPg.awaitPostgres(pg);
    // ~220 MB of dump text, dumped last (name order): it streams for seconds
    fxPg.psql(
        pg,
        "postgres",
        "big",
        "CREATE TABLE items AS SELECT g AS id FROM generate_series(1, 1000) g;"
            + " CREATE TABLE zz_big AS SELECT g AS id, repeat(md5(g::text), 8) AS pad"
            + " FROM generate_series(1, 800000) g");
    fxMaria.awaitMariadb(maria);
  }

  @AfterAll
  static void tearDown() {
    if (fxMaria != null) {
      fxMaria.close();
    }
    if (fxPg != null) {
      fxPg.close();
    }
  }

  @Test
  void wrongPasswordFromSecretFile_failsTheRun_leavesNoSnapshot_runsErrorHooks() throws Exception {
    DbFixture.Cli first = fxMaria.cli("backup");
    assertEquals(0, first.exit(), first.all());
    assertEquals(1, fxMaria.snapshotCount());

    Files.writeString(secret, WRONG); // same inode: the bind-mounted file changes in place
    DbFixture.Cli second = fxMaria.cli("backup");

    assertEquals(1, second.exit(), second.all());
    assertEquals(1, fxMaria.snapshotCount(), "a failed dump left a snapshot");
    assertEquals("", fxMaria.locks());
    assertTrue(second.all().contains("no snapshot was made"), second.all());
    assertTrue(second.all().contains("Access denied"), second.all());
    fxMaria.sh(maria, "test -f /tmp/error-hook-ran");
    assertTrue(fxMaria.running(maria));
    assertTrue(fxMaria.running(fxMaria.self));
    for (String out : List.of(first.all(), second.all())) {
      assertFalse(out.contains(RIGHT), "password in output");
      assertFalse(out.contains(WRONG), "password in output");
    }
    Files.writeString(secret, RIGHT);
  }

  @Test
  void dumpCutOffMidStream_leavesNoSnapshot() throws Exception {
    int before = snapshotCountOrZero();
    CompletableFuture<DbFixture.Cli> run = CompletableFuture.supplyAsync(() -> fxPg.cli("backup"));
    boolean cut = false;
    while (!run.isDone() && !cut) {
      // the server ends the dump's connection while it streams the big table
      cut =
          fxPg.psql(
                  pg,
                  "postgres",
                  "postgres",
                  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                      + " WHERE query LIKE 'COPY public.zz_big%' AND pid <> pg_backend_pid()")
              .equals("1");
      DbFixture.sleep(50);
    }
    DbFixture.Cli r = run.get(5, TimeUnit.MINUTES);
    assertTrue(cut, "the dump ended before it could be cut: " + r.all());
    assertEquals(1, r.exit(), r.all());
    assertTrue(r.all().contains("no snapshot was made"), r.all());
    assertEquals(before, fxPg.snapshotCount(), "a cut-off dump left a snapshot");
    assertEquals("", fxPg.locks());
    fxPg.sh(pg, "test -f /tmp/error-hook-ran");
    assertTrue(fxPg.running(pg));
  }

  @Test
  void status_saysWhenADatabaseDoesNotAnswer() throws Exception {
    // its own project: a "database" without a server, so the other cases' runs are unaffected
    try (DbFixture fx = new DbFixture("noanswer")) {
      fx.run(
          "db",
          DbFixture.BUSYBOX_IMAGE,
          Map.of("stack-back.postgres", "true"),
          Map.of("POSTGRES_PASSWORD", "x"),
          List.of(),
          "sh",
          "-c",
          "trap 'exit 0' TERM; sleep 3600 & wait");
      DbFixture.Cli status = fx.cli("status", "--json");
      assertEquals(0, status.exit(), status.all());
      JsonNode d =
          new ObjectMapper().readTree(status.out()).path("targets").get(0).path("database");
      assertFalse(d.path("answers").asBoolean(true), d.toString());
      assertTrue(d.path("answer").asText().contains("pg_isready"), d.toString());
      DbFixture.Cli text = fx.cli("status");
      assertTrue(text.out().contains("DOES NOT ANSWER"), text.out());
    }
  }

  private static int snapshotCountOrZero() {
    return Files.exists(fxPg.repo.resolve("config")) ? fxPg.snapshotCount() : 0;
  }
}
