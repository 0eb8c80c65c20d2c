package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real backup of a small labelled project: hooks observably run in the right containers in the
 * right order, a stop-during-backup container is really down during its own snapshot and running
 * again afterwards, and the snapshots restic holds restore byte for byte.
 */
class BackupIT {
  static final String PASSWORD = "pw-" + UUID.randomUUID();

  static DockerFixture fx;
  static String project;
  static Path repo;
  static Path journal;
  static String backup;
  static String web;
  static String app;
  static String cache;
  static Map<String, String> env;

  @BeforeAll
  static void setUp() {
    TestEngine.checkExpected();
    fx = DockerFixture.create("backup");
    project = fx.project("p");
    repo = fx.hostDir("repo");
    Path shared = fx.hostDir("shared");
    journal = shared.resolve("journal");
    String sh = shared + ":/shared";
    // hooks say what ran, in which container ($WHO), by appending to one journal
    backup =
        fx.container(project, "backup")
            .mount(repo.toString(), repo.toString())
            .labels(
                Map.of(
                    "stack-back.ordered", "true",
                    "stack-back.order.1", "web",
                    "stack-back.order.2", "app",
                    "stack-back.hooks.pre.1.cmd", append("pre:backup:1@${WHO:-host}", journal),
                    "stack-back.hooks.pre.2.cmd", append("pre:backup:2@$WHO", "/shared/journal"),
                    "stack-back.hooks.pre.2.context", "cache",
                    "stack-back.hooks.post.1.cmd", append("post:backup:1@${WHO:-host}", journal),
                    "stack-back.hooks.error.1.cmd", append("error:backup:1@${WHO:-host}", journal),
                    "stack-back.hooks.finally.1.cmd",
                        append("finally:backup:1@${WHO:-host}", journal)))
            .start();
    web =
        fx.container(project, "web")
            .mount(fx.volume("web-files"), "/srv/files")
            .mount(shared.toString(), "/shared")
            .env("WHO", "web")
            .labels(
                Map.of(
                    "stack-back.volumes", "true",
                    "stack-back.hooks.pre.1.cmd", shared("pre:web:1"),
                    "stack-back.hooks.pre.2.cmd", shared("pre:web:2"),
                    "stack-back.hooks.pre.2.context", "app",
                    "stack-back.hooks.post.1.cmd", shared("post:web:1"),
                    "stack-back.hooks.finally.1.cmd", shared("finally:web:1")))
            .start();
    app =
        fx.container(project, "app")
            .mount(fx.volume("app-data"), "/data")
            .mount(shared.toString(), "/shared")
            .env("WHO", "app")
            .labels(
                Map.of(
                    "stack-back.volumes", "true",
                    "stack-back.volumes.stop-during-backup", "true",
                    "stack-back.hooks.pre.1.cmd", shared("pre:app:1"),
                    "stack-back.hooks.post.1.cmd", shared("post:app:1"),
                    "stack-back.hooks.error.1.cmd", shared("error:app:1"),
                    "stack-back.hooks.finally.1.cmd", shared("finally:app:1")))
            // its own volume says whether it was up: a snapshot taken while it is stopped
            // holds "stopped", one taken while it runs holds "running"
            .script(
                "trap 'echo stopped > /data/state; echo term:app >> /shared/journal; exit 0' TERM;"
                    + " echo running > /data/state; sleep 3600 & wait")
            .start();
    cache =
        fx.container(project, "cache")
            .mount(shared.toString(), "/shared")
            .env("WHO", "cache")
            .labels(
                Map.of(
                    "stack-back.hooks.pre.1.cmd", shared("pre:cache:1"),
                    "stack-back.hooks.post.1.cmd", shared("post:cache:1")))
            .start();
    fx.exec(
        app,
        "mkdir -p /data/sub/deeper && echo hello > /data/a.txt"
            + " && head -c 5242880 /dev/urandom > /data/sub/big.bin"
            + " && printf 'x\\ny\\n' > '/data/sub/deeper/with space.txt' && : > /data/empty");
    fx.exec(web, "echo 'web file' > /srv/files/hello.txt");
    env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", repo.toString());
    env.put("RESTIC_PASSWORD", PASSWORD);
    env.put("STATE_DIR", fx.dir.resolve("state").toString());
    env.put("STACK_BACK_CONTAINER", backup);
    env.put("STOP_TIMEOUT", "5s");
    env.put("HOOK_TIMEOUT", "30s");
    env.put("EXCLUDE_BIND_MOUNTS", "true"); // the shared journal is not backed up
  }

  static String append(String entry, Object file) {
    return "echo " + entry + " >> " + file;
  }

