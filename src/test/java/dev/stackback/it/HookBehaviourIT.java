package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * Hook properties against a real container: a timeout kills the command, retries run it again, an
 * async hook is awaited before the run ends, an unresolved context fails only that hook.
 */
class HookBehaviourIT {
  static final String PASSWORD = "pw-" + UUID.randomUUID();

  static DockerFixture fx;

  @BeforeAll
  static void setUp() {
    fx = DockerFixture.create("hooks");
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void timeoutKills_retriesRepeat_asyncIsAwaited_unresolvedContextFailsOnlyItsHook()
      throws Exception {
    String project = fx.project("p");
    Path repo = fx.hostDir("repo");
    Path shared = fx.hostDir("shared");
    Path journal = shared.resolve("journal");
    String self = fx.container(project, "backup").mount(repo.toString(), repo.toString()).start();
    String svc =
        fx.container(project, "svc")
            .mount(shared.toString(), "/shared")
            .labels(
                Map.ofEntries(
                    Map.entry(
                        "stack-back.hooks.pre.1.cmd", "sleep 6; echo async >> /shared/journal"),
                    Map.entry("stack-back.hooks.pre.1.mode", "async"),
                    Map.entry(
                        "stack-back.hooks.pre.2.cmd", "echo slow >> /shared/journal; sleep 41"),
                    Map.entry("stack-back.hooks.pre.2.timeout", "2s"),
                    Map.entry("stack-back.hooks.pre.2.on-error", "continue"),
                    Map.entry(
                        "stack-back.hooks.pre.3.cmd",
                        "echo try >> /shared/journal;"
                            + " test -f /shared/once || { touch /shared/once; exit 1; }"),
                    Map.entry("stack-back.hooks.pre.3.retries", "2"),
                    Map.entry("stack-back.hooks.pre.4.cmd", "echo never"),
                    Map.entry("stack-back.hooks.pre.4.context", "ghost"),
                    Map.entry("stack-back.hooks.pre.4.on-error", "continue"),
                    Map.entry("stack-back.hooks.post.1.cmd", "echo post >> /shared/journal"),
                    Map.entry("stack-back.hooks.finally.1.cmd", "echo finally >> /shared/journal")))
            .start();
    Path state = fx.dir.resolve("state");
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", repo.toString());
    env.put("RESTIC_PASSWORD", PASSWORD);
    env.put("STATE_DIR", state.toString());
    env.put("STACK_BACK_CONTAINER", self);
    env.put("STOP_TIMEOUT", "5s");
    env.put("MAINTENANCE_SCHEDULE", "0 3 * * *");

    long t0 = System.nanoTime();
    Cli.Result r = Cli.run(env, "backup");
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L;

    assertEquals(0, r.exit(), r::toString);
    assertTrue(seconds < 30, "the timed-out hook was waited for: " + seconds + "s");
    // the async hook finished after everything else, but before the run ended
    assertEquals(
        List.of("slow", "try", "try", "post", "finally", "async"),
        Files.readAllLines(journal),
        r::toString);
    assertFalse(fx.exec(svc, "ps").contains("sleep 41"), "the timed-out hook still runs");
    assertTrue(
        r.err()
            .contains(
                "label 'stack-back.hooks.pre.4.context': no running container in scope"
                    + " for service 'ghost'"),
        r::toString);

    JsonNode rec = Cli.records(state).get(0);
    assertEquals("succeeded", rec.get("state").asText());
    assertEquals(
        List.of(
            "check repository=ok",
            "pre svc#2=timeout",
            "pre svc#3=ok",
            "pre svc#4=failed",
            "post svc#1=ok",
            "finally svc#1=ok",
            "pre svc#1=ok"),
        Cli.steps(rec));
    assertEquals(2, rec.get("steps").get(2).get("attempts").asInt());
    Cli.assertSecretAbsent(PASSWORD, state, List.of(r));
  }
}
