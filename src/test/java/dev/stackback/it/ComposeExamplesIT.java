package dev.stackback.it;

import static dev.stackback.it.SidecarProject.exec;
import static dev.stackback.it.SidecarProject.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.it.SidecarProject.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped compose examples, brought up with {@code docker-compose} from local images, each
 * backed up by its own sidecar container ({@code docker exec <backup> stack-back backup}: the
 * sidecar finds its own container and stack), and the snapshots checked with restic inside it.
 */
class ComposeExamplesIT {
  static final Path EXAMPLES = Path.of("compose-examples");

  /** Without this image the example runs with db replaced (see below). */
  static final String POSTGRES_TEST_IMAGE =
      System.getProperty("stackback.postgres.image", "stack-back-test/postgres:15");

  static Map<String, String> env(String... more) {
    Map<String, String> env = new HashMap<>();
    env.put("STACK_BACK_IMAGE", SidecarProject.IMAGE);
    env.put("APP_IMAGE", SidecarProject.BUSYBOX);
    for (int i = 0; i < more.length; i += 2) {
      env.put(more[i], more[i + 1]);
    }
    return env;
  }

  static Result backup(String sidecar) {
    Result r = exec(sidecar, "stack-back", "backup");
    assertEquals(0, r.exit(), r.toString());
    return r;
  }

  static JsonNode only(JsonNode snapshots, String service) {
    List<JsonNode> found = new ArrayList<>();
    snapshots.forEach(
        s -> {
          if (s.path("tags").toString().contains("\"service=" + service + "\"")) {
            found.add(s);
          }
        });
    assertEquals(1, found.size(), "one snapshot of " + service + " in " + snapshots);
    return found.get(0);
  }

