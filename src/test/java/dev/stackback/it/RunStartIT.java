package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.lock.EngineLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The start of a run with the host jar: a run killed with {@code kill -9} is repaired by the next
 * manual run before it plans (so the service it left stopped is backed up), and one run per backup
 * host holds on the whole engine whatever the {@code STATE_DIR}.
 */
class RunStartIT {
  static DockerFixture fx;

  @BeforeAll
  static void setUp() {
    fx = DockerFixture.create("runstart");
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void killedMidSnapshot_nextManualRunRepairsFirst_backsUpTheStoppedService_clearsStaleLock()
      throws Exception {
    BackupFailureIT.Stack s = BackupFailureIT.stack(fx, "kill9", Map.of(), Map.of());
    fx.exec(s.app(), "head -c 300000000 /dev/urandom > /data/big");
    String lock = EngineLock.name(s.project());

    Process p = startBackup(s.env(), s.state().resolve("killed.log"));
    awaitStopped(s.state(), p, Duration.ofSeconds(90));
    assertTrue(lockExists(lock), "the run holds the engine lock");
    p.destroyForcibly(); // SIGKILL: no shutdown hook, nothing cleaned up
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertFalse(fx.state(s.app()).running(), "the crash left the app stopped");
    assertTrue(lockExists(lock), "the killed run left its lock behind");

    Cli.Result r = Cli.run(s.env(), "backup");

    assertEquals(0, r.exit(), r::toString);
    assertTrue(r.log().contains("removing the stale engine lock"), r::toString);
    assertTrue(fx.state(s.app()).running(), "the app runs again");
    List<JsonNode> records = Cli.records(s.state());
    assertEquals(2, records.size(), records::toString);
    assertEquals("failed", records.get(0).get("state").asText(), records.get(0)::toString);
    assertTrue(records.get(0).get("error").asText().contains("repaired"));
    JsonNode next = records.get(1);
    assertEquals("succeeded", next.get("state").asText(), next::toString);
    assertTrue(Cli.steps(next).contains("stop app=ok"), next::toString);
    JsonNode snaps = new HostRestic(s.repo(), BackupFailureIT.PASSWORD).snapshots();
    List<String> services = new ArrayList<>();
    snaps.forEach(sn -> services.add(sn.get("tags").toString()));
    assertEquals(1, snaps.size(), snaps::toString);
    assertTrue(services.get(0).contains("service=app"), services::toString);
    assertFalse(lockExists(lock), "the lock is released at the end of the run");
  }

  @Test
  void secondStateDirSameHost_exits5NamingTheHolder_whileAnotherHostRuns() throws Exception {
    BackupFailureIT.Stack a =
        BackupFailureIT.stack(
            fx,
            "holder",
            Map.of(),
            // holds the run until the test opens the gate (at most 2 minutes): no race with a
            // slow machine, no time wasted on a fast one
            Map.of(
                "stack-back.hooks.pre.2.cmd",
                "i=0; until [ -f /shared/gate ] || [ $i -ge 600 ]; do sleep 0.2; i=$((i+1)); done"));
    BackupFailureIT.Stack other = BackupFailureIT.stack(fx, "otherhost", Map.of(), Map.of());
    Path stateA = a.state();
    Process first = startBackup(a.env(), stateA.resolve("first.log"));
    String lock = EngineLock.name(a.project());
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!a.journalLines().contains("pre:app:1@app") && System.nanoTime() < deadline) {
      assertTrue(first.isAlive(), "the first run ended early");
      Thread.sleep(100);
    }
    assertTrue(lockExists(lock));

    Map<String, String> envB = new HashMap<>(a.env());
    envB.put("STATE_DIR", fx.dir.resolve("holder-state-b").toString());
    Cli.Result second = Cli.run(envB, "backup");
    Cli.Result cleanup = Cli.run(envB, "cleanup");
    Cli.Result parallel = Cli.run(other.env(), "backup");

    assertEquals(5, second.exit(), second::toString);
    assertTrue(second.err().contains("pid " + first.pid()), second::toString);
    assertTrue(second.err().contains("STATE_DIR " + stateA), second::toString);
    assertTrue(second.err().contains(lock), second::toString);
    assertTrue(Cli.records(fx.dir.resolve("holder-state-b")).isEmpty(), "the busy run did nothing");
    assertEquals(5, cleanup.exit(), cleanup::toString);
    assertTrue(cleanup.err().contains("pid " + first.pid()), cleanup::toString);
    assertEquals(0, parallel.exit(), parallel::toString);
    assertTrue(first.isAlive(), "the other host's run finished while the first still ran");
    Files.writeString(a.journal().resolveSibling("gate"), "open\n");
    assertTrue(first.waitFor(2, TimeUnit.MINUTES));
    assertEquals(0, first.exitValue(), () -> log(stateA.resolve("first.log")));
    assertFalse(lockExists(lock));
  }

  static boolean lockExists(String name) {
    return DockerFixture.run("inspect", "--type", "container", name).exit() == 0;
  }

  static String log(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  static Process startBackup(Map<String, String> env, Path log) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path jar = Path.of("target", "stack-back.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "run `mvn package` first: " + jar);
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar.toString(), "backup");
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }

  /** Waits until the run record lists a stopped container. */
  static void awaitStopped(Path state, Process p, Duration limit) throws Exception {
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
