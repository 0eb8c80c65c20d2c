package dev.stackback.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A run is a restore point, with real containers and real restic: a stack of a Postgres database
 * (its dump) and an app with a volume is backed up once; both snapshots carry the run's tag, {@code
 * snapshots} shows them under the run, and after both were changed {@code restore --run <id>
 * --in-place --yes} brings the rows and the volume's bytes back, while {@code restore --run latest
 * --target DIR} writes the run's volume and dump file under DIR.
 */
class RestoreRunIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String FILES =
      "mkdir -p /data/sub && echo hello > /data/a.txt"
          + " && head -c 300000 /dev/urandom > /data/sub/big.bin && : > /data/empty";
  // every file's checksum, path order: the volume's bytes in one string
  static final String SUMS = "cd /data && find . -type f | sort | xargs md5sum";

  static DbFixture fx;
  static String db;
  static String app;
  static String runId;
  static String sums;

  @BeforeAll
  static void setUp() throws IOException {
    fx = new DbFixture("points");
    db = fx.postgresApp("db");
    app = fx.volumeApp("app", "");
    fx.sh(app, FILES);
    sums = fx.sh(app, SUMS);
    fx.awaitPostgres(db);
    fx.psql(
        db,
        "appuser",
        "app",
        "CREATE TABLE items(name text); INSERT INTO items VALUES ('alpha'), ('beta')");

    DbFixture.Cli backup = fx.cli("backup");
    assertEquals(0, backup.exit(), backup.all());
    DbFixture.Cli listed = fx.cli("snapshots", "--json");
    assertEquals(0, listed.exit(), listed.all());
    JsonNode runs = JSON.readTree(listed.out()).path("runs");
    assertEquals(1, runs.size(), listed.out());
    runId = runs.get(0).path("id").asText();
    assertEquals("succeeded", runs.get(0).path("state").asText(), listed.out());
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void everySnapshotOfTheRun_carriesItsTag_afterTheSpecsTags() throws IOException {
    JsonNode snaps = JSON.readTree(fx.snapshotsJson());
    assertEquals(2, snaps.size(), snaps::toString);
    List<String> services = new ArrayList<>();
    for (JsonNode s : snaps) {
      List<String> tags = new ArrayList<>();
      s.path("tags").forEach(t -> tags.add(t.asText()));
      String service = tags.get(2).substring("service=".length());
      services.add(service);
      assertEquals(
          List.of("stack-back", "project=" + fx.project, "service=" + service, "run=" + runId),
          tags);
    }
    assertEquals(List.of("app", "db"), services.stream().sorted().toList());

    DbFixture.Cli text = fx.cli("snapshots");
    assertEquals(0, text.exit(), text.all());
    List<String> lines = text.out().lines().toList();
    int header =
        lines.indexOf(
            lines.stream().filter(l -> l.contains("run " + runId)).findFirst().orElseThrow());
    assertTrue(lines.get(header).endsWith("succeeded"), text.out());
    List<String> under = lines.subList(header + 1, header + 3);
    assertTrue(under.stream().anyMatch(l -> l.contains("/databases/db/app.sql")), text.out());
    assertTrue(under.stream().anyMatch(l -> l.contains("/volumes/app/data")), text.out());
  }

  @Test
  void inPlace_bringsTheRowsAndTheVolumeBack() {
    fx.psql(db, "appuser", "app", "DELETE FROM items; INSERT INTO items VALUES ('after')");
    fx.sh(app, "echo changed > /data/a.txt && rm /data/sub/big.bin && echo new > /data/new.txt");
    assertNotEquals(sums, fx.sh(app, SUMS));

    DbFixture.Cli refused = fx.cli("restore", "--run", runId, "--in-place");
    assertEquals(1, refused.exit(), refused.all());
    assertTrue(refused.err().contains("--yes"), refused.all());
    assertEquals("after", fx.psql(db, "appuser", "app", "SELECT name FROM items"));

    DbFixture.Cli r = fx.cli("restore", "--run", runId, "--in-place", "--yes");

    assertEquals(0, r.exit(), r.all());
    assertEquals(
        "alpha\nbeta", fx.psql(db, "appuser", "app", "SELECT name FROM items ORDER BY name"));
    assertEquals(sums, fx.sh(app, SUMS), "the volume is the snapshot again, byte for byte");
    assertTrue(fx.running(app) && fx.running(db), r.all());
    assertTrue(r.out().contains("restored run " + runId + ": "), r.all());
    assertEquals("", fx.sh(db, "ls /tmp | grep stack-back-restore || true"), "temporary file left");
    assertEquals("", fx.locks(), "no restic lock left");
  }

  @Test
  void latest_target_writesTheRunsVolumeAndDumpUnderTheDirectory() throws IOException {
    Path target = fx.dir.resolve("restored");

    DbFixture.Cli r = fx.cli("restore", "--run", "latest", "--target", target.toString());

    assertEquals(0, r.exit(), r.all());
    assertTrue(r.out().contains("restore of run " + runId), r.all());
    Path data = target.resolve("volumes/app/data");
    assertEquals("hello\n", Files.readString(data.resolve("a.txt")));
    assertEquals(300000, Files.size(data.resolve("sub/big.bin")));
    assertEquals(0, Files.size(data.resolve("empty")));
    String dump = Files.readString(target.resolve("databases/db/app.sql"));
    assertTrue(dump.contains("CREATE TABLE public.items"), dump);
    assertTrue(dump.contains("alpha"), dump);
    assertFalse(Files.exists(target.resolve("volumes/app/data/new.txt")));
  }

  @Test
  void unknownRunOrService_isAClearError_andTouchesNothing() {
    DbFixture.Cli noRun = fx.cli("restore", "--run", "20200101T000000Z-ffff", "--target", "/x");
    assertEquals(1, noRun.exit(), noRun.all());
    assertTrue(noRun.err().contains("no snapshot of run '20200101T000000Z-ffff'"), noRun.all());

    DbFixture.Cli noService =
        fx.cli("restore", "--run", runId, "--service", "nosuch", "--in-place", "--yes");
    assertEquals(1, noService.exit(), noService.all());
    assertTrue(
        noService.err().contains("has no snapshot of service(s) 'nosuch' (it has: "),
        noService.all());
  }
}
