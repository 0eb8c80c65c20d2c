package dev.stackback.it;

import static dev.stackback.it.SidecarProject.exec;
import static dev.stackback.it.SidecarProject.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.it.SidecarProject.Result;
import dev.stackback.it.SidecarProject.Running;
import dev.stackback.lock.EngineLock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of a manual backup inside the sidecar (the daemon goes on running) while a
 * stop-during-backup target is down: the next manual backup clears the stale engine lock, repairs
 * the run before it plans, and so backs up the service the crash left stopped.
 */
class SidecarCrashIT {

  @Test
  void manualRunKilledMidSnapshot_nextManualRunRepairsFirst_andBacksTheServiceUp() {
    try (SidecarProject p = new SidecarProject("sbkill")) {
      String data = p.volume("data");
      String repo = p.volume("repo");
      String app = p.slowStopDuringBackupApp(data, 300000000L);
      String appId = SidecarProject.inspect(app, "{{.Id}}");
      String sidecar =
          p.run(
              "backup",
              p.sidecarOptions(repo, "-e", "CRON_SCHEDULE=0 0 1 1 *"),
              SidecarProject.IMAGE,
              List.of());
      ok(exec(sidecar, "restic", "init"));

      Running backup =
          SidecarProject.start(
              List.of("docker", "exec", sidecar, "stack-back", "backup"), Map.of());
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(60),
              () ->
                  SidecarProject.runRecords(sidecar).stream()
                      .anyMatch(r -> r.path("stopped").toString().contains(appId))),
          "the run never recorded the app as stopped");
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(30), () -> !CrashRecoveryIT.workers(p.name, true).isEmpty()),
          "no worker started");
      String lock = EngineLock.name(p.name);
      String pid = SidecarProject.inspect(lock, "{{index .Config.Labels \"stack-back.lock.pid\"}}");
      ok(exec(sidecar, "kill", "-9", pid));
      Result killed = backup.await(Duration.ofSeconds(30));
      assertNotEquals(0, killed.exit(), killed.toString());
      assertEquals("false", SidecarProject.inspect(app, "{{.State.Running}}"), "app left stopped");
      assertEquals("true", SidecarProject.inspect(sidecar, "{{.State.Running}}"));

      Result next = exec(sidecar, "stack-back", "backup");

      assertEquals(0, next.exit(), next.toString());
      assertTrue(next.err().contains("removing the stale engine lock"), next.toString());
      assertEquals("true", SidecarProject.inspect(app, "{{.State.Running}}"));
      JsonNode snaps = SidecarProject.snapshots(sidecar);
      assertEquals(1, snaps.size(), snaps.toString());
      assertTrue(snaps.get(0).path("tags").toString().contains("service=app"), snaps.toString());
      List<JsonNode> records = SidecarProject.runRecords(sidecar);
      assertEquals(2, records.size(), records.toString());
      assertEquals("failed", records.get(0).path("state").asText());
      assertEquals("succeeded", records.get(1).path("state").asText());
      assertEquals(List.of(), CrashRecoveryIT.workers(p.name, false), "orphan worker removed");
      assertEquals(1, SidecarProject.docker(Duration.ofSeconds(10), "inspect", lock).exit());
    }
  }
}
