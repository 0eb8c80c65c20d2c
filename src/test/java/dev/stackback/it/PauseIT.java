package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.metrics.MetricsServer;
import dev.stackback.state.PauseFile;
import dev.stackback.state.RunStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code pause} on a real stack and repository: the scheduled backup (what the daemon's child runs)
 * is recorded as skipped and touches nothing (the repository is not even initialised), a manual
 * backup backs up, {@code status}, {@code runs}, {@code /metrics} and {@code /healthz} (the
 * daemon's server on the same STATE_DIR) say paused until {@code resume}.
 */
class PauseIT {
  static final String PASSWORD = "pw-" + UUID.randomUUID();

  static DockerFixture fx;

  @BeforeAll
  static void setUp() {
    fx = DockerFixture.create("pause");
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void paused_scheduledRunSkipped_manualRunBacksUp_statusAndMetricsSayPausedUntilResume()
      throws Exception {
    String project = fx.project("p");
    Path repo = fx.hostDir("repo");
    Path state = fx.dir.resolve("state");
    String self = fx.container(project, "backup").mount(repo.toString(), repo.toString()).start();
    String app = fx.container(project, "app").mount(fx.volume("data"), "/data").start();
    fx.exec(app, "echo hi > /data/f");
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", repo.toString());
    env.put("RESTIC_PASSWORD", PASSWORD);
    env.put("STATE_DIR", state.toString());
    env.put("STACK_BACK_CONTAINER", self);
    env.put("STOP_TIMEOUT", "5s");
    env.put("MAINTENANCE_SCHEDULE", "0 3 * * *");
    env.put("AUTO_BACKUP_ALL", "true");

    Instant before = Instant.now();
    Cli.Result pause = Cli.run(env, "pause", "--for", "2h", "--reason", "moving the db");
    assertEquals(0, pause.exit(), pause::toString);
    assertTrue(pause.out().contains("Paused scheduled runs until "), pause::toString);

    Cli.Result scheduled = Cli.run(env, "backup", "--trigger=schedule");
    assertEquals(0, scheduled.exit(), scheduled::toString);
    List<JsonNode> records = Cli.records(state);
    assertEquals(1, records.size(), records::toString);
    JsonNode skipped = records.get(0);
    assertEquals("skipped", skipped.get("state").asText(), skipped.toString());
    assertEquals("schedule", skipped.get("trigger").asText());
    assertTrue(
        skipped.get("reason").asText().matches("paused until \\S+ \\(moving the db\\)"),
        skipped.toString());
    assertFalse(Files.exists(repo.resolve("config")), "restic never ran: no repository yet");

    Cli.Result status = Cli.run(env, "status", "--json");
    assertEquals(0, status.exit(), status::toString);
    JsonNode p = status.json().get("pause");
    assertTrue(p.get("paused").asBoolean(), p.toString());
    assertEquals("moving the db", p.get("reason").asText());
    Instant until = Instant.parse(p.get("until").asText());
    assertTrue(
        !until.isBefore(before.plus(Duration.ofHours(2)))
            && !until.isAfter(Instant.now().plus(Duration.ofHours(2))),
        p.toString());
    assertEquals("skipped", status.json().get("lastRun").get("state").asText());
    Cli.Result statusText = Cli.run(env, "status");
    assertTrue(
        statusText
            .out()
            .contains("paused:           yes, scheduled runs are skipped until " + until),
        statusText::toString);

    try (MetricsServer server =
        MetricsServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            RunStore.withoutJackson(state),
            new PauseFile(state),
            Clock.systemUTC(),
            () -> true)) {
      String metrics = get(server, "/metrics").body();
      assertTrue(metrics.contains("\nstackback_paused 1\n"), metrics);
      HttpResponse<String> health = get(server, "/healthz");
      assertEquals(200, health.statusCode());
      assertTrue(health.body().contains("\"paused\":true"), health.body());
      assertTrue(health.body().contains("\"reason\":\"moving the db\""), health.body());

      Cli.Result manual = Cli.run(env, "backup");
      assertEquals(0, manual.exit(), manual::toString);
      records = Cli.records(state);
      // both runs may start within one second: run ids then sort by their random suffix
      assertEquals(
          List.of("skipped", "succeeded"),
          StatusIT.texts(toArray(records), "state").stream().sorted().toList());
      assertTrue(
          new HostRestic(repo, PASSWORD).ok("snapshots", "--json").contains("/volumes/app/data"),
          "the manual run made a snapshot");

      Cli.Result runs = Cli.run(env, "runs");
      assertEquals(0, runs.exit(), runs::toString);
      StatusIT.assertInOrder(runs.out(), "succeeded", "skipped", "paused until");
      assertTrue(runs.out().contains("success rate 100%"), runs::toString);

      Cli.Result resume = Cli.run(env, "resume");
      assertEquals(0, resume.exit(), resume::toString);
      assertTrue(resume.out().startsWith("Resumed scheduled runs"), resume::toString);
      assertFalse(Files.exists(state.resolve("pause.json")));
      assertTrue(get(server, "/metrics").body().contains("\nstackback_paused 0\n"));
      assertTrue(get(server, "/healthz").body().contains("\"paused\":false"));
    }
    Cli.Result after = Cli.run(env, "status", "--json");
    assertFalse(after.json().get("pause").get("paused").asBoolean(), after::toString);
  }

  private static JsonNode toArray(List<JsonNode> records) {
    return Cli.JSON.valueToTree(records);
  }

  private static HttpResponse<String> get(MetricsServer server, String path) throws Exception {
    try (HttpClient c = HttpClient.newHttpClient()) {
      return c.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }
}
