package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Docker engine killed mid-snapshot (issue 9): the host jar runs against a private engine ({@code
 * scripts/private-engine.sh}: own netns, mount and UTS namespace, socket and data root; the main
 * engine is never touched), whose dockerd and everything it ran are SIGKILLed while a
 * stop-during-backup service is down and its snapshot runs in the worker. The run fails without a
 * stack trace and closes its record; after the engine is back, the next run starts the service
 * again, clears the dead worker's restic lock and succeeds. Needs root (namespaces): skipped
 * without it.
 */
class EngineKillIT {
  private static final Path SCRIPT = Path.of("scripts", "private-engine.sh").toAbsolutePath();
  private static final String PASSWORD = "engine-kill-password";

  static String name;
  static Path dir;
  static Map<String, String> engineEnv;
  static String socket;

  @BeforeAll
  static void setUp() {
    assumeTrue(
        "0".equals(DockerFixture.command(List.of("id", "-u"), Map.of()).output().strip()),
        "needs root: a private Docker engine in its own namespaces");
    for (String tool : List.of("unshare", "nsenter", "ip", "dockerd")) {
      assumeTrue(
          DockerFixture.command(List.of("sh", "-c", "command -v " + tool), Map.of()).exit() == 0,
          "needs " + tool);
    }
    name = "ek" + UUID.randomUUID().toString().substring(0, 6);
    dir = Path.of("/tmp", "sbit-enginekill-" + name);
    engineEnv = Map.of("PE_NAME", name, "PE_DIR", dir.resolve("engine").toString());
    engine("up");
    socket = engine("socket");
  }

  @AfterAll
  static void tearDown() {
    if (name != null) {
      engine("purge");
      DockerFixture.deleteTree(dir);
    }
  }

  @Test
  void engineKilledMidSnapshot_runFailsCleanly_nextRunRepairsClearsTheLockAndSucceeds()
      throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Path state = dir.resolve("state");
    String project = "ek-" + name;
    String data = pe("volume", "create", project + "-data");
    pe(
        "run",
        "-d",
        "--name",
        project + "-backup",
        "--restart",
        "always",
        "--label",
        "com.docker.compose.project=" + project,
        "--label",
        "com.docker.compose.service=backup",
        "-v",
        repo + ":" + repo,
        DockerFixture.IMAGE,
        "sh",
        "-c",
        DockerFixture.IDLE);
    pe(
        "run",
        "-d",
        "--name",
        project + "-app",
        "--label",
        "com.docker.compose.project=" + project,
        "--label",
        "com.docker.compose.service=app",
        "--label",
        "stack-back.volumes=true",
        "--label",
        "stack-back.volumes.stop-during-backup=true",
        "-v",
        data + ":/data",
        DockerFixture.IMAGE,
        "sh",
        "-c",
        "head -c 150000000 /dev/urandom > /data/big; " + DockerFixture.IDLE);
    awaitFile(project + "-app", "/data/big", 150_000_000L);
    Map<String, String> env = new HashMap<>();
    env.put("DOCKER_HOST", socket);
    env.put("RESTIC_REPOSITORY", repo.toString());
    env.put("RESTIC_PASSWORD", PASSWORD);
    env.put("STATE_DIR", state.toString());
    env.put("STACK_BACK_CONTAINER", project + "-backup");
    env.put("STOP_TIMEOUT", "5s");
    new HostRestic(repo, PASSWORD).init();

    Process first = RunStartIT.startBackup(env, dir.resolve("first.log"));
    awaitWorkerLock(project, repo, first);
    long killed = System.nanoTime();
    engine("kill");

    assertTrue(first.waitFor(2, TimeUnit.MINUTES), "the run did not end after the engine died");
    long endedMs = (System.nanoTime() - killed) / 1_000_000;
    String log = RunStartIT.log(dir.resolve("first.log"));
    assertEquals(4, first.exitValue(), log); // the app could not be started again
    assertFalse(log.contains("\tat ") || log.contains("Exception in thread"), log);
    List<JsonNode> records = Cli.records(state);
    assertEquals(1, records.size(), records::toString);
    JsonNode rec = records.get(0);
    assertEquals("failed", rec.get("state").asText(), rec::toString);
    assertTrue(rec.get("endedAt").isTextual(), rec::toString);
    assertEquals(1, locks(repo).size(), "the killed worker's restic left its lock");
    System.out.println(
        "run ended " + endedMs + " ms after the engine was killed; exit " + first.exitValue());

