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
 * {@code docker stop} of the sidecar while a backup started by hand ({@code docker exec ...
 * stack-back backup}) has a stop-during-backup target down: the daemon passes SIGTERM on to the
 * manual run and waits for it, so the target is started again and the error and finally hooks run
 * before the container stops.
 */
class SidecarSigtermIT {

  @Test
  void sidecarStoppedDuringManualRun_manualRunStopsSafely_appRunning_hooksRan_recordInterrupted() {
    try (SidecarProject p = new SidecarProject("sbterm")) {
      String data = p.volume("data");
      String repo = p.volume("repo");
      String app = p.slowStopDuringBackupApp(data, 300000000L);
      String appId = SidecarProject.inspect(app, "{{.Id}}");
      String sidecar =
          p.run(
              "backup",
              p.sidecarOptions(
                  repo,
                  "-e",
                  "CRON_SCHEDULE=0 0 1 1 *",
                  "--label",
                  "stack-back.hooks.error.1.cmd=echo error >> /state/marks",
                  "--label",
                  "stack-back.hooks.finally.1.cmd=echo finally >> /state/marks"),
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

      ok(SidecarProject.docker(Duration.ofSeconds(90), "stop", "-t", "60", sidecar));
      Result manual = backup.await(Duration.ofSeconds(30));

      assertNotEquals(0, manual.exit(), manual.toString());
      assertEquals("true", SidecarProject.inspect(app, "{{.State.Running}}"), manual.toString());
      String logs = SidecarProject.docker(Duration.ofSeconds(10), "logs", sidecar).err();
      assertTrue(logs.contains("other stack-back process(es) in this container"), logs);
      // the sidecar is stopped: read its /state through a throwaway container
      Result state =
          ok(
              SidecarProject.docker(
                  Duration.ofSeconds(60),
                  "run",
                  "--rm",
                  "--volumes-from",
                  sidecar,
                  SidecarProject.BUSYBOX,
                  "sh",
                  "-c",
                  "cat /state/marks; echo '--marks--'; " + SidecarProject.CAT_RECORDS));
      String[] parts = state.out().split("--marks--");
      assertEquals(List.of("error", "finally"), List.of(parts[0].trim().split("\n")), state.out());
      List<JsonNode> records = SidecarProject.parseRecords(parts[1]);
      assertEquals(1, records.size(), records.toString());
      JsonNode rec = records.get(0);
      assertEquals("manual", rec.path("trigger").asText(), rec.toString());
      assertEquals("failed", rec.path("state").asText(), rec.toString());
      assertTrue(rec.path("error").asText().contains("interrupted"), rec.toString());
      assertEquals(0, rec.path("stopped").size(), rec.toString());
      assertEquals(List.of(), CrashRecoveryIT.workers(p.name, false), "no worker left");
      assertEquals(
          1,
          SidecarProject.docker(Duration.ofSeconds(10), "inspect", EngineLock.name(p.name)).exit(),
          "the engine lock was released on the SIGTERM path");
    }
  }
}
