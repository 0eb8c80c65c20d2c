package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code status} against real labelled containers: one project in scope (targets with include and
 * exclude rules, a stop-during-backup service, hooks with context on several containers, ordered
 * backup labels) and a second project that must stay out of it.
 */
class StatusIT {
  static final String PASSWORD = "pw-" + UUID.randomUUID();

  static DockerFixture fx;
  static String project;
  static String other;
  static String backup;
  static Map<String, String> env;

  @BeforeAll
  static void setUp() {
    fx = DockerFixture.create("status");
    project = fx.project("main");
    other = fx.project("other");
    Path repo = fx.hostDir("repo");
    backup =
        fx.container(project, "backup")
            .mount(repo.toString(), repo.toString())
            .labels(
                Map.of(
                    "stack-back.ordered", "true",
                    "stack-back.order.1", "web",
                    "stack-back.order.2", "intruder",
                    "stack-back.order.3", "app",
                    "stack-back.hooks.pre.1.cmd", "echo self-pre",
                    "stack-back.hooks.post.1.cmd", "echo self-post",
                    "stack-back.hooks.post.1.context", "web",
                    "stack-back.hooks.finally.1.cmd", "echo self-finally"))
            .start();
    fx.container(project, "app")
        .mount(fx.volume("app-data"), "/data")
        .mount(fx.volume("app-cache"), "/cache")
        .labels(
            Map.of(
                "stack-back.volumes", "true",
                "stack-back.volumes.exclude", "cache",
                "stack-back.volumes.stop-during-backup", "true",
                "stack-back.hooks.pre.1.cmd", "echo app-pre-1",
                "stack-back.hooks.pre.2.cmd", "echo app-pre-2",
                "stack-back.hooks.pre.2.context", "web",
                "stack-back.hooks.pre.10.cmd", "echo app-pre-10",
                "stack-back.hooks.error.1.cmd", "echo app-error",
                "stack-back.hooks.error.1.on-error", "continue"))
        .start();
    fx.container(project, "web")
        .mount(fx.volume("web-files"), "/srv/files")
        .mount(fx.volume("web-logs"), "/var/log/web")
        .labels(
            Map.of(
                "stack-back.volumes", "true",
                "stack-back.volumes.include", "files",
                "stack-back.hooks.pre.1.cmd", "echo web-pre",
                "stack-back.hooks.finally.1.cmd", "echo web-finally"))
        .start();
    fx.container(project, "worker")
        .labels(
            Map.of(
                "stack-back.hooks.pre.1.cmd", "echo worker-pre",
                "stack-back.hooks.post.1.cmd", "echo worker-post"))
        .start();
    fx.container(other, "intruder")
        .mount(fx.volume("intruder-data"), "/data")
        .labels(
            Map.of(
                "stack-back.volumes", "true",
                "stack-back.hooks.pre.1.cmd", "echo intruder-pre"))
        .start();
    env = env(repo, backup);
  }

