package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code restore --service app --in-place --yes} with real containers and real restic: the app's
 * volume is back to the snapshot byte for byte, the same container runs again, only the app's own
 * hooks ran, around its stop, and the restore is a recorded run.
 */
class RestoreInPlaceIT {
  static final String PASSWORD = "pw-" + UUID.randomUUID();

  static DockerFixture fx;
  static Path journal;
  static String app;
  static Map<String, String> env;

  @BeforeAll
  static void setUp() {
    fx = DockerFixture.create("restore");
    String project = fx.project("p");
    Path repo = fx.hostDir("repo");
    Path shared = fx.hostDir("shared");
    journal = shared.resolve("journal");
    String backup =
        fx.container(project, "backup")
            .mount(repo.toString(), repo.toString())
            .labels(
                Map.of(
                    "stack-back.hooks.pre.1.cmd", "echo pre:backup >> " + journal,
                    "stack-back.hooks.finally.1.cmd", "echo finally:backup >> " + journal))
            .start();
    app =
        fx.container(project, "app")
            .mount(fx.volume("app-data"), "/data")
            .mount(shared.toString(), "/shared")
            .labels(
                Map.of(
                    "stack-back.volumes", "true",
                    "stack-back.hooks.pre.1.cmd", hook("pre:app:1"),
                    "stack-back.hooks.pre.2.cmd", hook("pre:app:2"),
                    "stack-back.hooks.post.1.cmd", hook("post:app:1"),
                    "stack-back.hooks.error.1.cmd", hook("error:app:1"),
                    "stack-back.hooks.finally.1.cmd", hook("finally:app:1")))
            .script(
                "trap 'echo term:app >> /shared/journal; exit 0' TERM;"
                    + " echo start:app >> /shared/journal; sleep 3600 & wait")
            .start();
    fx.container(project, "other")
        .mount(shared.toString(), "/shared")
        .labels(Map.of("stack-back.hooks.pre.1.cmd", hook("pre:other:1")))
        .start();
    env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", repo.toString());
    env.put("RESTIC_PASSWORD", PASSWORD);
    env.put("STATE_DIR", fx.dir.resolve("state").toString());
    env.put("STACK_BACK_CONTAINER", backup);
    env.put("STOP_TIMEOUT", "5s");
    env.put("HOOK_TIMEOUT", "30s");
    env.put("EXCLUDE_BIND_MOUNTS", "true");
  }

  static String hook(String entry) {
    return "echo " + entry + " >> /shared/journal";
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void inPlace_volumeBackToTheSnapshot_sameContainerRunsAgain_ownHooksAroundTheStop()
      throws Exception {
    fx.exec(
        app,
        "mkdir -p /data/sub/deeper && echo hello > /data/a.txt"
            + " && head -c 1048576 /dev/urandom > /data/sub/big.bin"
            + " && printf 'x\\ny\\n' > '/data/sub/deeper/with space.txt' && : > /data/empty");
    Cli.Result backup = Cli.run(env, "backup");
    assertEquals(0, backup.exit(), backup::toString);
    Path expected = fx.copyOut(app, "/data", fx.hostDir("expected").resolve("data"));

    // damage: a changed (longer) file, a deleted file, a deleted directory, a new file
    fx.exec(
        app,
        "echo 'changed and longer than before' > /data/a.txt && rm /data/sub/big.bin"
            + " && rm -r /data/sub/deeper && echo new > /data/extra.txt");

    Cli.Result refused = Cli.run(env, "restore", "--service", "app", "--in-place");
    assertEquals(1, refused.exit(), refused::toString);
    assertTrue(refused.err().contains("overwrites volume " + fx.run), refused::toString);
    assertTrue(refused.err().contains("--yes"), refused::toString);
    assertEquals("changed and longer than before", fx.exec(app, "cat /data/a.txt"));

    DockerFixture.State before = fx.state(app);
    Files.deleteIfExists(journal);
    Cli.Result r = Cli.run(env, "restore", "--service", "app", "--in-place", "--yes");

    assertEquals(0, r.exit(), r::toString);
    assertEquals(
        List.of("pre:app:1", "pre:app:2", "term:app", "start:app", "post:app:1", "finally:app:1"),
        Files.readAllLines(journal),
        r::toString);
    DockerFixture.State after = fx.state(app);
    assertEquals(before.id(), after.id());
    assertTrue(after.running());
    assertNotEquals(before.startedAt(), after.startedAt());

    Path restored = fx.copyOut(app, "/data", fx.hostDir("restored").resolve("data"));
    // restic >= 0.17 (the tests run the image's 0.19.1) restores with --delete: the file made
    // after the snapshot is gone, the volume is the snapshot again
    assertTrue(r.out().contains("are deleted (restic restore --delete)"), r::toString);
    assertFalse(Files.exists(restored.resolve("extra.txt")), "extra.txt survived --delete");
    BackupIT.assertSameTree(expected, restored);

    List<JsonNode> records = Cli.records(fx.dir.resolve("state"));
    JsonNode rec = records.get(records.size() - 1);
    assertEquals("restore", rec.get("trigger").asText());
    assertEquals("succeeded", rec.get("state").asText());
    assertEquals(0, rec.get("stopped").size());
    assertEquals(
        List.of(
            "pre app#1=ok",
            "pre app#2=ok",
            "stop app=ok",
            "restore app=ok",
            "start app=ok",
            "post app#1=ok",
            "finally app#1=ok"),
        Cli.steps(rec));
    Cli.Result runs = Cli.run(env, "runs");
    assertTrue(runs.out().contains("restore"), runs::toString);
    Cli.assertSecretAbsent(PASSWORD, fx.dir.resolve("state"), List.of(refused, r, runs));
  }
}