    engine("up");
    assertEquals("false", pe("inspect", "-f", "{{.State.Running}}", project + "-app"));
    Process second = RunStartIT.startBackup(env, dir.resolve("second.log"));
    assertTrue(second.waitFor(3, TimeUnit.MINUTES));
    String log2 = RunStartIT.log(dir.resolve("second.log"));

    assertEquals(0, second.exitValue(), log2);
    assertEquals(
        "true",
        pe("inspect", "-f", "{{.State.Running}}", project + "-app"),
        () -> log2 + "\nfirst record: " + rec + "\nfirst log: " + log);
    assertEquals(List.of(), locks(repo), log2);
    assertTrue(log2.contains("restic unlock as a fresh worker"), log2);
    records = Cli.records(state);
    assertEquals(2, records.size(), records::toString);
    // the killed run closed its own record; this run's recovery started what it left stopped
    JsonNode killedRun = records.get(0);
    assertEquals("failed", killedRun.get("state").asText(), killedRun::toString);
    assertEquals(0, killedRun.get("stopped").size(), killedRun::toString);
    assertTrue(Cli.steps(killedRun).contains("start " + project + "-app=ok"), killedRun::toString);
    JsonNode next = records.get(1);
    assertEquals("succeeded", next.get("state").asText(), next::toString);
    assertTrue(Cli.steps(next).contains("snapshot app=ok"), next::toString);
    assertTrue(Cli.steps(next).contains("forget + prune=ok"), next::toString);
    HostRestic host = new HostRestic(repo, PASSWORD);
    assertEquals(1, host.snapshots().size());
    host.ok("check");
    assertEquals("", pe("ps", "-aq", "--filter", "label=stack-back.worker=true"));
  }

  /** Waits until restic runs in a worker on the private engine and the repository has a lock. */
  private static void awaitWorkerLock(String project, Path repo, Process run) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < end) {
      assertTrue(
          run.isAlive(), () -> "the run ended early: " + RunStartIT.log(dir.resolve("first.log")));
      String worker = pe("ps", "-q", "--filter", "label=stack-back.worker.host=" + project);
      // the worker starts before the pre hooks (its head start): wait for its restic
      if (!worker.isEmpty()
          && DockerFixture.command(
                  List.of("docker", "-H", socket, "top", worker.split("\\s+")[0]), Map.of())
              .output()
              .contains("restic")
          && writtenLocks(repo) > 0) {
        Thread.sleep(300);
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no worker locked the repository");
  }

  private static void awaitFile(String container, String path, long size) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < end) {
      DockerFixture.Result r =
          DockerFixture.command(
              List.of("docker", "-H", socket, "exec", container, "stat", "-c", "%s", path),
              Map.of());
      if (r.exit() == 0 && Long.parseLong(r.output().strip()) >= size) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(path + " was not written in " + container);
  }

  private static long writtenLocks(Path repo) throws Exception {
    Path locks = repo.resolve("locks");
    if (!Files.isDirectory(locks)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(locks)) {
      return files.filter(f -> f.toFile().length() > 0).count();
    }
  }

  private static List<String> locks(Path repo) throws Exception {
    Path locks = repo.resolve("locks");
    if (!Files.isDirectory(locks)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(locks)) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }

  /** {@code docker -H <private engine> args...}; fails unless it exits 0; trimmed output. */
  private static String pe(String... args) {
    List<String> argv = new ArrayList<>(List.of("docker", "-H", socket));
    argv.addAll(List.of(args));
    DockerFixture.Result r = DockerFixture.command(argv, Map.of());
    if (r.exit() != 0) {
      throw new AssertionError(String.join(" ", argv) + " failed: " + r.output());
    }
    return r.output().strip();
  }

  /** {@code scripts/private-engine.sh cmd}; fails unless it exits 0; trimmed output. */
  private static String engine(String cmd) {
    DockerFixture.Result r = DockerFixture.command(List.of(SCRIPT.toString(), cmd), engineEnv);
    if (r.exit() != 0) {
      throw new AssertionError("private-engine.sh " + cmd + " failed: " + r.output());
    }
    return r.output().strip();
  }
}
