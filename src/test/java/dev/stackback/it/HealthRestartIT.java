package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Health-aware restarts on the real engine: a stop-during-backup container with a Docker
 * HEALTHCHECK that passes ~2 s after each start is awaited before its post hook (which checks the
 * same readiness); with {@code HEALTH_TIMEOUT=0} the hook sees it not ready (the control); one that
 * turns unhealthy and one that stays {@code starting} past a short {@code HEALTH_TIMEOUT} fail
 * their start steps with exit 4 and their last health-log entry.
 */
class HealthRestartIT {
  static final String PASSWORD = "pw-" + UUID.randomUUID();
  // the app is ready 2 s after each start; /tmp survives a restart, so it starts not ready
  static final String READY_AFTER_2S =
      "rm -f /tmp/ready; trap 'exit 0' TERM; (sleep 2; touch /tmp/ready) & sleep 3600 & wait";
  static final String POST =
      "if test -f /tmp/ready; then echo ready; else echo not-ready; fi >> /shared/journal";

  static DockerFixture fx;
  // one repository for both tests: restic init costs seconds here (each project has its own host)
  static Path repo;

  @BeforeAll
  static void setUp() {
    fx = DockerFixture.create("health");
    repo = fx.hostDir("repo");
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  private static Map<String, String> env(Path repo, Path state, String self) {
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", repo.toString());
    env.put("RESTIC_PASSWORD", PASSWORD);
    env.put("STATE_DIR", state.toString());
    env.put("STACK_BACK_CONTAINER", self);
    env.put("STOP_TIMEOUT", "5s");
    env.put("MAINTENANCE_SCHEDULE", "0 3 * * *");
    return env;
  }

  /** A stop-during-backup service with a volume and a healthcheck. */
  private static DockerFixture.ContainerBuilder service(
      String project, String name, String healthCmd, String retries) {
    return fx.container(project, name)
        .mount(fx.volume(name), "/data")
        .label("stack-back.volumes", "true")
        .label("stack-back.volumes.stop-during-backup", "true")
        .options(
            "--health-cmd", healthCmd, "--health-interval", "300ms", "--health-retries", retries);
  }

  @Test
  void postHookRunsOnlyWhenTheRestartedAppIsHealthy_zeroTimeoutIsTheControl() throws Exception {
    String project = fx.project("ok");
    Path shared = fx.hostDir("shared");
    Path journal = shared.resolve("journal");
    String self = fx.container(project, "backup").mount(repo.toString(), repo.toString()).start();
    service(project, "app", "test -f /tmp/ready", "100")
        .mount(shared.toString(), "/shared")
        .label("stack-back.hooks.post.1.cmd", POST)
        .script(READY_AFTER_2S)
        .start();
    Path state = fx.dir.resolve("state-ok");

    long t0 = System.nanoTime();
    Cli.Result r = Cli.run(env(repo, state, self), "backup");
    long ms = (System.nanoTime() - t0) / 1_000_000L;

    assertEquals(0, r.exit(), r::toString);
    assertEquals(List.of("ready"), Files.readAllLines(journal), r::toString);
    assertTrue(r.log().contains("container '" + project + "-app' is healthy"), r::toString);
    System.out.println("HealthRestartIT: healthy run took " + ms + " ms");

    // the control: without the health wait the same hook runs while the app is still starting
    Map<String, String> noWait = env(repo, fx.dir.resolve("state-nowait"), self);
    noWait.put("HEALTH_TIMEOUT", "0");
    Cli.Result r2 = Cli.run(noWait, "backup");
    assertEquals(0, r2.exit(), r2::toString);
    assertEquals(List.of("ready", "not-ready"), Files.readAllLines(journal), r2::toString);
  }

  @Test
  void unhealthyOrStillStartingAtTimeout_failedStartSteps_exit4_withLastHealthLog()
      throws Exception {
    String project = fx.project("bad");
    String self = fx.container(project, "backup").mount(repo.toString(), repo.toString()).start();
    // after 2 failed checks: unhealthy
    service(project, "sick", "echo db refuses connections; exit 3", "2").start();
    // fails every check but has 1000 retries: still "starting" at HEALTH_TIMEOUT
    service(project, "slow", "echo still loading; exit 1", "1000").start();
    Path state = fx.dir.resolve("state-bad");
    Map<String, String> env = env(repo, state, self);
    env.put("HEALTH_TIMEOUT", "3s");

    long t0 = System.nanoTime();
    Cli.Result r = Cli.run(env, "backup");
    long ms = (System.nanoTime() - t0) / 1_000_000L;

    assertEquals(4, r.exit(), r::toString);
    JsonNode rec = Cli.records(state).get(0);
    assertEquals("failed", rec.get("state").asText());
    assertEquals(
        List.of(
            "check repository=ok",
            "stop sick=ok",
            "snapshot sick=ok",
            "start sick=ok",
            "stop slow=ok",
            "snapshot slow=ok",
            "start slow=ok",
            "start sick=failed",
            "start slow=failed"),
        Cli.steps(rec));
    String sick = failedStart(rec, "start sick");
    assertTrue(
        sick.matches(
            "container '"
                + project
                + "-sick' is unhealthy \\S+ after start; last health check: exit code 3:"
                + " db refuses connections"),
        sick);
    String slow = failedStart(rec, "start slow");
    assertTrue(
        slow.matches(
            "container '"
                + project
                + "-slow' is not healthy \\S+ after start \\(HEALTH_TIMEOUT 3s; health: starting\\);"
                + " last health check: exit code 1: still loading"),
        slow);
    System.out.println("HealthRestartIT: failing run took " + ms + " ms");
  }

  /** The message of the failed {@code name} step (the confirmation's, after the ok start). */
  private static String failedStart(JsonNode rec, String name) {
    for (JsonNode s : rec.get("steps")) {
      if (s.get("name").asText().equals(name) && s.get("outcome").asText().equals("failed")) {
        return s.get("message").asText();
      }
    }
    throw new AssertionError("no failed step '" + name + "' in " + Cli.steps(rec));
  }
}
