package dev.stackback.it;

import static dev.stackback.it.SwarmStack.BUSYBOX;
import static dev.stackback.it.SwarmStack.lastRecord;
import static dev.stackback.it.SwarmStack.node;
import static dev.stackback.it.SwarmStack.ok;
import static dev.stackback.it.SwarmStack.ourServiceLabels;
import static dev.stackback.it.SwarmStack.records;
import static dev.stackback.it.SwarmStack.replicas;
import static dev.stackback.it.SwarmStack.running;
import static dev.stackback.it.SwarmStack.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.it.SidecarProject.Result;
import dev.stackback.it.SidecarProject.Running;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code restore} with SWARM_MODE on the 3-node lab (issue 11), through {@link SwarmStack}: in
 * place = scale the service to 0 (never a {@code docker stop} of its task), restore into its
 * volume, scale back; {@code --dump} into the running database task; a service whose task runs on
 * another node is refused before anything is touched.
 */
class SwarmRestoreIT {
  static final String POSTGRES = "stack-back-test/postgres:15";

  private final SwarmStack lab = new SwarmStack("swrs");
  private final String stack = lab.name;
  private final String app = stack + "_app";

  // ---- the tests -------------------------------------------------------------------------------

  @Test
  void inPlace_scalesToZero_restoresTheVolume_scalesBack_oneNewTaskAfterTheRestore() {
    lab.deploy(app("node1"));
    String sidecar = lab.sidecar();
    String before = appTask(1);
    sh(1, before, "echo v1 > /data/hello.txt; echo keep > /data/other.txt");
    ok(exec(sidecar, "stack-back", "backup"));
    sh(1, before, "echo v2 > /data/hello.txt; rm /data/other.txt; echo new > /data/extra.txt");
    Instant begun = Instant.now();

    Result r = restore(sidecar, "--service", app, "--in-place", "--yes");

    assertEquals(0, r.exit(), r.toString());
    assertEquals("1", replicas(app), "back at its replicas");
    assertEquals("{}", ourServiceLabels(app), "our labels removed");
    String after = appTask(1);
    assertNotEquals(before, after, "the service was scaled to 0 and back: a new task");
    assertEquals("v1\nkeep\n", sh(1, after, "cat /data/hello.txt /data/other.txt"));
    assertEquals(
        "gone", sh(1, after, "test -e /data/extra.txt && echo there || echo gone").strip());
    // --target needs no stop: the files land in the sidecar's directory, the task keeps running
    Result target = restore(sidecar, "--service", app, "--target", "/tmp/restored");
    assertEquals(0, target.exit(), target.toString());
    assertEquals(
        "v1\n",
        sh(1, sidecar, "cat /tmp/restored/volumes/" + app + "/data/hello.txt"),
        target.toString());
    assertEquals(List.of(after), running(1, app), "--target did not touch the task");
    JsonNode record = lastRecord(sidecar);
    assertEquals("restore", record.path("trigger").asText(), record.toString());
    assertEquals("succeeded", record.path("state").asText(), record.toString());
    assertEquals(
        "scaled service to 0 (from 1)",
        step(record, "stop " + app).path("message").asText(),
        record.toString());
    assertEquals(
        "scaled service back to 1",
        step(record, "start " + app).path("message").asText(),
        record.toString());
    // the swarm ran no replacement task meanwhile: on node1 the old task's container died, exactly
    // one container of the service started since, the new task's, and only after the restore
    JsonNode restoreStep = step(record, "restore " + app);
    assertEquals("ok", restoreStep.path("outcome").asText(), record.toString());
    Instant restoreEnded =
        Instant.parse(restoreStep.path("startedAt").asText())
            .plusMillis(restoreStep.path("durationMs").asLong());
    System.out.printf(
        "swarm in-place restore of %s: scale to 0 %d ms, restore %d ms, scale back %d ms%n",
        app,
        step(record, "stop " + app).path("durationMs").asLong(),
        restoreStep.path("durationMs").asLong(),
        step(record, "start " + app).path("durationMs").asLong());
    List<Event> events = events(1, app, begun);
    assertEquals(
        List.of("die " + before, "start " + after),
        events.stream().map(Event::text).toList(),
        "the app's containers on node1 during the restore");
    Instant started = events.get(1).time();
    assertTrue(
        started.isAfter(restoreEnded),
        "new task started " + started + ", restore ended " + restoreEnded);
  }