  static String shared(String entry) {
    return append(entry + "@$WHO", "/shared/journal");
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void backup_runsHooksInOrder_stopsOnlyAroundOwnSnapshot_snapshotsRestoreByteForByte()
      throws Exception {
    DockerFixture.State appBefore = fx.state(app);
    DockerFixture.State webBefore = fx.state(web);
    Files.deleteIfExists(journal);

    Cli.Result r = Cli.run(env, "backup");

    assertEquals(0, r.exit(), r::toString);
    assertEquals(
        List.of(
            "pre:backup:1@host",
            "pre:backup:2@cache",
            "pre:web:1@web",
            "pre:web:2@app",
            "pre:app:1@app",
            "pre:cache:1@cache",
            "term:app",
            "post:web:1@web",
            "post:app:1@app",
            "post:cache:1@cache",
            "post:backup:1@host",
            "finally:web:1@web",
            "finally:app:1@app",
            "finally:backup:1@host"),
        Files.readAllLines(journal),
        r::toString);

    // the same app container runs again (restarted: a new start time); web was never stopped
    DockerFixture.State appAfter = fx.state(app);
    assertEquals(appBefore.id(), appAfter.id());
    assertTrue(appAfter.running());
    assertNotEquals(appBefore.startedAt(), appAfter.startedAt());
    assertEquals(webBefore, fx.state(web));
    assertTrue(fx.state(cache).running() && fx.state(backup).running());
    assertEquals("running", fx.exec(app, "cat /data/state"));

    HostRestic restic = new HostRestic(repo, PASSWORD);
    JsonNode snaps = restic.snapshots();
    assertEquals(2, snaps.size(), snaps::toString);
    Map<String, JsonNode> byService = new TreeMap<>();
    List<JsonNode> runs = Cli.records(fx.dir.resolve("state"));
    String runTag = "run=" + runs.get(runs.size() - 1).get("id").asText();
    for (JsonNode s : snaps) {
      assertEquals(project, s.get("hostname").asText());
      List<String> tags = StatusIT.strings(s.get("tags"));
      String service = tags.get(2).replace("service=", "");
      // SPEC 3's tags, then the run's: every snapshot of a run is one restore point
      assertEquals(List.of("stack-back", "project=" + project, "service=" + service, runTag), tags);
      byService.put(service, s);
    }
    assertEquals(List.of("app", "web"), List.copyOf(byService.keySet()));
    assertEquals(List.of("/volumes/app/data"), StatusIT.strings(byService.get("app").get("paths")));
    assertEquals(
        List.of("/volumes/web/srv/files"), StatusIT.strings(byService.get("web").get("paths")));

    Path restored = fx.hostDir("restored");
    restic.restore(byService.get("app").get("id").asText(), restored.resolve("app"));
    restic.restore(byService.get("web").get("id").asText(), restored.resolve("web"));
    Path snapApp = restored.resolve("app/volumes/app/data");
    // taken while the container was down: it had written "stopped" on SIGTERM
    assertEquals("stopped\n", Files.readString(snapApp.resolve("state")));
    Path live = fx.copyOut(app, "/data", fx.hostDir("live").resolve("data"));
    Files.delete(snapApp.resolve("state"));
    Files.delete(live.resolve("state"));
    assertSameTree(live, snapApp);
    assertEquals(5 * 1024 * 1024, Files.size(snapApp.resolve("sub/big.bin")));
    assertEquals(
        "web file\n", Files.readString(restored.resolve("web/volumes/web/srv/files/hello.txt")));

    List<JsonNode> records = Cli.records(fx.dir.resolve("state"));
    assertEquals(1, records.size());
    JsonNode rec = records.get(0);
    assertEquals("succeeded", rec.get("state").asText());
    assertEquals(0, rec.get("exitCode").asInt());
    assertEquals(0, rec.get("stopped").size());
    assertEquals(
        List.of(
            "check repository=ok",
            "pre backup#1=ok",
            "pre backup#2=ok",
            "pre web#1=ok",
            "pre web#2=ok",
            "pre app#1=ok",
            "pre cache#1=ok",
            "snapshot web=ok",
            "stop app=ok",
            "snapshot app=ok",
            "start app=ok",
            "post web#1=ok",
            "post app#1=ok",
            "post cache#1=ok",
            "post backup#1=ok",
            "finally web#1=ok",
            "finally app#1=ok",
            "finally backup#1=ok",
            "forget + prune=ok",
            "check=ok"),
        Cli.steps(rec));
    Cli.assertSecretAbsent(PASSWORD, fx.dir.resolve("state"), List.of(r));
  }

  /** Same relative file names, same bytes. */
  static void assertSameTree(Path expected, Path actual) throws IOException {
    List<String> a = files(expected);
    assertEquals(a, files(actual));
    assertTrue(a.size() >= 4, a::toString);
    for (String f : a) {
      assertEquals(
          -1L, Files.mismatch(expected.resolve(f), actual.resolve(f)), "content differs: " + f);
    }
  }

  static List<String> files(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      List<String> out = new ArrayList<>();
      walk.filter(Files::isRegularFile).forEach(p -> out.add(root.relativize(p).toString()));
      out.sort(null);
      return out;
    }
  }
}
