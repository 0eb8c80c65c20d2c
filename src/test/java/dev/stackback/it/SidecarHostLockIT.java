package dev.stackback.it;

import static dev.stackback.it.SidecarProject.exec;
import static dev.stackback.it.SidecarProject.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.it.SidecarProject.Result;
import dev.stackback.it.SidecarProject.Running;
import dev.stackback.lock.EngineLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The host jar and the sidecar back up one project with different {@code STATE_DIR}s: while a
 * manual run in the sidecar holds the engine lock, the host jar exits 5 naming it (it looks into
 * the sidecar's {@code /proc} to see that the holder lives); after {@code kill -9} of that run the
 * host jar finds the lock stale the same way, removes it and backs up.
 */
class SidecarHostLockIT {

  @Test
  void sidecarRunHoldsTheHost_hostJarExits5_afterKill9HostJarClearsTheLockAndBacksUp()
      throws Exception {
    Path repo = Files.createTempDirectory("sbhostlock-repo");
    try (SidecarProject p = new SidecarProject("sbhostlock")) {
      String data = p.volume("data");
      String app =
          p.run(
              "app",
              List.of(
                  "--label",
                  "stack-back.volumes=true",
                  "--label",
                  "stack-back.hooks.pre.1.cmd=sleep 6",
                  "-v",
                  data + ":/data"),
              SidecarProject.BUSYBOX,
              List.of("sh", "-c", "echo x > /data/x; " + SidecarProject.IDLE));
      String sidecar =
          p.run(
              "backup",
              List.of(
                  "-v",
                  SidecarImageIT.dockerSocket() + ":/var/run/docker.sock",
                  "-v",
                  repo + ":" + repo,
                  "-e",
                  "RESTIC_REPOSITORY=" + repo,
                  "-e",
                  "RESTIC_PASSWORD=" + SidecarProject.PASSWORD),
              SidecarProject.IMAGE,
              List.of("sh", "-c", SidecarProject.IDLE));
      ok(exec(sidecar, "restic", "init"));
      Map<String, String> hostEnv = new HashMap<>();
      hostEnv.put("RESTIC_REPOSITORY", repo.toString());
      hostEnv.put("RESTIC_PASSWORD", SidecarProject.PASSWORD);
      hostEnv.put("STACK_BACK_CONTAINER", sidecar);
      hostEnv.put("STATE_DIR", repo.resolveSibling(repo.getFileName() + "-state").toString());
      String lock = EngineLock.name(p.name);

      Running inSidecar =
          SidecarProject.start(
              List.of("docker", "exec", sidecar, "stack-back", "backup"), Map.of());
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(30),
              () -> SidecarProject.docker(Duration.ofSeconds(10), "inspect", lock).exit() == 0),
          "the sidecar's run never took the engine lock");
      String pid = SidecarProject.inspect(lock, "{{index .Config.Labels \"stack-back.lock.pid\"}}");

      Cli.Result busy = Cli.run(hostEnv, "backup");

      assertEquals(5, busy.exit(), busy::toString);
      assertTrue(
          busy.err().contains("pid " + pid + " in container '" + sidecar + "'"), busy::toString);
      assertTrue(busy.err().contains("STATE_DIR /state"), busy::toString);

      // kill it in its pre hook, after its repository check: a restic still running in the
      // sidecar when its JVM dies leaves a lock only a restic in the sidecar can judge stale
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(30),
              () -> exec(app, "sh", "-c", "ps | grep -q '[s]leep 6'").exit() == 0),
          "the sidecar's run never reached its pre hook");
      ok(exec(sidecar, "kill", "-9", pid));
      Result killed = inSidecar.await(Duration.ofSeconds(30));
      assertNotEquals(0, killed.exit(), killed.toString());
      assertEquals(0, SidecarProject.docker(Duration.ofSeconds(10), "inspect", lock).exit());

      Cli.Result next = Cli.run(hostEnv, "backup");

      assertEquals(0, next.exit(), next::toString);
      assertTrue(next.log().contains("removing the stale engine lock"), next::toString);
      assertTrue(next.log().contains("is not running in its container"), next::toString);
      assertEquals(1, SidecarProject.snapshots(sidecar).size());
      assertEquals(1, SidecarProject.docker(Duration.ofSeconds(10), "inspect", lock).exit());
    } finally {
      // restic in the sidecar wrote as root: remove through a container of the same user
      SidecarProject.docker(
          Duration.ofSeconds(60),
          "run",
          "--rm",
          "-v",
          repo.getParent() + ":/parent",
          SidecarProject.BUSYBOX,
          "rm",
          "-rf",
          "/parent/" + repo.getFileName(),
          "/parent/" + repo.getFileName() + "-state");
      deleteQuietly(repo);
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      DockerFixture.deleteTree(dir);
    } catch (UncheckedIOException e) {
      if (!(e.getCause() instanceof IOException)) {
        throw e;
      }
    }
  }
}
