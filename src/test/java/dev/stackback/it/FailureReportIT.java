package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Failure reports and {@code PING_URL} on the real engine with real restic: a pre hook that makes
 * its container exit 3, and a stop-during-backup container that refuses to start again, leave
 * records (and {@code runs show}) with the container's state, exit code, last log lines (secrets
 * hidden) and the engine's events; a local HTTP server receives {@code /start} then {@code /fail}
 * (or the URL itself on success) with the summary as body.
 */
class FailureReportIT {
  static final String PASSWORD = "pw-" + UUID.randomUUID();
  static final String TOKEN = "tok-" + UUID.randomUUID();

  static DockerFixture fx;
  static Path repo;
  static HttpServer monitor;
  static final List<String> pings = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void setUp() throws Exception {
    fx = DockerFixture.create("report");
    repo = fx.hostDir("repo");
    monitor = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    monitor.createContext(
        "/",
        x -> {
          String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          pings.add(x.getRequestMethod() + " " + x.getRequestURI().getPath() + "\n" + body);
          x.sendResponseHeaders(200, -1);
          x.close();
        });
    monitor.start();
  }

  @AfterAll
  static void tearDown() {
    if (monitor != null) {
      monitor.stop(0);
    }
    if (fx != null) {
      fx.close();
    }
  }

  private static Map<String, String> env(Path state, String self, String check) {
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", repo.toString());
    env.put("RESTIC_PASSWORD", PASSWORD);
    env.put("STATE_DIR", state.toString());
    env.put("STACK_BACK_CONTAINER", self);
    env.put("STOP_TIMEOUT", "5s");
    env.put("MAINTENANCE_SCHEDULE", "0 3 * * *");
    env.put(
        "PING_URL", "http://127.0.0.1:" + monitor.getAddress().getPort() + "/ping/" + check + "/");
    return env;
  }

  private static List<String> pingsOf(String check) {
    synchronized (pings) {
      return pings.stream().filter(p -> p.contains("/ping/" + check)).toList();
    }
  }

  private static List<String> firstLines(List<String> pings) {
    return pings.stream().map(p -> p.substring(0, p.indexOf('\n'))).toList();
  }

  @Test
  void preHookMakesItsContainerExit3_recordRunsShowAndFailPingCarryStateLogsEvents()
      throws Exception {
    String project = fx.project("hook");
    // the error hook (local, where stack-back runs) gives the app the moment it takes to die
    String self =
        fx.container(project, "backup")
            .mount(repo.toString(), repo.toString())
            .label("stack-back.hooks.error.1.cmd", "sleep 2")
            .start();
    String app =
        fx.container(project, "app")
            .env("API_TOKEN", TOKEN)
            .label(
                "stack-back.hooks.pre.1.cmd",
                "echo hook was here; test -f /tmp/armed || exit 0; kill -USR1 1; exit 3")
            .script(
                "echo app ready with token $API_TOKEN;"
                    + " trap 'echo app got USR1; exit 3' USR1; sleep 3600 & wait")
            .start();
    Path state = fx.dir.resolve("state-hook");
    // a successful run first: the monitor gets /start and the URL itself
    Cli.Result ok = Cli.run(env(state, self, "ok"), "backup");
    assertEquals(0, ok.exit(), ok::toString);
    assertEquals(List.of("POST /ping/ok/start", "POST /ping/ok"), firstLines(pingsOf("ok")));

    fx.exec(app, "touch /tmp/armed");
    Map<String, String> env = env(state, self, "hook");
    Cli.Result r = Cli.run(env, "backup");

    assertEquals(1, r.exit(), r::toString);
    JsonNode rec = Cli.records(state).getLast();
    JsonNode f = rec.get("failure");
    assertEquals("pre app#1", f.get("step").asText(), rec::toPrettyString);
    assertEquals("hook", f.get("kind").asText());
    JsonNode c = f.get("containers").get(0);
    assertEquals(app, c.get("name").asText());
    assertEquals("exited", c.get("status").asText(), rec::toPrettyString);
    assertEquals(3, c.get("exitCode").asInt());
    assertFalse(c.get("oomKilled").asBoolean());
    List<String> logs = texts(c.get("logTail"));
    assertTrue(logs.contains("app ready with token ***"), logs::toString);
    assertTrue(logs.contains("app got USR1"), logs::toString);
    List<String> events = texts(c.get("events"));
    assertTrue(events.stream().anyMatch(e -> e.contains(" die (exitCode=3)")), events::toString);
    assertTrue(
        events.stream()
            .anyMatch(
                e ->
                    e.endsWith(
                        " exec_start: sh -c echo hook was here; test -f /tmp/armed || exit 0;"
                            + " kill -USR1 1; exit 3")),
        events::toString);
    assertFalse(events.stream().anyMatch(e -> e.contains("exec_create")), events::toString);
    assertEquals(List.of(), texts(f.get("notes")));

    Cli.Result show = Cli.run(env, "runs", "show", rec.get("id").asText());
    assertEquals(0, show.exit(), show::toString);
    System.out.println("FailureReportIT: runs show\n" + show.out());
    System.out.println(
        "FailureReportIT: "
            + r.log().lines().filter(l -> l.contains("failure report of run")).toList());
    assertTrue(show.out().contains("  Step:      pre app#1 (hook, failed"), show::toString);
    assertTrue(show.out().contains("    State:         exited"), show::toString);
    assertTrue(show.out().contains("    Exit code:     3"), show::toString);
    assertTrue(show.out().contains("      app ready with token ***"), show::toString);
    assertTrue(show.out().contains(" die (exitCode=3)"), show::toString);

    List<String> hookPings = pingsOf("hook");
    assertEquals(List.of("POST /ping/hook/start", "POST /ping/hook/fail"), firstLines(hookPings));
    assertTrue(hookPings.get(1).contains("stack-back backup failed"), hookPings.get(1));
    assertTrue(hookPings.get(1).contains("Exit code:     3"), hookPings.get(1));
    Cli.assertSecretAbsent(TOKEN, state, List.of(r, show));
    assertFalse(String.join("\n", hookPings).contains(TOKEN));
  }

