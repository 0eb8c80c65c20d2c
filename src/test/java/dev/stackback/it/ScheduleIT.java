package dev.stackback.it;

import static dev.stackback.it.SidecarProject.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sidecar's default command, {@code daemon}, on a CRON_SCHEDULE with seconds. */
class ScheduleIT {

  @Test
  void daemon_backsUpOnItsSchedule_andStopsCleanlyOnSigterm() {
    try (SidecarProject p = new SidecarProject("sbsch")) {
      String data = p.volume("data");
      String repo = p.volume("repo");
      String state = p.volume("state");
      String app =
          p.run(
              "app",
              List.of("--label", "stack-back.volumes=true", "-v", data + ":/data"),
              SidecarProject.BUSYBOX,
              List.of("sh", "-c", "echo scheduled > /data/hello.txt; " + SidecarProject.IDLE));
      long t0 = System.nanoTime();
      String sidecar =
          p.run(
              "backup",
              p.sidecarOptions(repo, "-e", "CRON_SCHEDULE=*/5 * * * * *", "-v", state + ":/state"),
              SidecarProject.IMAGE,
              List.of()); // the image's default command: daemon

      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(25),
              () -> {
                var r = exec(sidecar, "restic", "--no-lock", "snapshots", "--json");
                return r.exit() == 0 && SidecarProject.json(r.out()).size() > 0;
              }),
          "no scheduled snapshot within 25 s; logs:\n"
              + SidecarProject.docker(Duration.ofSeconds(10), "logs", sidecar));
      long firstSnapshotMs = (System.nanoTime() - t0) / 1_000_000;
      JsonNode snap = SidecarProject.snapshots(sidecar).get(0);
      assertEquals("/volumes/app/data", snap.path("paths").get(0).asText());
      assertEquals(
          "scheduled\n",
          // the run's maintenance (forget + prune + check) may still hold its lock: wait for it.
          // restic 0.19 prints "repo already locked, waiting ..." on stdout, so the file is
          // written with --target and read back on its own.
          SidecarProject.ok(
                  exec(
                      sidecar,
                      "sh",
                      "-c",
                      "restic --retry-lock 2m dump --target /tmp/hello.txt latest"
                          + " /volumes/app/data/hello.txt >/dev/null && cat /tmp/hello.txt"))
              .out());

      // SIGTERM between runs: the first run (snapshot, then forget + prune + check) has ended
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(60),
              () ->
                  SidecarProject.docker(Duration.ofSeconds(10), "logs", sidecar)
                      .err()
                      .contains("scheduled backup finished with exit code 0")),
          "the first scheduled run did not end within 60 s");
      long t1 = System.nanoTime();
      SidecarProject.ok(SidecarProject.docker(Duration.ofSeconds(90), "stop", "-t", "60", sidecar));
      long stopMs = (System.nanoTime() - t1) / 1_000_000;
      String logs = SidecarProject.docker(Duration.ofSeconds(10), "logs", sidecar).err();
      // SIGTERM handled (the JVM exits 143 after its shutdown hook), not SIGKILLed after 60 s
      assertEquals("143", SidecarProject.inspect(sidecar, "{{.State.ExitCode}}"), logs);
      assertTrue(stopMs < 30_000, "docker stop took " + stopMs + " ms");
      assertTrue(logs.contains("SIGTERM: stopping"), logs);
      assertTrue(logs.contains("scheduled backup finished with exit code 0"), logs);
      assertEquals("true", SidecarProject.inspect(app, "{{.State.Running}}"), logs);
      // no run left 'running' in the state volume
      var records =
          SidecarProject.ok(
                  SidecarProject.docker(
                      Duration.ofSeconds(30),
                      "run",
                      "--rm",
                      "-v",
                      state + ":/state",
                      SidecarProject.BUSYBOX,
                      "sh",
                      "-c",
                      SidecarProject.CAT_RECORDS))
              .out();
      List<String> states =
          SidecarProject.parseRecords(records).stream().map(r -> r.path("state").asText()).toList();
      assertTrue(states.contains("succeeded"), records);
      assertTrue(!states.contains("running"), records);
      System.out.printf(
          "ScheduleIT: first scheduled snapshot after %d ms, docker stop took %d ms%n",
          firstSnapshotMs, stopMs);
    }
  }

  @Test
  void invalidCronSchedule_exits2_namingTheVariable() {
    try (SidecarProject p = new SidecarProject("sbschbad")) {
      String repo = p.volume("repo");
      String sidecar =
          p.run(
              "backup",
              p.sidecarOptions(repo, "-e", "CRON_SCHEDULE=every day at noon"),
              SidecarProject.IMAGE,
              List.of());
      var waited = SidecarProject.docker(Duration.ofSeconds(60), "wait", sidecar);
      String logs = SidecarProject.docker(Duration.ofSeconds(10), "logs", sidecar).err();
      assertEquals("2", waited.out().trim(), logs);
      assertTrue(logs.contains("CRON_SCHEDULE"), logs);
    }
  }
}
