package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code runs} after a successful and a failed run: both listed, success rate, average time. */
class RunsIT {
  static final String PASSWORD = "pw-" + UUID.randomUUID();

  static DockerFixture fx;

  @BeforeAll
  static void setUp() {
    fx = DockerFixture.create("runs");
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void runs_afterOneSuccessAndOneFailure_showsSuccessRateAndAverageDuration() throws Exception {
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

    Cli.Result ok = Cli.run(env, "backup");
    assertEquals(0, ok.exit(), ok::toString);
    env.put("RESTIC_PASSWORD", "wrong-" + UUID.randomUUID());
    Cli.Result failed = Cli.run(env, "backup");
    assertEquals(1, failed.exit(), failed::toString);

    List<JsonNode> records = Cli.records(state);
    assertEquals(2, records.size());
    double avg = records.stream().mapToLong(RunsIT::durationMs).average().orElseThrow() / 1000.0;

    Cli.Result json = Cli.run(env, "runs", "--json");
    assertEquals(0, json.exit(), json::toString);
    JsonNode j = json.json();
    assertEquals(2, j.get("count").asInt());
    assertEquals(2, j.get("ended").asInt());
    assertEquals(1, j.get("succeeded").asInt());
    assertEquals(0.5, j.get("successRate").asDouble(), 1e-9);
    assertEquals(avg, j.get("averageDurationSeconds").asDouble(), 0.0015);
    // newest first
    assertEquals(List.of("failed", "succeeded"), StatusIT.texts(j.get("runs"), "state"));
    assertEquals(List.of("1", "0"), StatusIT.texts(j.get("runs"), "exitCode"));

    Cli.Result text = Cli.run(env, "runs");
    assertEquals(0, text.exit(), text::toString);
    assertTrue(
        text.out()
            .contains(
                String.format("Last 2 run(s): success rate 50%%, average duration %.1fs", avg)),
        text::toString);
    StatusIT.assertInOrder(text.out(), "RUN", "failed", "wrong password", "succeeded");
    Cli.assertSecretAbsent(PASSWORD, state, List.of(ok, failed, json, text));
    Cli.assertSecretAbsent(env.get("RESTIC_PASSWORD"), state, List.of(ok, failed, json, text));
  }

  static long durationMs(JsonNode record) {
    return Duration.between(
            Instant.parse(record.get("startedAt").asText()),
            Instant.parse(record.get("endedAt").asText()))
        .toMillis();
  }
}
