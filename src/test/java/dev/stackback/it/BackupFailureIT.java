package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs that fail for real (a hook exits 1, a wrong password, the repository vanishing mid-run): the
 * exit code, the hooks that ran (error and finally), every container running afterwards, the run
 * record, and no secret anywhere.
 */
class BackupFailureIT {
  static final String PASSWORD = "pw-" + UUID.randomUUID();

  static DockerFixture fx;

  @BeforeAll
  static void setUp() {
    fx = DockerFixture.create("fail");
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  /** One small project: the stack-back stand-in and a stop-during-backup app, both journaling. */
  record Stack(
      String project,
      Path repo,
      Path state,
      Path journal,
      String backup,
      String app,
      Map<String, String> env) {
    List<String> journalLines() throws Exception {
      return Files.exists(journal) ? Files.readAllLines(journal) : List.of();
    }
  }

  static Stack stack(String name, Map<String, String> selfExtra, Map<String, String> appExtra) {
    return stack(fx, name, selfExtra, appExtra);
  }

  /** The same small project, made with fixture {@code fx}. */
  static Stack stack(
      DockerFixture fx, String name, Map<String, String> selfExtra, Map<String, String> appExtra) {
    String project = fx.project(name);
    Path repo = fx.dir.resolve(name + "-repo");
    Path shared = fx.hostDir(name + "-shared");
    Path journal = shared.resolve("journal");
    Map<String, String> self = new LinkedHashMap<>();
    for (String stage : List.of("pre", "post", "error", "finally")) {
      self.put(
          "stack-back.hooks." + stage + ".1.cmd", BackupIT.append(stage + ":backup:1", journal));
    }
    self.putAll(selfExtra);
    String backup =
        fx.container(project, "backup")
            .mount(fx.hostDir(name + "-repo").toString(), repo.toString())
            .labels(self)
            .start();
    Map<String, String> app = new LinkedHashMap<>();
    app.put("stack-back.volumes", "true");
    app.put("stack-back.volumes.stop-during-backup", "true");
    for (String stage : List.of("pre", "post", "error", "finally")) {
      app.put("stack-back.hooks." + stage + ".1.cmd", BackupIT.shared(stage + ":app:1"));
    }
    app.putAll(appExtra);
    String appName =
        fx.container(project, "app")
            .mount(fx.volume(name + "-data"), "/data")
            .mount(shared.toString(), "/shared")
            .env("WHO", "app")
            .labels(app)
            .script(
                "trap 'echo term:app >> /shared/journal; exit 0' TERM; echo data > /data/f;"
                    + " sleep 3600 & wait")
            .start();
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", repo.toString());
    env.put("RESTIC_PASSWORD", PASSWORD);
    env.put("STATE_DIR", fx.dir.resolve(name + "-state").toString());
    env.put("STACK_BACK_CONTAINER", backup);
    env.put("STOP_TIMEOUT", "5s");
    env.put("HOOK_TIMEOUT", "30s");
    env.put("EXCLUDE_BIND_MOUNTS", "true");
    return new Stack(project, repo, fx.dir.resolve(name + "-state"), journal, backup, appName, env);
  }

  /** The only run record of a stack, after asserting its state and exit code. */
  static JsonNode record(Stack s, int exitCode) {
    List<JsonNode> records = Cli.records(s.state());
    assertEquals(1, records.size());
    JsonNode rec = records.get(0);
    assertEquals("failed", rec.get("state").asText(), rec::toString);
    assertEquals(exitCode, rec.get("exitCode").asInt());
    assertTrue(rec.get("endedAt").isTextual(), rec::toString);
    assertEquals(0, rec.get("stopped").size(), "the record still lists stopped containers");
    return rec;
  }

  @Test
  void preHookFails_skipsBackup_runsErrorAndFinally() throws Exception {
    Stack s =
        stack(
            "prefail",
            Map.of(),
            Map.of(
                "stack-back.hooks.pre.2.cmd",
                BackupIT.shared("pre:app:2") + "; exit 1",
                "stack-back.hooks.pre.3.cmd",
                BackupIT.shared("pre:app:3")));
    DockerFixture.State before = fx.state(s.app());

    Cli.Result r = Cli.run(s.env(), "backup");

    assertEquals(1, r.exit(), r::toString);
    assertEquals(
        List.of(
            "pre:backup:1",
            "pre:app:1@app",
            "pre:app:2@app",
            "error:app:1@app",
            "error:backup:1",
            "finally:app:1@app",
            "finally:backup:1"),
        s.journalLines(),
        r::toString);
    assertEquals(before, fx.state(s.app()), "the app was stopped although no backup ran");
    assertTrue(fx.state(s.backup()).running());
    assertEquals(0, new HostRestic(s.repo(), PASSWORD).snapshots().size());
    JsonNode rec = record(s, 1);
    assertEquals("a pre hook failed", rec.get("error").asText());
    assertEquals(
        List.of(
            "check repository=ok",
            "pre backup#1=ok",
            "pre app#1=ok",
            "pre app#2=failed",
            "pre app#3=skipped",
            "error app#1=ok",
            "error backup#1=ok",
            "finally app#1=ok",
            "finally backup#1=ok"),
        Cli.steps(rec));
    assertEquals(1, rec.get("steps").get(3).get("exitCode").asInt());
    Cli.assertSecretAbsent(PASSWORD, s.state(), List.of(r, Cli.run(s.env(), "runs", "--json")));
  }

  @Test
  void wrongPassword_noPreHook_errorAndFinallyRun() throws Exception {
    Stack s = stack("wrongpw", Map.of(), Map.of());
    String realPassword = "other-" + UUID.randomUUID();
    new HostRestic(s.repo(), realPassword).init();
    DockerFixture.State before = fx.state(s.app());

    Cli.Result r = Cli.run(s.env(), "backup");

    assertEquals(1, r.exit(), r::toString);
    assertEquals(
        List.of("error:app:1@app", "error:backup:1", "finally:app:1@app", "finally:backup:1"),
        s.journalLines(),
        r::toString);
    assertEquals(before, fx.state(s.app()));
    assertEquals(0, new HostRestic(s.repo(), realPassword).snapshots().size());
    JsonNode rec = record(s, 1);
    assertTrue(rec.get("error").asText().contains("wrong password"), rec::toString);
    assertEquals(
        List.of(
            "check repository=failed",
            "error app#1=ok",
            "error backup#1=ok",
            "finally app#1=ok",
            "finally backup#1=ok"),
        Cli.steps(rec));
    Cli.Result status = Cli.run(s.env(), "status", "--json");
    assertEquals("wrong password", status.json().get("repository").get("state").asText());
    List<Cli.Result> outputs = List.of(r, status, Cli.run(s.env(), "runs"));
    Cli.assertSecretAbsent(PASSWORD, s.state(), outputs);
    Cli.assertSecretAbsent(realPassword, s.state(), outputs);
  }

  @Test
  void repositoryVanishesMidRun_snapshotFails_appNeverStopped() throws Exception {
    // a local pre hook of the stack-back container removes the repository after the check
    Path repo = fx.dir.resolve("vanish-repo");
    Stack s =
        stack("vanish", Map.of("stack-back.hooks.pre.2.cmd", "rm -rf " + repo + "/*"), Map.of());
    DockerFixture.State before = fx.state(s.app());

    Cli.Result r = Cli.run(s.env(), "backup");

    assertEquals(1, r.exit(), r::toString);
    assertEquals(
        List.of(
            "pre:backup:1",
            "pre:app:1@app",
            // no "term:app": restic, started before the stop (the snapshot gate), failed before
            // it could read anything, so the app was never stopped
            "error:app:1@app",
            "error:backup:1",
            "finally:app:1@app",
            "finally:backup:1"),
        s.journalLines(),
        r::toString);
    assertEquals(before, fx.state(s.app()), "the app was not touched");
    JsonNode rec = record(s, 1);
    assertTrue(rec.get("error").asText().startsWith("snapshot of app failed"), rec::toString);
    assertEquals(
        List.of(
            "check repository=ok",
            "pre backup#1=ok",
            "pre backup#2=ok",
            "pre app#1=ok",
            "stop app=skipped",
            "snapshot app=failed",
            "error app#1=ok",
            "error backup#1=ok",
            "finally app#1=ok",
            "finally backup#1=ok"),
        Cli.steps(rec));
    Cli.assertSecretAbsent(PASSWORD, s.state(), List.of(r));
  }

  @Test
  void postHookFails_snapshotKept_errorAndFinallyRun() throws Exception {
    Stack s =
        stack(
            "postfail",
            Map.of(),
            Map.of("stack-back.hooks.post.1.cmd", BackupIT.shared("post:app:1") + "; exit 1"));

    Cli.Result r = Cli.run(s.env(), "backup");

    assertEquals(1, r.exit(), r::toString);
    assertEquals(
        List.of(
            "pre:backup:1",
            "pre:app:1@app",
            "term:app",
            "post:app:1@app",
            "error:app:1@app",
            "error:backup:1",
            "finally:app:1@app",
            "finally:backup:1"),
        s.journalLines(),
        r::toString);
    assertTrue(fx.state(s.app()).running());
    assertEquals(1, new HostRestic(s.repo(), PASSWORD).snapshots().size());
    JsonNode rec = record(s, 1);
    assertEquals("a post hook failed", rec.get("error").asText());
    assertEquals(
        List.of(
            "check repository=ok",
            "pre backup#1=ok",
            "pre app#1=ok",
            "stop app=ok",
            "snapshot app=ok",
            "start app=ok",
            "post app#1=failed",
            "post backup#1=skipped",
            "error app#1=ok",
            "error backup#1=ok",
            "finally app#1=ok",
            "finally backup#1=ok"),
        Cli.steps(rec));
    Cli.assertSecretAbsent(PASSWORD, s.state(), List.of(r));
  }
}