  @Test
  void failedRestores_leaveTheServiceAtItsReplicas_withoutOurLabels() throws IOException {
    lab.deploy(app("node1"));
    String sidecar = lab.sidecar();
    String task = appTask(1);
    sh(1, task, "echo v1 > /data/hello.txt");
    ok(exec(sidecar, "stack-back", "backup"));
    Instant begun = Instant.now();

    // refused before the run: nothing is scaled
    Result noSnapshot =
        restore(sidecar, "--service", app, "--in-place", "--yes", "--snapshot", "ffffffff");
    Result noService = restore(sidecar, "--service", stack + "_nosuch", "--in-place", "--yes");

    assertEquals(1, noSnapshot.exit(), noSnapshot.toString());
    assertTrue(noSnapshot.err().contains("no volume snapshot 'ffffffff'"), noSnapshot.err());
    assertEquals(1, noService.exit(), noService.toString());
    assertEquals(List.of(), events(1, app, begun), "no container of the app stopped or started");
    assertTrue(noService.err().contains("service '" + stack + "_nosuch'"), noService.err());
    assertEquals(List.of(task), running(1, app), "the same task still runs");

    // restic fails inside the restore worker, while the service is at 0: its pack files are gone
    // (and the file differs from the snapshot: restic restores only what differs)
    sh(1, task, "echo v2 > /data/hello.txt");
    try (Stream<Path> packs = Files.walk(lab.repo.resolve("data"))) {
      for (Path p : packs.filter(Files::isRegularFile).toList()) {
        Files.delete(p);
      }
    }
    Result failed = restore(sidecar, "--service", app, "--in-place", "--yes");

    assertEquals(1, failed.exit(), failed.toString());
    assertEquals("1", replicas(app), "scaled back after the failed restore");
    assertEquals("{}", ourServiceLabels(app));
    assertEquals(1, lab.awaitContainers(1, app, 1).size());
    JsonNode record = lastRecord(sidecar);
    assertEquals("failed", record.path("state").asText(), record.toString());
    assertEquals("failed", step(record, "restore " + app).path("outcome").asText());
    assertEquals("scaled service back to 1", step(record, "start " + app).path("message").asText());
  }

  @Test
  void restoreKilledWhileScaledToZero_nextRestoreScalesBackFirst_thenRestores() {
    // the app takes ~6 s to stop: the restore is killed while it waits for the task to be gone
    lab.deploy(app("node1", "trap 'sleep 6; exit 0' TERM"));
    String sidecar = lab.sidecar();
    sh(1, appTask(1), "echo v1 > /data/hello.txt");
    ok(exec(sidecar, "stack-back", "backup"));
    sh(1, appTask(1), "echo v2 > /data/hello.txt");
    Running first =
        SwarmStack.startUntilScaledToZero(
            sidecar, app, "restore", "--service", app, "--in-place", "--yes");
    lab.killRun(sidecar);
    Result killed = first.await(Duration.ofSeconds(30));
    assertNotEquals(0, killed.exit(), killed.toString());
    assertEquals("0", replicas(app), "the crash left the service at 0");
    assertTrue(ourServiceLabels(app).contains("\"stack-back.replicas-before-stop\":\"1\""));

    Result second = restore(sidecar, "--service", app, "--in-place", "--yes");

    assertEquals(0, second.exit(), second.toString());
    assertEquals("1", replicas(app));
    assertEquals("{}", ourServiceLabels(app));
    assertEquals("v1\n", sh(1, appTask(1), "cat /data/hello.txt"));
    List<JsonNode> all = records(sidecar);
    JsonNode crashed = all.get(all.size() - 2);
    assertEquals("restore", crashed.path("trigger").asText(), crashed.toString());
    assertEquals("failed", crashed.path("state").asText(), crashed.toString());
    assertEquals(
        "scaled service back to 1 (by recovery)",
        step(crashed, "start " + app).path("message").asText(),
        crashed.toString());
    assertEquals("succeeded", all.get(all.size() - 1).path("state").asText());
  }