  static void assertSnapshot(JsonNode snap, String project, String service, String path) {
    assertEquals(List.of(path), strings(snap.path("paths")), snap.toString());
    assertEquals(project, snap.path("hostname").asText(), snap.toString());
    List<String> tags = strings(snap.path("tags"));
    // SPEC 3's tags, then the run that made it (restore --run)
    assertEquals(
        List.of("stack-back", "project=" + project, "service=" + service),
        tags.subList(0, Math.min(3, tags.size())),
        snap.toString());
    assertEquals(4, tags.size(), snap.toString());
    assertTrue(tags.get(3).matches("run=\\d{8}T\\d{6}Z-[0-9a-f]{4}"), "a run tag: " + snap);
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Waits until the sidecar's daemon has done its start-up recovery (it holds the run lock). */
  static void awaitDaemon(String sidecar) {
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(30),
            () ->
                SidecarProject.docker(Duration.ofSeconds(10), "logs", sidecar)
                    .err()
                    .contains("next backup at")),
        "the daemon in " + sidecar + " did not start");
  }

  static List<String> stepNames(JsonNode record) {
    List<String> names = new ArrayList<>();
    record.path("steps").forEach(s -> names.add(s.path("name").asText()));
    return names;
  }

  @Test
  void hooksOrdered_appStoppedAroundItsSnapshot_thenTheDatabaseDump_hooksInOrder()
      throws IOException {
    boolean postgres =
        SidecarProject.docker(Duration.ofSeconds(30), "image", "inspect", POSTGRES_TEST_IMAGE)
                .exit()
            == 0;
    Path dir = Files.createTempDirectory("sbexho");
    try (SidecarProject p = new SidecarProject("sbexho")) {
      List<Path> files =
          new ArrayList<>(List.of(EXAMPLES.resolve("hooks-ordered/docker-compose.yml")));
      if (!postgres) {
        // no Postgres test image: db becomes an idle hook-only service (no dump label)
        Path override = dir.resolve("no-postgres.yml");
        Files.writeString(
            override,
            """
            version: "3.7"
            services:
              db:
                image: %s
                command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
                labels:
                  stack-back.postgres: "false"
                  stack-back.hooks.pre.1.cmd: "true"
            """
                .formatted(SidecarProject.BUSYBOX));
        files.add(override);
      }
      p.composeUp(env("POSTGRES_IMAGE", POSTGRES_TEST_IMAGE), files.toArray(Path[]::new));
      String sidecar = p.service("backup");
      String app = p.service("app");
      String db = p.service("db");
      awaitDaemon(sidecar);
      if (postgres) {
        assertTrue(
            SidecarProject.poll(
                Duration.ofSeconds(60),
                () -> exec(db, "pg_isready", "-U", "app", "-d", "app").exit() == 0),
            "postgres did not get ready");
      }
      String appStarted = SidecarProject.inspect(app, "{{.State.StartedAt}}");

      Result r = backup(sidecar);

      JsonNode snaps = SidecarProject.snapshots(sidecar);
      JsonNode appSnap = only(snaps, "app");
      assertSnapshot(appSnap, p.name, "app", "/volumes/app/data");
      // the pre hook's maintenance flag was there while the volume was read, gone afterwards
      String ls = ok(exec(sidecar, "restic", "ls", appSnap.path("id").asText())).out();
      assertTrue(ls.contains("/volumes/app/data/MAINTENANCE"), ls);
      assertTrue(ls.contains("/volumes/app/data/app.log"), ls);
      assertNotEquals(0, exec(app, "test", "-e", "/data/MAINTENANCE").exit(), "post hook ran");
      assertNotEquals(appStarted, SidecarProject.inspect(app, "{{.State.StartedAt}}"));
      assertEquals("true", SidecarProject.inspect(app, "{{.State.Running}}"));

      List<JsonNode> records = SidecarProject.runRecords(sidecar);
      assertEquals(1, records.size(), records.toString());
      List<String> expected =
          new ArrayList<>(
              List.of(
                  "check repository",
                  "pre backup#1",
                  "pre app#1",
                  "pre app#2",
                  "pre db#1",
                  "stop app",
                  "snapshot app",
                  "start app"));
      if (postgres) {
        expected.add("dump db");
      }
      expected.addAll(List.of("post app#1", "finally backup#1", "forget + prune", "check"));
      assertEquals(expected, stepNames(records.get(0)), r.out());

      if (postgres) {
        JsonNode dbSnap = only(snaps, "db");
        assertSnapshot(dbSnap, p.name, "db", "/databases/db/app.sql");
        String dump =
            ok(exec(sidecar, "restic", "dump", dbSnap.path("id").asText(), "/databases/db/app.sql"))
                .out();
        assertTrue(dump.contains("PostgreSQL database dump complete"), dump);
        assertTrue(
            Instant.parse(appSnap.path("time").asText())
                .isBefore(Instant.parse(dbSnap.path("time").asText())),
            "ordered: app before db");
      } else {
        assertEquals(1, snaps.size(), snaps.toString());
      }
    } finally {
      DockerFixture.deleteTree(dir); // after close(): compose down needs the override file
    }
  }

  @Test
  void sqliteStop_theAppIsStoppedWhileItsDataFileIsRead() {
    try (SidecarProject p = new SidecarProject("sbexsq")) {
      p.composeUp(env(), EXAMPLES.resolve("sqlite-stop/docker-compose.yml"));
      String sidecar = p.service("backup");
      String notes = p.service("notes");
      awaitDaemon(sidecar);
      Instant startedBefore = Instant.parse(SidecarProject.inspect(notes, "{{.State.StartedAt}}"));

      backup(sidecar);

      Instant startedAfter = Instant.parse(SidecarProject.inspect(notes, "{{.State.StartedAt}}"));
      assertTrue(startedAfter.isAfter(startedBefore), "notes was stopped and started again");
      JsonNode snap = only(SidecarProject.snapshots(sidecar), "notes");
      assertSnapshot(snap, p.name, "notes", "/volumes/notes/var/lib/notes");
      String inSnapshot =
          ok(exec(
                  sidecar,
                  "restic",
                  "dump",
                  snap.path("id").asText(),
                  "/volumes/notes/var/lib/notes/notes.db"))
              .out();
      // the app writes a line a second: in the live file, the line after the snapshot's content
      // was written after the restart, so nothing was written while the file was being read
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(10),
              () ->
                  ok(exec(notes, "cat", "/var/lib/notes/notes.db")).out().length()
                      > inSnapshot.length()),
          "notes writes again");
      String live = ok(exec(notes, "cat", "/var/lib/notes/notes.db")).out();
      assertTrue(live.startsWith(inSnapshot), "the snapshot holds the file as it was when stopped");
      String next = live.substring(inSnapshot.length()).lines().findFirst().orElseThrow();
      Instant nextWritten = busyboxDate(next);
      assertFalse(
          nextWritten.isBefore(startedAfter.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)),
          "line after the snapshot ('" + next + "') predates the restart at " + startedAfter);
      List<String> lines = inSnapshot.lines().toList();
      Instant lastInSnapshot = busyboxDate(lines.get(lines.size() - 1));
      JsonNode stop =
          SidecarProject.runRecords(sidecar).get(0).path("steps").get(1); // after the repo check
      assertEquals("stop notes", stop.path("name").asText());
      assertFalse(
          lastInSnapshot.isAfter(Instant.parse(stop.path("startedAt").asText()).plusSeconds(1)),
          "snapshot's last line is from before the stop");
    }
  }

  /** {@code date} of busybox: {@code Sun Nov 22 11:32:50 UTC 2026} (day space-padded). */
  static Instant busyboxDate(String line) {
    String[] f = line.trim().split("\\s+");
    return LocalDateTime.parse(
            f[1] + " " + f[2] + " " + f[3] + " " + f[5],
            DateTimeFormatter.ofPattern("MMM d HH:mm:ss yyyy", Locale.ENGLISH))
        .toInstant(ZoneOffset.UTC);
  }

  @Test
  void demo_orderedSnapshots_excludedCacheVolume_knownFileRestored() {
    try (SidecarProject p = new SidecarProject("sbexdm")) {
      Path repo;
      try {
        repo = Files.createTempDirectory("sbexdm-repo");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      try {
        p.composeUp(
            env("DEMO_REPO", repo.toString(), "RESTIC_PASSWORD", SidecarProject.PASSWORD),
            EXAMPLES.resolve("demo/docker-compose.yml"));
        String sidecar = p.service("backup");

        Result r = backup(sidecar);

        JsonNode snaps = SidecarProject.snapshots(sidecar);
        assertEquals(2, snaps.size(), snaps.toString()); // app (data only) and worker
        JsonNode app = only(snaps, "app");
        assertSnapshot(app, p.name, "app", "/volumes/app/data");
        JsonNode worker = only(snaps, "worker");
        assertSnapshot(worker, p.name, "worker", "/volumes/worker/srv/files");
        assertTrue(
            Instant.parse(app.path("time").asText())
                .isBefore(Instant.parse(worker.path("time").asText())),
            "stack-back.order: app before worker");
        Result hello =
            ok(
                exec(
                    sidecar,
                    "restic",
                    "dump",
                    worker.path("id").asText(),
                    "/volumes/worker/srv/files/hello.txt"));
        assertEquals("hello\n", hello.out());
        String ls = ok(exec(sidecar, "restic", "ls", app.path("id").asText())).out();
        assertTrue(ls.contains("/volumes/app/data/MAINTENANCE"), ls);
        assertTrue(ls.contains("/volumes/app/data/visits.log"), ls);
        assertTrue(r.err().contains("stack-back finally hook: done"), r.err());
      } finally {
        DockerFixture.deleteTree(repo);
      }
    }
  }

  /**
   * (b) PostgreSQL (no POSTGRES_DB: pg_dumpall) and MariaDB dumps with *_FILE secrets, from the
   * local test images; the dumps are streamed into restic and the secrets appear nowhere.
   */
  @Test
  void databases_bothDumpedFromFileSecrets_secretsNeverShown() throws IOException {
    String pgSecret = Files.readString(EXAMPLES.resolve("databases/secrets/pg_password")).trim();
    String mariaSecret =
        Files.readString(EXAMPLES.resolve("databases/secrets/mariadb_root_password")).trim();
    try (SidecarProject p = new SidecarProject("sbexdb")) {
      p.composeUp(
          env(
              "POSTGRES_IMAGE",
              POSTGRES_TEST_IMAGE,
              "MARIADB_IMAGE",
              System.getProperty("stackback.mariadb.image", "stack-back-test/mariadb:10.11")),
          EXAMPLES.resolve("databases/docker-compose.yml"));
      String sidecar = p.service("backup");
      awaitDaemon(sidecar);
      // both databases answer the ping that status runs inside their containers
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(90),
              () -> {
                Result st = exec(sidecar, "stack-back", "status", "--json");
                if (st.exit() != 0) {
                  return false;
                }
                JsonNode targets = SidecarProject.json(st.out()).path("targets");
                int answering = 0;
                for (JsonNode t : targets) {
                  if (t.path("database").path("answers").asBoolean(false)) {
                    answering++;
                  }
                }
                return answering == 2;
              }),
          "postgres and mariadb did not both answer");

      Result r = backup(sidecar);

      JsonNode snaps = SidecarProject.snapshots(sidecar);
      assertEquals(2, snaps.size(), snaps.toString());
      JsonNode pg = only(snaps, "postgres");
      assertSnapshot(pg, p.name, "postgres", "/databases/postgres/all_databases.sql");
      JsonNode maria = only(snaps, "mariadb");
      assertSnapshot(maria, p.name, "mariadb", "/databases/mariadb/all_databases.sql");
      String pgDump =
          ok(exec(
                  sidecar,
                  "restic",
                  "dump",
                  pg.path("id").asText(),
                  "/databases/postgres/all_databases.sql"))
              .out();
      assertTrue(pgDump.contains("PostgreSQL database cluster dump"), pgDump);
      String mariaDump =
          ok(exec(
                  sidecar,
                  "restic",
                  "dump",
                  maria.path("id").asText(),
                  "/databases/mariadb/all_databases.sql"))
              .out();
      assertTrue(mariaDump.contains("CREATE DATABASE") && mariaDump.contains("`shop`"), mariaDump);
      String everything =
          r.out()
              + r.err()
              + SidecarProject.runRecords(sidecar)
              + exec(sidecar, "stack-back", "status").out();
      assertFalse(everything.contains(pgSecret), "the Postgres secret leaked");
      assertFalse(everything.contains(mariaSecret), "the MariaDB secret leaked");
    }
  }

  /**
   * (d) Through a socket proxy: no tecnativa image offline, so a small proxy with the same switches
   * ({@link SocketProxyMain}) is built into an image {@code FROM stack-back:local} for this test.
   */
  @Test
  void socketProxy_backupWorksThroughTheProxy_whichRefusesOtherSections() throws IOException {
    Path ctx = Files.createTempDirectory("sbexsp");
    String proxyImage =
        "sbit-socket-proxy:" + ctx.getFileName().toString().toLowerCase(Locale.ROOT);
    try (SidecarProject p = new SidecarProject("sbexsp")) {
      Path classes = Path.of("target/test-classes/dev/stackback/it");
      Path into = Files.createDirectories(ctx.resolve("proxy/dev/stackback/it"));
      try (var list = Files.list(classes)) {
        for (Path c :
            list.filter(f -> f.getFileName().toString().startsWith("SocketProxyMain")).toList()) {
          Files.copy(c, into.resolve(c.getFileName()));
        }
      }
      Files.writeString(
          ctx.resolve("Dockerfile"),
          """
          FROM %s
          COPY proxy /proxy
          CMD ["/opt/stack-back/jre/bin/java", "-XX:TieredStopAtLevel=1", "-cp", "/proxy", \
               "dev.stackback.it.SocketProxyMain"]
          """
              .formatted(SidecarProject.IMAGE));
      ok(
          SidecarProject.command(
              Duration.ofMinutes(2),
              List.of("docker", "build", "-q", "-t", proxyImage, ctx.toString()),
              Map.of("DOCKER_BUILDKIT", "0")));

      p.composeUp(
          env("SOCKET_PROXY_IMAGE", proxyImage),
          EXAMPLES.resolve("socket-proxy/docker-compose.yml"));
      String sidecar = p.service("backup");
      String proxy = p.service("docker-proxy");
      assertEquals(
          "DOCKER_HOST=tcp://docker-proxy:2375",
          ok(exec(sidecar, "sh", "-c", "env | grep ^DOCKER_HOST=")).out().trim());
      awaitDaemon(sidecar);

      backup(sidecar);

      JsonNode snap = only(SidecarProject.snapshots(sidecar), "app");
      assertSnapshot(snap, p.name, "app", "/volumes/app/data");
      assertEquals(
          "hello\n",
          ok(exec(
                  sidecar,
                  "restic",
                  "dump",
                  snap.path("id").asText(),
                  "/volumes/app/data/hello.txt"))
              .out());
      String proxyLog = SidecarProject.docker(Duration.ofSeconds(10), "logs", proxy).err();
      // paths carry the negotiated API version (/v1.41/ on 20.10, /v1.44/ on 28), asked first
      assertTrue(proxyLog.contains("ok  GET /version"), proxyLog);
      assertTrue(
          Pattern.compile("ok  POST /v1\\.4[14]/containers/create").matcher(proxyLog).find(),
          proxyLog); // the worker
      assertTrue(
          Pattern.compile("ok  DELETE /v1\\.4[14]/containers/").matcher(proxyLog).find(), proxyLog);
      assertFalse(proxyLog.contains("403 "), "stack-back needed a refused section:\n" + proxyLog);

      // the proxy refuses what the example leaves off, and serves what it allows
      for (String refused : List.of("/volumes", "/v1.41/images/json", "/info", "/networks")) {
        Result r = exec(sidecar, "wget", "-q", "-O", "-", "http://docker-proxy:2375" + refused);
        assertNotEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("403"), r.toString());
      }
      ok(
          exec(
              sidecar,
              "wget",
              "-q",
              "-O",
              "/dev/null",
              "http://docker-proxy:2375/v1.41/containers/json"));
    } finally {
      SidecarProject.docker(Duration.ofSeconds(60), "rmi", proxyImage);
      DockerFixture.deleteTree(ctx);
    }
  }
}
