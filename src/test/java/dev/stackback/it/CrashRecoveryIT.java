package dev.stackback.it;

import static dev.stackback.it.SidecarProject.exec;
import static dev.stackback.it.SidecarProject.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.it.SidecarProject.Result;
import dev.stackback.it.SidecarProject.Running;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the sidecar while a stop-during-backup target is stopped and its worker is
 * still reading; the daemon's next start repairs the run.
 */
class CrashRecoveryIT {

  @Test
  void killedMidSnapshot_nextDaemonStartRepairs_andTheNextBackupSucceeds() {
    try (SidecarProject p = new SidecarProject("sbcrash")) {
      String data = p.volume("data");
      String repo = p.volume("repo");
      String app = p.slowStopDuringBackupApp(data, 400000000L);
      String appId = SidecarProject.inspect(app, "{{.Id}}");
      // daemon as PID 1 (schedule far away): killing the container kills every stack-back in it
      String sidecar =
          p.run(
              "backup",
              p.sidecarOptions(repo, "-e", "CRON_SCHEDULE=0 0 1 1 *"),
              SidecarProject.IMAGE,
              List.of());
      ok(exec(sidecar, "restic", "init")); // so the slow part is the snapshot, not the init

      Running backup =
          SidecarProject.start(
              List.of("docker", "exec", sidecar, "stack-back", "backup"), Map.of());
      AtomicReference<JsonNode> interrupted = new AtomicReference<>();
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(60),
              () ->
                  SidecarProject.runRecords(sidecar).stream()
                      .filter(r -> r.path("stopped").toString().contains(appId))
                      .peek(interrupted::set)
                      .findFirst()
                      .isPresent()),
          "the run never recorded the app as stopped");
      // kill while restic runs in the run's worker (it is started before the first stop)
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(30),
              () ->
                  workers(p.name, true).stream()
                      .anyMatch(
                          w ->
                              SidecarProject.docker(Duration.ofSeconds(10), "top", w)
                                  .out()
                                  .contains("restic"))),
          "restic never ran in a worker");
      ok(SidecarProject.docker(Duration.ofSeconds(30), "kill", "-s", "KILL", sidecar));
      Result killed = backup.await(Duration.ofSeconds(30));
      assertEquals("false", SidecarProject.inspect(app, "{{.State.Running}}"), "app left stopped");
      List<String> workers = workers(p.name, true);
      assertEquals(1, workers.size(), "the orphan worker still runs: " + workers + killed);

      ok(SidecarProject.docker(Duration.ofSeconds(30), "start", sidecar));
      String runId = interrupted.get().path("id").asText();
      AtomicReference<JsonNode> repaired = new AtomicReference<>();
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(60),
              () ->
                  SidecarProject.runRecords(sidecar).stream()
                      .filter(r -> r.path("id").asText().equals(runId))
                      .filter(r -> r.path("state").asText().equals("failed"))
                      .peek(repaired::set)
                      .findFirst()
                      .isPresent()),
          "the daemon did not repair run " + runId);
      JsonNode record = repaired.get();
      assertTrue(record.path("error").asText().contains("repaired"), record.toString());
      assertEquals(0, record.path("stopped").size(), record.toString());
      assertEquals("true", SidecarProject.inspect(app, "{{.State.Running}}"));
      assertEquals(List.of(), workers(p.name, false), "orphan worker removed");
      String logs = SidecarProject.docker(Duration.ofSeconds(10), "logs", sidecar).err();
      assertTrue(logs.contains("removing orphan worker container"), logs);
      // the worker got SIGINT before removal: restic removed its lock
      Result locks = ok(exec(sidecar, "restic", "list", "locks", "--no-lock"));
      assertEquals("", locks.out().trim(), locks.toString());

      Result next = exec(sidecar, "stack-back", "backup");
      assertEquals(0, next.exit(), next.toString());
      assertEquals(1, SidecarProject.snapshots(sidecar).size());
    }
  }

  /** Worker containers of host {@code project} (only running ones, or all). */
  static List<String> workers(String project, boolean running) {
    String out =
        ok(SidecarProject.docker(
                Duration.ofSeconds(30),
                "ps",
                running ? "-q" : "-aq",
                "--filter",
                "label=stack-back.worker=true",
                "--filter",
                "label=stack-back.worker.host=" + project))
            .out()
            .trim();
    return out.isEmpty() ? List.of() : List.of(out.split("\n"));
  }
}