  @Test
  void taskScaledBackOntoAnotherNode_theRestoreFailsNamingIt() {
    // placed by a node label of this test's own: moved from node1 to node2 while the service is at
    // 0, so the swarm scales it back onto node2, away from the volume the restore filled
    String label = "node.labels." + stack + " == here";
    ok(node(1, "node", "update", "--label-add", stack + "=here", "node1"));
    try {
      lab.deploy(
          app("node1", "trap 'sleep 6; exit 0' TERM").replace("node.hostname == node1", label));
      lab.volumesOn(2);
      String sidecar = lab.sidecar();
      sh(1, appTask(1), "echo v1 > /data/hello.txt");
      ok(exec(sidecar, "stack-back", "backup"));
      Running restore =
          SwarmStack.startUntilScaledToZero(
              sidecar, app, "restore", "--service", app, "--in-place", "--yes");
      ok(node(1, "node", "update", "--label-rm", stack, "node1"));
      ok(node(1, "node", "update", "--label-add", stack + "=here", "node2"));

      Result r = restore.await(Duration.ofMinutes(3));

      assertEquals(1, r.exit(), r.toString());
      assertTrue(
          r.err()
              .contains(
                  "service '"
                      + app
                      + "': node node2: its task runs on a node other than stack-back's (node1)"
                      + " since it was scaled back after the restore"),
          r.err());
      assertEquals("1", replicas(app));
      assertEquals("{}", ourServiceLabels(app));
      assertEquals(1, lab.awaitContainers(2, app, 1).size(), "its task runs on node2");
    } finally {
      node(1, "node", "update", "--label-rm", stack, "node1");
      node(1, "node", "update", "--label-rm", stack, "node2");
    }
  }

  @Test
  void serviceMovedToAnotherNode_restoreRefusedNamingServiceAndNode_touchesNothing() {
    lab.deploy(app("node1"));
    lab.volumesOn(2);
    String sidecar = lab.sidecar();
    sh(1, appTask(1), "echo v1 > /data/hello.txt");
    ok(exec(sidecar, "stack-back", "backup"));
    int records = records(sidecar).size();
    // now its task runs on node2, with a new empty volume of the same name there
    ok(
        node(
            1,
            "service",
            "update",
            "--detach",
            "--constraint-rm",
            "node.hostname == node1",
            "--constraint-add",
            "node.hostname == node2",
            app));
    String onNode2 = appTask(2);
    Instant begun = Instant.now();

    Result inPlace = restore(sidecar, "--service", app, "--in-place", "--yes");
    Result dump = restore(sidecar, "--service", app, "--dump");

    for (Result r : List.of(inPlace, dump)) {
      assertEquals(2, r.exit(), r.toString());
      assertTrue(
          r.err()
              .contains(
                  "service '"
                      + app
                      + "': node node2: its task runs on a node other than stack-back's (node1);"
                      + " stack-back cannot restore into it there"),
          r.err());
    }
    assertEquals("1", replicas(app));
    assertEquals("{}", ourServiceLabels(app));
    assertEquals(List.of(onNode2), running(2, app), "the same task still runs on node2");
    assertEquals(List.of(), events(2, app, begun), "no container of the app stopped or started");
    assertEquals(List.of(), events(1, app, begun));
    assertEquals(records, records(sidecar).size(), "no restore run recorded");
    assertEquals("", sh(2, onNode2, "ls /data").strip(), "node2's volume untouched");
  }

  @Test
  void dumpRestore_intoTheRunningDatabaseTask_andRestoreOfTheWholeRun() {
    assertEquals(
        0,
        node(1, "image", "inspect", POSTGRES).exit(),
        POSTGRES
            + " is not in the lab: start it with SWARM_LAB_IMAGES=\"<sidecar image>"
            + " stack-back-test/busybox:latest "
            + POSTGRES
            + "\" (scripts/test.sh does)");
    lab.deploy(app("node1") + db());
    String sidecar = lab.sidecar();
    String db = lab.awaitContainers(1, stack + "_db", 1).get(0);
    SwarmLab.awaitPostgres(1, db);
    SwarmLab.psql(1, db, "CREATE TABLE notes (id int PRIMARY KEY, body text)");
    SwarmLab.psql(1, db, "INSERT INTO notes VALUES (1, 'one'), (2, 'two')");
    String task = appTask(1);
    sh(1, task, "echo v1 > /data/hello.txt");
    ok(exec(sidecar, "stack-back", "backup"));
    SwarmLab.psql(1, db, "DROP TABLE notes");

    Result dump = restore(sidecar, "--service", stack + "_db", "--dump");

    assertEquals(0, dump.exit(), dump.toString());
    assertEquals("1|one\n2|two", SwarmLab.psql(1, db, "SELECT id, body FROM notes ORDER BY id"));
    assertEquals(List.of(db), running(1, stack + "_db"), "the database task was not restarted");

    SwarmLab.psql(1, db, "DROP TABLE notes");
    sh(1, task, "echo v2 > /data/hello.txt");
    Instant begun = Instant.now();

    Result run = restore(sidecar, "--run", "latest", "--in-place", "--yes");

    assertEquals(0, run.exit(), run.toString());
    assertEquals("1|one\n2|two", SwarmLab.psql(1, db, "SELECT id, body FROM notes ORDER BY id"));
    assertEquals("1", replicas(app));
    assertEquals("{}", ourServiceLabels(app));
    String after = appTask(1);
    assertEquals("v1\n", sh(1, after, "cat /data/hello.txt"));
    assertEquals(
        List.of("die " + task, "start " + after),
        events(1, app, begun).stream().map(Event::text).toList());
  }

