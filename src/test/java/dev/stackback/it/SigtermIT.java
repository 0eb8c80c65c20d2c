package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to a {@code stack-back backup} process while a stop-during-backup container is down: the
 * process stops the snapshot in flight the safe way (restic gets SIGINT and removes its lock),
 * removes the run's worker container, starts the container again and runs the error and finally
 * hooks before it exits; no post hook runs and the record says the run was interrupted.
 */
class SigtermIT {
  static DockerFixture fx;

  @BeforeAll
  static void setUp() {
    fx = DockerFixture.create("term");
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void sigtermWhileTargetStopped_restartsIt_runsErrorAndFinally_recordFailed() throws Exception {
    BackupFailureIT.Stack s = BackupFailureIT.stack(fx, "sigterm", Map.of(), Map.of());
    // enough data that the snapshot (and so the stop) lasts a few seconds
    fx.exec(s.app(), "head -c 200000000 /dev/urandom > /data/big");
    DockerFixture.State before = fx.state(s.app());

    Process p = startBackup(s.env(), s.state().resolve("stack-back.log"));
    awaitStopped(s.state(), p, Duration.ofSeconds(90));
    awaitResticIn(s.project(), p, Duration.ofSeconds(60));
    assertFalse(fx.state(s.app()).running(), "the app should be down during its snapshot");

    long t0 = System.nanoTime();
    p.destroy(); // SIGTERM
    assertTrue(p.waitFor(3, TimeUnit.MINUTES), "stack-back did not exit after SIGTERM");
    long exitMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("stack-back exited %d ms after SIGTERM%n", exitMs);
    assertNotEquals(0, p.exitValue());
    assertEquals(
        "",
        DockerFixture.docker(
            "ps", "-aq", "--filter", "label=stack-back.worker.host=" + s.project()),
        "the run's worker container is left behind");
    HostRestic restic = new HostRestic(s.repo(), BackupFailureIT.PASSWORD);
    assertEquals("", restic.ok("list", "locks", "--no-lock").trim(), "restic left a lock");
    assertEquals(0, restic.snapshots().size(), "the interrupted snapshot was committed");

    DockerFixture.State after = fx.state(s.app());
    assertTrue(after.running(), "the app was left stopped");
    assertEquals(before.id(), after.id());
    List<String> journal = s.journalLines();
    assertEquals(
        List.of(
            "pre:backup:1",
            "pre:app:1@app",
            "error:app:1@app",
            "error:backup:1",
            "finally:app:1@app",
            "finally:backup:1"),
        journal.stream().filter(l -> !l.startsWith("term:")).toList(),
        () -> "journal: " + journal);
    List<JsonNode> records = Cli.records(s.state());
    assertEquals(1, records.size());
    JsonNode rec = records.get(0);
    assertEquals("failed", rec.get("state").asText(), rec::toString);
    assertEquals(0, rec.get("stopped").size(), rec::toString);
    assertTrue(rec.get("error").asText().contains("interrupted"), rec::toString);
    List<String> steps = new ArrayList<>();
    rec.get("steps")
        .forEach(st -> steps.add(st.get("name").asText() + "=" + st.get("outcome").asText()));
    assertTrue(steps.contains("start app=ok"), steps::toString);
    assertTrue(steps.contains("snapshot app=failed"), steps::toString);
  }

  private static Process startBackup(Map<String, String> env, Path log) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path jar = Path.of("target", "stack-back.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "run `mvn package` first: " + jar);
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar.toString(), "backup");
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }

  /** Waits until {@code restic backup} runs in the worker of {@code project}. */
  private static void awaitResticIn(String project, Process p, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      assertTrue(p.isAlive(), "stack-back ended before its snapshot ran");
      String worker =
          DockerFixture.docker("ps", "-q", "--filter", "label=stack-back.worker.host=" + project);
      if (!worker.isBlank()
          && DockerFixture.run("top", worker.split("\\s+")[0]).output().contains("restic")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("restic never ran in the worker within " + limit);
  }

  /** Waits until the run record lists a stopped container. */
  private static void awaitStopped(Path state, Process p, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      assertTrue(p.isAlive(), "stack-back ended before it stopped the app");
      for (JsonNode r : Cli.records(state)) {
        if (r.get("stopped").size() > 0) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the app was never stopped within " + limit);
  }
}
