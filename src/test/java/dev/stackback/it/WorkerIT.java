package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One worker container per run, against the real engine: three stop-during-backup services are each
 * stopped and started again while the run's single worker holds all their volumes, the worker is
 * gone afterwards, and the snapshots read back right; a container that does not stay up after its
 * restart makes the run exit 4 with a message that says what happened.
 */
class WorkerIT {
  static final String PASSWORD = "pw-" + UUID.randomUUID();
  static final String WORKER_HOST = "stack-back.worker.host";

  static DockerFixture fx;
  static final List<String> PROJECTS = new ArrayList<>();

  @BeforeAll
  static void setUp() {
    fx = DockerFixture.create("worker");
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      // a worker a failing run left behind would hold our volumes
      for (String project : PROJECTS) {
        workersLeft(project).forEach(id -> DockerFixture.run("rm", "-f", id));
      }
      fx.close();
    }
  }

  record Project(String name, Path repo, Map<String, String> env) {}

  /** The stack-back stand-in plus {@code services} (stop during backup, one volume each). */
  static Project project(String name, Map<String, String> scripts) {
    return project(name, scripts, Map.of());
  }

  static Project project(String name, Map<String, String> scripts, Map<String, String> self) {
    String project = fx.project(name);
    PROJECTS.add(project);
    Path repo = fx.hostDir(name + "-repo");
    fx.container(project, "backup").mount(repo.toString(), repo.toString()).labels(self).start();
    scripts.forEach(
        (service, script) ->
            fx.container(project, service)
                .mount(fx.volume(name + "-" + service), "/data")
                .label("stack-back.volumes", "true")
                .label("stack-back.volumes.stop-during-backup", "true")
                .script(script)
                .start());
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", repo.toString());
    env.put("RESTIC_PASSWORD", PASSWORD);
    env.put("STATE_DIR", fx.dir.resolve(name + "-state").toString());
    env.put("STACK_BACK_CONTAINER", project + "-backup");
    env.put("STOP_TIMEOUT", "5s");
    env.put("MAINTENANCE_SCHEDULE", "0 3 * * *");
    return new Project(project, repo, env);
  }

  /** Worker containers of {@code project} created between {@code since} and now. */
  static List<String> workersCreated(String project, Instant since) {
    String out =
        DockerFixture.docker(
            "events",
            "--since",
            String.valueOf(since.getEpochSecond() - 1),
            "--until",
            String.valueOf(Instant.now().getEpochSecond() + 1),
            "--filter",
            "type=container",
            "--filter",
            "event=create",
            "--filter",
            "label=" + WORKER_HOST + "=" + project,
            "--format",
            "{{.ID}}");
    return out.isBlank() ? List.of() : List.of(out.split("\\s+"));
  }

  static List<String> workersLeft(String project) {
    String out =
        DockerFixture.docker("ps", "-aq", "--filter", "label=" + WORKER_HOST + "=" + project);
    return out.isBlank() ? List.of() : List.of(out.split("\\s+"));
  }

  @Test
  void threeStoppedServices_oneWorker_eachStoppedAndStartedWhileItHoldsTheVolumes_goneAfter()
      throws Exception {
    String idle = DockerFixture.IDLE;
    Project p = project("three", new TreeMap<>(Map.of("a", idle, "b", idle, "c", idle)));
    Map<String, DockerFixture.State> before = new TreeMap<>();
    for (String s : List.of("a", "b", "c")) {
      fx.exec(p.name() + "-" + s, "echo content-of-" + s + " > /data/file");
      before.put(s, fx.state(p.name() + "-" + s));
    }
    Instant t0 = Instant.now();

    Cli.Result r = Cli.run(p.env(), "backup");

    assertEquals(0, r.exit(), r::toString);
    assertEquals(1, workersCreated(p.name(), t0).size(), "one worker container per run");
    assertEquals(List.of(), workersLeft(p.name()), "the worker is removed after the run");
    for (String s : List.of("a", "b", "c")) {
      DockerFixture.State after = fx.state(p.name() + "-" + s);
      assertTrue(after.running(), s + " is not running again");
      // stopped and started again although the worker had its volume mounted all along
      assertNotEquals(before.get(s).startedAt(), after.startedAt(), s + " was never restarted");
    }
    JsonNode rec = Cli.records(Path.of(p.env().get("STATE_DIR"))).get(0);
    assertEquals(
        List.of(
            "check repository=ok",
            "stop a=ok",
            "snapshot a=ok",
            "start a=ok",
            "stop b=ok",
            "snapshot b=ok",
            "start b=ok",
            "stop c=ok",
            "snapshot c=ok",
            "start c=ok"),
        Cli.steps(rec));
    HostRestic restic = new HostRestic(p.repo(), PASSWORD);
    JsonNode snaps = restic.snapshots();
    assertEquals(3, snaps.size(), snaps::toString);
    List<String> services = new ArrayList<>();
    for (JsonNode snap : snaps) {
      String service = "";
      for (JsonNode tag : snap.get("tags")) {
        if (tag.asText().startsWith("service=")) {
          service = tag.asText().substring("service=".length());
        }
      }
      services.add(service);
      assertEquals(
          List.of("/volumes/" + service + "/data"),
          List.of(snap.get("paths").get(0).asText()),
          snap::toString);
      Path target = fx.hostDir("restore-" + service);
      restic.restore(snap.get("short_id").asText(), target);
      assertEquals(
          "content-of-" + service + "\n",
          Files.readString(target.resolve("volumes/" + service + "/data/file")));
    }
    assertEquals(List.of("a", "b", "c"), services.stream().sorted().toList());
  }

  @Test
  void backupConcurrency_snapshotsOfRunningServicesOverlap_inTheOneWorker_allReadBack()
      throws Exception {
    Project p = project("conc", Map.of("stopped", DockerFixture.IDLE));
    for (String s : List.of("a", "b", "c")) {
      fx.container(p.name(), s)
          .mount(fx.volume("conc-" + s), "/data")
          .label("stack-back.volumes", "true")
          .script("echo content-of-" + s + " > /data/file; " + DockerFixture.IDLE)
          .start();
    }
    Map<String, String> env = new HashMap<>(p.env());
    env.put("BACKUP_CONCURRENCY", "3");
    Instant t0 = Instant.now();

    Cli.Result r = Cli.run(env, "backup");

    assertEquals(0, r.exit(), r::toString);
    assertEquals(1, workersCreated(p.name(), t0).size(), "one worker, several execs in it");
    assertEquals(List.of(), workersLeft(p.name()));
    JsonNode rec = Cli.records(Path.of(p.env().get("STATE_DIR"))).get(0);
    List<String> steps = Cli.steps(rec);
    // a, b and c between the same two stops/starts: one wave; 'stopped' keeps its own window
    assertEquals(
        List.of("snapshot a=ok", "snapshot b=ok", "snapshot c=ok"),
        steps.subList(1, 4).stream().sorted().toList(),
        steps::toString);
    assertEquals(
        List.of("stop stopped=ok", "snapshot stopped=ok", "start stopped=ok"),
        steps.subList(4, 7),
        steps::toString);
    // the three snapshot windows overlap: each began before the first one ended
    Instant firstEnd = Instant.MAX;
    List<Instant> begins = new ArrayList<>();
    for (JsonNode st : rec.get("steps")) {
      if (st.get("name").asText().matches("snapshot [abc]")) {
        Instant begin = Instant.parse(st.get("startedAt").asText());
        begins.add(begin);
        Instant end = begin.plusMillis(st.get("durationMs").asLong());
        firstEnd = end.isBefore(firstEnd) ? end : firstEnd;
      }
    }
    assertEquals(3, begins.size(), rec::toString);
    for (Instant b : begins) {
      assertTrue(b.isBefore(firstEnd), "snapshots did not overlap: " + rec);
    }
    HostRestic restic = new HostRestic(p.repo(), PASSWORD);
    assertEquals(4, restic.snapshots().size());
    for (JsonNode snap : restic.snapshots()) {
      String path = snap.get("paths").get(0).asText();
      String service = path.split("/")[2];
      Path target = fx.hostDir("conc-restore-" + service);
      restic.restore(snap.get("short_id").asText(), target);
      if (!service.equals("stopped")) {
        assertEquals(
            "content-of-" + service + "\n",
            Files.readString(target.resolve("volumes/" + service + "/data/file")));
      }
    }
  }

  @Test
  void containerExitsRightAfterRestart_exit4_failedStartStepSaysWhatHappened() throws Exception {
    // the first start runs; every later start exits 3 after 200 ms
    String flaky =
        "if [ -f /data/started ]; then sleep 0.2; exit 3; fi; touch /data/started; "
            + DockerFixture.IDLE;
    Project p = project("flaky", Map.of("app", flaky));
    Instant t0 = Instant.now();

    Cli.Result r = Cli.run(p.env(), "backup");

    assertEquals(4, r.exit(), r::toString);
    assertEquals(1, workersCreated(p.name(), t0).size());
    assertEquals(List.of(), workersLeft(p.name()));
    JsonNode rec = Cli.records(Path.of(p.env().get("STATE_DIR"))).get(0);
    assertEquals(4, rec.get("exitCode").asInt());
    List<String> steps = Cli.steps(rec);
    assertTrue(steps.contains("start app=failed"), steps::toString);
    String message = "";
    for (JsonNode st : rec.get("steps")) {
      if (st.get("name").asText().equals("start app")
          && st.get("outcome").asText().equals("failed")) {
        message = st.get("message").asText();
      }
    }
    assertTrue(message.contains("'" + p.name() + "-app'"), message);
    assertTrue(message.contains("exit code 3"), message);
    assertTrue(message.matches(".*exited (right|[0-9.]+m?s) after start.*"), message);
    assertFalse(message.contains("PT"), message);
    assertFalse(fx.state(p.name() + "-app").running());
  }

  @Test
  void repositoryLockedAfterTheCheck_firstSnapshotFails_restSkippedWithReason_exit1()
      throws Exception {
    String repo = fx.dir.resolve("locked-repo").toString();
    Path pid = fx.dir.resolve("locked-prune.pid");
    // a local pre hook (it runs on the host) takes an exclusive lock after the repository check:
    // a restic prune, frozen with SIGSTOP as soon as its lock file exists
    String lock =
        "export RESTIC_REPOSITORY="
            + repo
            + " RESTIC_PASSWORD="
            + PASSWORD
            + "; restic prune >/dev/null 2>&1 & echo $! > "
            + pid
            + "; i=0; until ls "
            + repo
            + "/locks | grep -v tmp | grep -q .; do i=$((i+1)); [ $i -gt 20000 ] && exit 1; done;"
            + " kill -STOP $(cat "
            + pid
            + ")";
    String idle = DockerFixture.IDLE;
    Project p =
        project(
            "locked",
            new TreeMap<>(Map.of("a", idle, "b", idle, "c", idle)),
            Map.of("stack-back.hooks.pre.1.cmd", lock));
    // a snapshot in the repository first, so the prune has something to do while we catch it
    Path src = fx.hostDir("locked-src");
    Files.writeString(src.resolve("f"), "x");
    HostRestic restic = new HostRestic(p.repo(), PASSWORD);
    restic.init();
    restic.ok("backup", "--host", "other", src.toString());
    DockerFixture.State a = fx.state(p.name() + "-a");
    DockerFixture.State b = fx.state(p.name() + "-b");
    try {
      Cli.Result r = Cli.run(p.env(), "backup");

      assertEquals(1, r.exit(), r::toString);
      JsonNode rec = Cli.records(Path.of(p.env().get("STATE_DIR"))).get(0);
      assertEquals(
          List.of(
              "check repository=ok",
              "pre backup#1=ok",
              // a's restic starts before its stop (the snapshot gate) and fails on the lock
              // before it could read: a is not stopped for nothing
              "stop a=skipped",
              "snapshot a=failed",
              "stop b=skipped",
              "snapshot b=skipped",
              "stop c=skipped",
              "snapshot c=skipped"),
          Cli.steps(rec),
          r::toString);
      String skipped = rec.get("steps").get(5).get("message").asText();
      assertTrue(skipped.startsWith("the repository failed: "), skipped);
      assertTrue(skipped.contains("locked"), skipped);
      assertEquals(b, fx.state(p.name() + "-b"), "b was stopped although nothing could be saved");
      assertEquals(a, fx.state(p.name() + "-a"), "a was stopped although restic had failed");
      assertEquals(List.of(), workersLeft(p.name()));
    } finally {
      if (Files.exists(pid)) {
        DockerFixture.command(
            List.of("sh", "-c", "kill -KILL $(cat " + pid + ") 2>/dev/null; true"), Map.of());
      }
    }
  }

  @Test
  void dumpFailsForItsOwnData_otherServicesStillBackedUp_exit1() throws Exception {
    String idle = DockerFixture.IDLE;
    Project p = project("dumpfail", new TreeMap<>(Map.of("b", idle, "c", idle)));
    // "a" says it is a postgres but has no pg_dumpall: its dump fails (exit 127)
    fx.container(p.name(), "a")
        .label("stack-back.postgres", "true")
        .env("POSTGRES_USER", "u")
        .env("POSTGRES_PASSWORD", "p")
        .start();

    Cli.Result r = Cli.run(p.env(), "backup");

    assertEquals(1, r.exit(), r::toString);
    JsonNode rec = Cli.records(Path.of(p.env().get("STATE_DIR"))).get(0);
    assertEquals(
        List.of(
            "check repository=ok",
            "dump a=failed",
            "stop b=ok",
            "snapshot b=ok",
            "start b=ok",
            "stop c=ok",
            "snapshot c=ok",
            "start c=ok"),
        Cli.steps(rec),
        r::toString);
    assertTrue(rec.get("error").asText().startsWith("dump of a failed"), rec::toString);
    JsonNode snaps = new HostRestic(p.repo(), PASSWORD).snapshots();
    assertEquals(2, snaps.size(), "b and c were backed up: " + snaps);
    assertEquals(List.of(), workersLeft(p.name()));
  }
}