  // ---- the stack -------------------------------------------------------------------------------

  /** Service {@code app}: 1 replica pinned to {@code node}, volume {@code data}, backed up. */
  private static String app(String node) {
    return app(node, "trap 'exit 0' TERM");
  }

  /** The same with its own SIGTERM trap. */
  private static String app(String node, String trap) {
    return """
          app:
            image: %s
            command: ["sh", "-c", "%s; mkdir -p /data; sleep 3600 & wait"]
            volumes: [data:/data]
            stop_grace_period: 20s
            labels:
              stack-back.volumes: "true"
            deploy:
              endpoint_mode: dnsrr
              placement: {constraints: [node.hostname == %s]}
        """
        .formatted(BUSYBOX, trap, node);
  }

  /** Service {@code db}: Postgres pinned to node1, dumped (its data directory is not backed up). */
  private static String db() {
    return """
          db:
            image: %s
            environment:
              POSTGRES_USER: appuser
              POSTGRES_PASSWORD: pw
              POSTGRES_DB: app
            labels:
              stack-back.postgres: "true"
            deploy:
              endpoint_mode: dnsrr
              placement: {constraints: [node.hostname == node1]}
        """
        .formatted(POSTGRES);
  }

  /** The app's one running task container on node {@code n} (waits for it). */
  private String appTask(int n) {
    List<String> ids = lab.awaitContainers(n, app, 1);
    assertEquals(1, ids.size(), "one app task on node" + n + ": " + ids);
    return ids.get(0);
  }

  /** A container event: {@code die} or {@code start} of a container, and when. */
  record Event(String action, String container, Instant time) {
    String text() {
      return action + " " + container;
    }
  }

  /**
   * The {@code die} and {@code start} events of the containers of {@code service} on node {@code n}
   * since {@code since}, in order.
   */
  private static List<Event> events(int n, String service, Instant since) {
    String out =
        ok(node(
                n,
                "events",
                "--since",
                since.getEpochSecond() + "." + String.format("%09d", since.getNano()),
                "--until",
                Long.toString(Instant.now().getEpochSecond() + 1),
                "--filter",
                "type=container",
                "--filter",
                "event=die",
                "--filter",
                "event=start",
                "--filter",
                "label=com.docker.swarm.service.name=" + service,
                "--format",
                "{{.Action}} {{.Actor.ID}} {{.TimeNano}}"))
            .out();
    List<Event> events = new ArrayList<>();
    for (String line : out.split("\n")) {
      String[] f = line.strip().split(" ");
      if (f.length == 3) {
        long nanos = Long.parseLong(f[2]);
        events.add(
            new Event(
                f[0], f[1], Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L)));
      }
    }
    return events;
  }

  private static Result exec(String sidecar, String... args) {
    List<String> argv = new ArrayList<>(List.of("exec", sidecar));
    argv.addAll(List.of(args));
    return node(1, argv.toArray(String[]::new));
  }

  private static Result restore(String sidecar, String... args) {
    List<String> argv = new ArrayList<>(List.of("stack-back", "restore"));
    argv.addAll(List.of(args));
    return exec(sidecar, argv.toArray(String[]::new));
  }

  /** {@code sh -c script} in container {@code c} on node {@code n}; its stdout. */
  private static String sh(int n, String c, String script) {
    return ok(node(n, "exec", c, "sh", "-c", script)).out();
  }

  @AfterEach
  void removeStack() throws IOException {
    lab.remove();
  }
}
