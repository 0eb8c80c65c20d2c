package dev.stackback.it;

import static dev.stackback.it.SidecarProject.exec;
import static dev.stackback.it.SidecarProject.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.it.SidecarProject.Result;
import dev.stackback.lock.EngineLock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The daemon (PID 1 of the sidecar) runs each scheduled backup in a child process and never loads
 * the Docker client itself: the run record's pid is a child of PID 1, and the daemon's own class
 * loading log (the JVM's {@code -Xlog:class+load}, added through STACK_BACK_DAEMON_JAVA_OPTS) has
 * no docker-java, Jackson, picocli or logback class, although it served /metrics and /healthz
 * (which show the child's run in progress). {@code docker stop} during that scheduled run reaches
 * the child: the stopped target is started again, the error and finally hooks run, the record says
 * interrupted.
 */
class DaemonChildIT {

  @Test
  void scheduledRunIsAChildOfTheDaemon_daemonNeverLoadsDockerClient_sigtermStopsTheChildSafely() {
    try (SidecarProject p = new SidecarProject("sbchild")) {
      String data = p.volume("data");
      String repo = p.volume("repo");
      String app =
          p.run(
              "app",
              List.of(
                  "--label",
                  "stack-back.volumes=true",
                  "--label",
                  "stack-back.volumes.stop-during-backup=true",
                  "-v",
                  data + ":/data"),
              SidecarProject.BUSYBOX,
              List.of(
                  "sh",
                  "-c",
                  "[ -f /data/big ] || head -c 300000000 /dev/urandom > /data/big; "
                      + "touch /data/ready; "
                      + SidecarProject.IDLE));
      String appId = SidecarProject.inspect(app, "{{.Id}}");
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(60), () -> exec(app, "test", "-f", "/data/ready").exit() == 0),
          "random data written");
      String sidecar =
          p.run(
              "backup",
              p.sidecarOptions(
                  repo,
                  "-e",
                  "CRON_SCHEDULE=*/5 * * * * *",
                  "-e",
                  "STACK_BACK_DAEMON_JAVA_OPTS=@/opt/stack-back/daemon.options"
                      + " -Xlog:class+load:file=/state/daemon-classes.txt",
                  "--label",
                  "stack-back.hooks.error.1.cmd=echo error >> /state/marks",
                  "--label",
                  "stack-back.hooks.finally.1.cmd=echo finally >> /state/marks"),
              SidecarProject.IMAGE,
              List.of()); // the image's default command: daemon

      // the scheduled run, while it has the app stopped
      AtomicReference<JsonNode> running = new AtomicReference<>();
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(60),
              () -> {
                Optional<JsonNode> r =
                    SidecarProject.runRecords(sidecar).stream()
                        .filter(x -> x.path("stopped").toString().contains(appId))
                        .findFirst();
                r.ifPresent(running::set);
                return r.isPresent();
              }),
          "no scheduled run stopped the app; logs:\n"
              + SidecarProject.docker(Duration.ofSeconds(10), "logs", sidecar));
      JsonNode rec = running.get();
      assertEquals("schedule", rec.path("trigger").asText(), rec.toString());
      long pid = rec.path("pid").asLong();
      assertTrue(pid > 1, "the run is not the daemon (PID 1): " + rec);
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm is "java"
      String stat = ok(exec(sidecar, "cat", "/proc/" + pid + "/stat")).out();
      assertEquals("1", stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1], stat);
      assertTrue(
          ok(exec(sidecar, "cat", "/proc/1/cmdline")).out().contains("daemon"),
          "PID 1 is the daemon");

      // the daemon's /metrics and /healthz (METRICS_PORT 9464 in the image) see the child's run
      String metrics =
          ok(exec(sidecar, "wget", "-q", "-O", "-", "http://127.0.0.1:9464/metrics")).out();
      assertTrue(metrics.contains("\nstackback_run_in_progress 1\n"), metrics);
      String health =
          ok(exec(sidecar, "wget", "-q", "-O", "-", "http://127.0.0.1:9464/healthz")).out();
      assertTrue(health.contains("\"state\":\"running\""), health);

      ok(SidecarProject.docker(Duration.ofSeconds(90), "stop", "-t", "60", sidecar));
      String logs = SidecarProject.docker(Duration.ofSeconds(10), "logs", sidecar).err();
      assertEquals("143", SidecarProject.inspect(sidecar, "{{.State.ExitCode}}"), logs);
      assertEquals("true", SidecarProject.inspect(app, "{{.State.Running}}"), logs);
      assertTrue(logs.contains("scheduled backup finished with exit code"), logs);

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
                  "cat /state/marks; echo '--marks--'; cat /state/daemon-classes.txt;"
                      + " echo '--classes--'; "
                      + SidecarProject.CAT_RECORDS));
      String[] parts = state.out().split("--marks--|--classes--");
      assertEquals(List.of("error", "finally"), List.of(parts[0].trim().split("\n")), state.out());
      String classes = parts[1];
      assertTrue(classes.contains("dev.stackback.cli.DaemonCommand"), "the class log works");
      assertTrue(classes.contains("dev.stackback.cli.ChildRuns"), "the class log works");
      assertFalse(classes.contains("com.github.dockerjava"), "the daemon loaded docker-java");
      assertFalse(
          classes.contains("dev.stackback.docker."), "the daemon loaded our Docker adapter");
      assertFalse(
          classes.contains("dev.stackback.restic."), "the daemon loaded the restic adapter");
      List<JsonNode> records = SidecarProject.parseRecords(parts[2]);
      JsonNode ended =
          records.stream()
              .filter(r -> r.path("id").asText().equals(rec.path("id").asText()))
              .findFirst()
              .orElseThrow();
      assertEquals("failed", ended.path("state").asText(), ended.toString());
      assertTrue(ended.path("error").asText().contains("interrupted"), ended.toString());
      assertEquals(0, ended.path("stopped").size(), ended.toString());
      assertNotEquals(
          "running",
          records.stream()
              .map(r -> r.path("state").asText())
              .filter("running"::equals)
              .findAny()
              .orElse(""),
          records.toString());
      assertEquals(List.of(), CrashRecoveryIT.workers(p.name, false), "no worker left");
      assertEquals(
          1,
          SidecarProject.docker(Duration.ofSeconds(10), "inspect", EngineLock.name(p.name)).exit(),
          "the engine lock was released on the SIGTERM path");
    }
  }
}