  @Test
  void containerRefusesToStartAgain_exit4_reportCarriesItsExitCodeLogAndEvents() throws Exception {
    String project = fx.project("restart");
    String self = fx.container(project, "backup").mount(repo.toString(), repo.toString()).start();
    String db =
        fx.container(project, "db")
            .mount(fx.volume("db"), "/data")
            .label("stack-back.volumes", "true")
            .label("stack-back.volumes.stop-during-backup", "true")
            .script(
                "if test -f /data/started; then echo refusing to start twice; exit 4; fi;"
                    + " touch /data/started; echo db up; trap 'exit 0' TERM; sleep 3600 & wait")
            .start();
    Path state = fx.dir.resolve("state-restart");

    Cli.Result r = Cli.run(env(state, self, "restart"), "backup");

    assertEquals(4, r.exit(), r::toString);
    JsonNode rec = Cli.records(state).getLast();
    JsonNode f = rec.get("failure");
    assertEquals("start", f.get("kind").asText(), rec::toPrettyString);
    JsonNode c = f.get("containers").get(0);
    assertEquals(db, c.get("name").asText());
    assertEquals("exited", c.get("status").asText(), rec::toPrettyString);
    assertEquals(4, c.get("exitCode").asInt());
    List<String> logs = texts(c.get("logTail"));
    assertEquals(List.of("db up", "refusing to start twice"), logs);
    List<String> events = texts(c.get("events"));
    assertTrue(events.stream().anyMatch(e -> e.contains(" kill (signal=15)")), events::toString);
    assertTrue(events.stream().anyMatch(e -> e.contains(" die (exitCode=4)")), events::toString);
    assertTrue(events.stream().anyMatch(e -> e.endsWith(" start")), events::toString);
    assertEquals(
        List.of("POST /ping/restart/start", "POST /ping/restart/fail"),
        firstLines(pingsOf("restart")));
  }

  @Test
  void restartedContainerIsOomKilled_exit4_reportSaysOomKilled_withTheOomEvent() throws Exception {
    String project = fx.project("oom");
    // the engine's oom event may come a moment after the die: the error hook gives it 2 s
    String self =
        fx.container(project, "backup")
            .mount(repo.toString(), repo.toString())
            .label("stack-back.hooks.error.1.cmd", "sleep 2")
            .start();
    // on its second start it loads a "cache" bigger than its memory limit: the kernel kills it
    String cache =
        fx.container(project, "cache")
            .mount(fx.volume("cache"), "/data")
            .label("stack-back.volumes", "true")
            .label("stack-back.volumes.stop-during-backup", "true")
            .options("--memory", "32m", "--memory-swap", "32m")
            // healthy once ready: the run awaits its health after the restart, so the OOM kill
            // happens while the run still looks, however slow the machine
            .options("--health-cmd", "test -f /tmp/ready", "--health-interval", "300ms")
            .script(
                "rm -f /tmp/ready; if test -f /data/started; then echo loading the cache;"
                    + " exec sh -c 'head -c 200m /dev/zero | tail'; fi;"
                    + " touch /data/started /tmp/ready; trap 'exit 0' TERM; sleep 3600 & wait")
            .start();
    Path state = fx.dir.resolve("state-oom");
    Map<String, String> env = env(state, self, "oom");
    env.put("HEALTH_TIMEOUT", "60s");

    Cli.Result r = Cli.run(env, "backup");

    assertEquals(4, r.exit(), r::toString);
    JsonNode rec = Cli.records(state).getLast();
    JsonNode c = rec.get("failure").get("containers").get(0);
    assertEquals(cache, c.get("name").asText(), rec::toPrettyString);
    assertEquals("exited", c.get("status").asText(), rec::toPrettyString);
    assertEquals(137, c.get("exitCode").asInt());
    assertEquals("loading the cache", texts(c.get("logTail")).get(0));
    List<String> events = texts(c.get("events"));
    // Docker 20.10 may leave its OOMKilled false when its oom event comes after the die; the
    // report says yes for an exit 137 with an oom event
    assertTrue(c.get("oomKilled").asBoolean(), rec::toPrettyString);
    assertTrue(events.stream().anyMatch(e -> e.endsWith(" oom")), events::toString);
    assertTrue(events.stream().anyMatch(e -> e.contains(" die (exitCode=137)")), events::toString);

    Cli.Result show = Cli.run(env, "runs", "show", "latest");
    assertTrue(show.out().contains("    OOM killed:    yes"), show::toString);
    assertTrue(show.out().contains("    Exit code:     137"), show::toString);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