  static Map<String, String> env(Path repo, String self) {
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", repo.toString());
    env.put("RESTIC_PASSWORD", PASSWORD);
    env.put("STATE_DIR", fx.dir.resolve("state").toString());
    env.put("STACK_BACK_CONTAINER", self);
    env.put("STOP_TIMEOUT", "5s");
    return env;
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void statusJson_showsTargetsInOrder_pathsSkipsHooksAndOutOfScopeWarning() {
    Cli.Result r = Cli.run(env, "status", "--json");
    assertEquals(0, r.exit(), r::toString);
    JsonNode s = r.json();

    assertEquals(project, s.get("project").asText());
    assertEquals(project, s.get("host").asText());
    assertEquals(backup, s.get("backupContainer").asText());
    assertEquals(List.of("web", "app"), texts(s.get("targets"), "service"));
    assertEquals(List.of("worker"), strings(s.get("hookOnly")));

    JsonNode web = s.get("targets").get(0);
    assertEquals(List.of(project + "-web"), strings(web.get("containers")));
    assertFalse(web.get("stopDuringBackup").asBoolean());
    assertEquals(List.of("/volumes/web/srv/files"), texts(web.get("volumes"), "snapshotPath"));
    assertEquals(List.of(fx.run + "-web-files"), texts(web.get("volumes"), "name"));
    assertEquals(List.of("/var/log/web"), texts(web.get("skippedMounts"), "destination"));
    assertEquals(
        List.of("not matched by volumes.include"), texts(web.get("skippedMounts"), "reason"));
    assertEquals(
        List.of("stack-back", "project=" + project, "service=web"), strings(web.get("tags")));

    JsonNode app = s.get("targets").get(1);
    assertTrue(app.get("stopDuringBackup").asBoolean());
    assertEquals(List.of("/volumes/app/data"), texts(app.get("volumes"), "snapshotPath"));
    assertEquals(List.of("/data"), texts(app.get("volumes"), "destination"));
    assertEquals(List.of("/cache"), texts(app.get("skippedMounts"), "destination"));
    assertEquals(List.of("matched by volumes.exclude"), texts(app.get("skippedMounts"), "reason"));

    JsonNode hooks = s.get("hooks");
    // self first in pre; targets in backup order (web, app), then hook-only services
    assertEquals(
        List.of(
            "pre backup#1", "pre web#1", "pre app#1", "pre app#2", "pre app#10", "pre worker#1"),
        texts(hooks.get("pre"), "hook"));
    assertEquals(
        List.of(
            "local",
            "exec web (" + project + "-web)",
            "exec app (" + project + "-app)",
            "exec web (" + project + "-web)",
            "exec app (" + project + "-app)",
            "exec worker (" + project + "-worker)"),
        texts(hooks.get("pre"), "runsIn"));
    assertEquals(
        List.of(
            "echo self-pre",
            "echo web-pre",
            "echo app-pre-1",
            "echo app-pre-2",
            "echo app-pre-10",
            "echo worker-pre"),
        texts(hooks.get("pre"), "cmd"));
    // targets first, then the stack-back container
    assertEquals(List.of("post worker#1", "post backup#1"), texts(hooks.get("post"), "hook"));
    assertEquals("exec web (" + project + "-web)", hooks.get("post").get(1).get("runsIn").asText());
    assertEquals("web", hooks.get("post").get(1).get("context").asText());
    assertEquals(List.of("error app#1"), texts(hooks.get("error"), "hook"));
    assertEquals(List.of("continue"), texts(hooks.get("error"), "onError"));
    assertEquals(List.of("finally web#1", "finally backup#1"), texts(hooks.get("finally"), "hook"));

    assertEquals(
        List.of(
            "container '"
                + backup
                + "': label 'stack-back.order.2': 'intruder' is out of scope (it belongs to"
                + " project '"
                + other
                + "', not ours); entry ignored"),
        strings(s.get("warnings")));
    String all = r.out();
    assertFalse(all.contains(other + "-intruder"), "the other project's container leaked in");
    assertFalse(all.contains("intruder-pre"), "the other project's hook leaked in");
    Cli.assertSecretAbsent(PASSWORD, null, List.of(r));
  }

  @Test
  void statusText_mentionsTheSame() {
    Cli.Result r = Cli.run(env, "status");
    assertEquals(0, r.exit(), r::toString);
    String out = r.out();
    assertInOrder(
        out,
        "Targets in backup order: ordered",
        "1. web  [" + project + "-web]",
        fx.run + "-web-files:/srv/files -> /volumes/web/srv/files",
        "skip   /var/log/web: not matched by volumes.include",
        "2. app  [" + project + "-app]  stopped during its snapshot",
        fx.run + "-app-data:/data -> /volumes/app/data",
        "skip   /cache: matched by volumes.exclude",
        "hooks only: worker",
        "pre:",
        "pre backup#1",
        "pre web#1",
        "pre app#1",
        "pre app#2",
        "pre app#10",
        "pre worker#1",
        "post:",
        "post worker#1",
        "post backup#1",
        "error:",
        "error app#1",
        "finally:",
        "finally web#1",
        "finally backup#1",
        "Warnings",
        "label 'stack-back.order.2': 'intruder' is out of scope");
    assertFalse(out.contains(other + "-intruder"));
    Cli.assertSecretAbsent(PASSWORD, null, List.of(r));
  }

  @Test
  void malformedLabels_exit2_namingContainerAndEveryKey_nothingRuns() throws Exception {
    String bad = fx.project("bad");
    Path repo = fx.hostDir("bad-repo");
    Path marker = fx.hostDir("bad-marker").resolve("ran");
    String self =
        fx.container(bad, "backup")
            .mount(repo.toString(), repo.toString())
            .label("stack-back.hooks.pre.1.cmd", "touch " + marker)
            .start();
    String broken =
        fx.container(bad, "broken")
            .labels(
                Map.of(
                    "stack-back.hooks.pre.x.cmd", "echo x",
                    "stack-back.hooks.later.1.cmd", "echo later",
                    "stack-back.hooks.post.1.cmd", "echo post",
                    "stack-back.hooks.post.1.on-error", "sometimes",
                    "stack-back.volumes", "maybe"))
            .start();
    Map<String, String> badEnv = env(repo, self);
    badEnv.put("STATE_DIR", fx.dir.resolve("bad-state").toString());

    Cli.Result text = Cli.run(badEnv, "status");
    assertEquals(2, text.exit(), text::toString);
    String c = "container '" + broken + "': label '";
    List<String> expected =
        List.of(
            c + "stack-back.hooks.later.1.cmd': unknown stage 'later'",
            c + "stack-back.hooks.post.1.on-error': 'sometimes' is not valid",
            c + "stack-back.hooks.pre.x.cmd': 'x' is not a number",
            c + "stack-back.volumes': 'maybe' is not a boolean");
    for (String e : expected) {
      assertTrue(text.err().contains(e), () -> "missing <" + e + "> in\n" + text);
    }
    assertTrue(text.err().contains("(4 problems)"), text::toString);

    Cli.Result json = Cli.run(badEnv, "status", "--json");
    assertEquals(2, json.exit(), json::toString);
    assertEquals(4, json.json().get("errors").size(), json::toString);

    // a backup with invalid labels runs nothing and records nothing
    Cli.Result run = Cli.run(badEnv, "backup");
    assertEquals(2, run.exit(), run::toString);
    assertFalse(Files.exists(marker), "a hook ran although the labels are invalid");
    assertFalse(Files.exists(fx.dir.resolve("bad-state").resolve("runs")), "a run was recorded");
    assertTrue(fx.state(broken).running());
    Cli.assertSecretAbsent(PASSWORD, null, List.of(text, json, run));
  }

  static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.get(field).asText()));
    return out;
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Each part occurs in {@code text}, after the previous one. */
  static void assertInOrder(String text, String... parts) {
    int at = 0;
    for (String p : parts) {
      int i = text.indexOf(p, at);
      assertTrue(i >= 0, () -> "missing (in order) <" + p + "> in\n" + text);
      at = i + p.length();
    }
  }
}
