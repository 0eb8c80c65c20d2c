package dev.stackback.it;

import static dev.stackback.it.SwarmStack.inspect;
import static dev.stackback.it.SwarmStack.lastRecord;
import static dev.stackback.it.SwarmStack.node;
import static dev.stackback.it.SwarmStack.ok;
import static dev.stackback.it.SwarmStack.ourServiceLabels;
import static dev.stackback.it.SwarmStack.replicas;
import static dev.stackback.it.SwarmStack.sock;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Stop-during-backup on the 3-node swarm lab (issue 11): a global service stopped by a placement
 * constraint, scale-back after a failed pre hook, a failed snapshot and SIGTERM, someone else's
 * change during the run, a replicated service on two nodes refused, and the node tag.
 */
class SwarmStopIT {
  private static final String BUSYBOX = SwarmStack.BUSYBOX;
  private static final String PIN = "node.hostname == node1";

  private final SwarmStack lab = new SwarmStack("swst");
  private final String app = lab.name + "_app";

  @AfterEach
  void removeStack() throws IOException {
    lab.remove();
  }

  // ---- the tests -------------------------------------------------------------------------------

  @Test
  void globalService_isStoppedByAConstraintForItsSnapshot_andRunsAgainOnItsNode() {
    lab.deploy(app("global", "echo stopped > /data/state; exit 0", "", 1));
    String sidecar = lab.sidecar();
    List<String> before = lab.awaitContainers(1, app, 1);
    assertEquals(1, before.size(), before.toString());

    Result r = lab.backup(sidecar);

    assertEquals(0, r.exit(), r.toString());
    JsonNode record = lastRecord(sidecar);
    String constraint = "node.id==stack-back-stopped-" + record.path("id").asText();
    assertEquals(
        "stopped global service: added placement constraint '"
            + constraint
            + "' (its tasks ran on node1)",
        step(record, "stop " + app).path("message").asText(),
        record.toString());
    assertEquals(
        "removed placement constraint '" + constraint + "': tasks run again on node1",
        step(record, "start " + app).path("message").asText(),
        record.toString());
    // the task got SIGTERM before the snapshot was read: the snapshot holds what it wrote then
    assertEquals("stopped\n", dump(sidecar, "latest", "/volumes/" + app + "/data/state"));
    assertEquals("[\"" + PIN + "\"]", constraints(), "only the user's own constraint is left");
    assertEquals("{}", ourServiceLabels(app), "our labels removed in the same update");
    List<String> after = lab.awaitContainers(1, app, 1);
    assertEquals(1, after.size(), "one task on node1 again");
    assertNotEquals(before, after, "a new task after the stop");
    assertEquals("running", ok(node(1, "exec", after.get(0), "cat", "/data/state")).out().strip());
  }

  @Test
  void globalService_runKilledWhileStopped_nextRunRemovesExactlyItsConstraint() {
    lab.deploy(app("global", "sleep 6; exit 0", "", 1));
    String sidecar = lab.sidecar();
    lab.awaitContainers(1, app, 1);
    Running first = startBackup(sidecar, () -> constraints().contains("stack-back-stopped-"));
    ok(node(1, "exec", sidecar, "kill", "-9", lab.runPid()));
    assertNotEquals(0, first.await(Duration.ofSeconds(30)).exit());
    assertTrue(constraints().contains("stack-back-stopped-"), "the crash left it stopped");
    assertTrue(ourServiceLabels(app).contains("stack-back.stop-constraint"), ourServiceLabels(app));

    Result second = lab.backup(sidecar);

    assertEquals(0, second.exit(), second.toString());
    assertEquals("[\"" + PIN + "\"]", constraints());
    assertEquals("{}", ourServiceLabels(app));
    assertEquals(1, lab.awaitContainers(1, app, 1).size());
    JsonNode crashed = SwarmStack.records(sidecar).get(0);
    assertEquals("failed", crashed.path("state").asText(), crashed.toString());
    String constraint = "node.id==stack-back-stopped-" + crashed.path("id").asText();
    assertEquals(
        "removed placement constraint '" + constraint + "': tasks run again on node1 (by recovery)",
        step(crashed, "start " + app).path("message").asText(),
        crashed.toString());
  }

  @Test
  void everySwarmSnapshot_isTaggedWithItsNode_andSnapshotsShowsIt() {
    lab.deploy(app("replicated", "exit 0", "", 2));
    String sidecar = lab.sidecar();
    lab.atLeast(1, app, 2);

    assertEquals(0, lab.backup(sidecar).exit());

    JsonNode snaps =
        SidecarProject.json(ok(node(1, "exec", sidecar, "restic", "snapshots", "--json")).out());
    assertEquals(1, snaps.size(), snaps.toString());
    assertTrue(snaps.get(0).path("tags").toString().contains("\"node=node1\""), snaps.toString());
    assertEquals(lab.name, snaps.get(0).path("hostname").asText(), "host unchanged");
    assertEquals(
        "[\"/volumes/" + app + "/data\"]",
        snaps.get(0).path("paths").toString(),
        "paths unchanged");
    Result list = ok(node(1, "exec", sidecar, "stack-back", "snapshots"));
    assertTrue(list.out().contains("(node node1)"), list.out());
  }

  @Test
  void preHookFails_nothingIsScaled_theTasksNeverRestart() {
    lab.deploy(app("replicated", "exit 0", "stack-back.hooks.pre.1.cmd: \"exit 3\"", 2));
    String sidecar = lab.sidecar();
    List<String> before = lab.atLeast(1, app, 2);

    Result r = lab.backup(sidecar);

    assertEquals(1, r.exit(), r.toString());
    JsonNode record = lastRecord(sidecar);
    assertTrue(
        record.path("steps").findValuesAsText("name").stream()
            .noneMatch(n -> n.startsWith("stop ")),
        record.toString());
    assertEquals("2", replicas(app));
    assertEquals("{}", ourServiceLabels(app));
    assertEquals(before, SwarmStack.running(1, app), "the same two tasks still run");
  }

  @Test
  void snapshotFailsWhileScaledToZero_stillScalesBack() throws IOException {
    String sidecar = deploySlowStoppingApp();
    Running run = startBackup(sidecar);
    // the tasks take 6 s to stop: the repository loses its keys before the snapshot opens it
    Path keys = lab.repo.resolve("keys");
    Files.move(keys, lab.repo.resolve("keys.off"));

    Result r = run.await(Duration.ofSeconds(120));

    assertNotEquals(0, r.exit(), r.toString());
    JsonNode record = lastRecord(sidecar);
    assertEquals(
        "failed", step(record, "snapshot " + app).path("outcome").asText(), record.toString());
    assertEquals("scaled service back to 2", step(record, "start " + app).path("message").asText());
    assertEquals("2", replicas(app));
    assertEquals("{}", ourServiceLabels(app));
    assertEquals(2, lab.awaitContainers(1, app, 2).size());
  }

  @Test
  void sigtermToTheRunWhileScaledToZero_scalesBackBeforeItEnds() {
    String sidecar = deploySlowStoppingApp();
    Running run = startBackup(sidecar);
    ok(node(1, "exec", sidecar, "kill", "-TERM", lab.runPid()));

    Result r = run.await(Duration.ofSeconds(120));

    assertNotEquals(0, r.exit(), r.toString());
    assertEquals("2", replicas(app), "scaled back by the run itself, no recovery involved");
    assertEquals("{}", ourServiceLabels(app));
    JsonNode record = lastRecord(sidecar);
    assertEquals("failed", record.path("state").asText(), record.toString());
    assertEquals(
        "scaled service back to 2",
        step(record, "start " + app).path("message").asText(),
        record.toString());
    assertEquals(2, lab.awaitContainers(1, app, 2).size());
  }

  @Test
  void theSwarmScalesTheAppBackOntoAnotherNode_theStartFailsNamingIt_exit4() {
    // placed by a node label of this test's own, moved from node1 to node2 while the app is at 0:
    // the swarm scales it back onto node2, away from the volume that was backed up
    String label = "node.labels." + app.replace('_', 'x') + " == here";
    String key = app.replace('_', 'x');
    ok(node(1, "node", "update", "--label-add", key + "=here", "node1"));
    try {
      lab.deploy(app("replicated", "sleep 6; exit 0", "", 1, "{constraints: [" + label + "]}"));
      lab.volumesOn(2);
      String sidecar = lab.sidecar();
      lab.atLeast(1, app, 1);
      Running run = startBackup(sidecar);
      ok(node(1, "node", "update", "--label-rm", key, "node1"));
      ok(node(1, "node", "update", "--label-add", key + "=here", "node2"));

      Result r = run.await(Duration.ofSeconds(120));

      assertEquals(4, r.exit(), r.toString());
      JsonNode record = lastRecord(sidecar);
      JsonNode start = step(record, "start " + app);
      assertEquals("failed", start.path("outcome").asText(), record.toString());
      assertEquals(
          "service '"
              + app
              + "' was scaled back, but the swarm started its task on node2 (it ran on node1): a"
              + " named volume there is another volume than the one backed up, so it may run"
              + " without its data; pin the service to node1 (deploy.placement.constraints:"
              + " [node.hostname == node1]) and redeploy",
          start.path("message").asText());
      assertEquals("ok", step(record, "snapshot " + app).path("outcome").asText());
      assertEquals("1", replicas(app), "nothing stays stopped");
      assertEquals("{}", ourServiceLabels(app));
      assertEquals(1, lab.awaitContainers(2, app, 1).size(), "its task runs on node2");
    } finally {
      node(1, "node", "update", "--label-rm", key, "node1");
      node(1, "node", "update", "--label-rm", key, "node2");
    }
  }

  @Test
  void someoneUpdatesTheServiceDuringTheRun_theirChangeIsKept_scaledBack_andTheRunFailsSayingSo() {
    String sidecar = deploySlowStoppingApp();
    Running run = startBackup(sidecar);
    // like a `docker service update --image`: the spec changes, the count stays at our 0
    ok(
        node(
            1,
            "service",
            "update",
            "--detach",
            "--no-resolve-image",
            "--env-add",
            "CHANGED=by-user",
            app));

    Result r = run.await(Duration.ofSeconds(120));

    assertEquals(1, r.exit(), r.toString());
    JsonNode record = lastRecord(sidecar);
    // the update races the stop: it lands while stack-back waits for the tasks to stop (the stop
    // step fails, nothing is backed up) or once they are gone (the start step fails); either way
    // the step says so and the service is scaled back with their change
    JsonNode stop = step(record, "stop " + app);
    JsonNode start = step(record, "start " + app);
    if (stop.path("outcome").asText().equals("failed")) {
      String message = stop.path("message").asText();
      assertTrue(message.contains("'" + app + "' was changed by someone else"), message);
      assertEquals("skipped", step(record, "snapshot " + app).path("outcome").asText());
      assertEquals("scaled service back to 2", start.path("message").asText(), record.toString());
    } else {
      assertEquals("failed", start.path("outcome").asText(), record.toString());
      String message = start.path("message").asText();
      assertTrue(message.contains("'" + app + "' was changed by someone else"), message);
      assertTrue(message.contains("scaled service back to 2 (they left it at 0)"), message);
    }
    assertTrue(
        record.path("error").asText().contains("changed by someone else"), record.toString());
    assertEquals("2", replicas(app), "nothing stays stopped");
    assertEquals("{}", ourServiceLabels(app));
    List<String> tasks = lab.awaitContainers(1, app, 2);
    assertEquals(2, tasks.size());
    for (String c : tasks) {
      assertTrue(
          ok(node(1, "inspect", "-f", "{{json .Config.Env}}", c)).out().contains("CHANGED=by-user"),
          "their change is kept");
    }
  }

  @Test
  void stackRedeployedWhileTheTasksStop_theRunStopsWaiting_failsSayingSo_theirSpecRuns()
      throws IOException {
    String sidecar = deploySlowStoppingApp();
    Running run = startBackup(sidecar);
    String yaml = Files.readString(lab.file());
    Files.writeString(
        lab.file(),
        yaml.replace(
            "    stop_grace_period: 20s",
            "    environment: {CHANGED: by-deploy}\n    stop_grace_period: 20s"));
    ok(
        node(
            1,
            "stack",
            "deploy",
            "--resolve-image",
            "never",
            "-c",
            lab.file().toString(),
            lab.name));

    Result r = run.await(Duration.ofSeconds(120));

    assertEquals(1, r.exit(), r.toString());
    JsonNode record = lastRecord(sidecar);
    JsonNode stop = step(record, "stop " + app);
    assertEquals("failed", stop.path("outcome").asText(), record.toString());
    assertTrue(
        stop.path("message").asText().contains("was changed by someone else while stack-back"),
        record.toString());
    assertEquals(
        "skipped",
        step(record, "snapshot " + app).path("outcome").asText(),
        "no snapshot of a service that runs: " + record);
    assertEquals("2", replicas(app));
    assertEquals("{}", ourServiceLabels(app));
    // the swarm replaces the tasks one by one (the old ones take up to 20 s to stop): wait until
    // both running tasks are theirs
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(120),
            () -> {
              List<String> running = SwarmStack.running(1, app);
              return running.size() == 2
                  && running.stream()
                      .allMatch(
                          c ->
                              node(1, "inspect", "-f", "{{json .Config.Env}}", c)
                                  .out()
                                  .contains("CHANGED=by-deploy"));
            }),
        "their deploy runs: " + SwarmStack.running(1, app));
  }

  @Test
  void replicatedServiceWithAVolumeOnTwoNodes_failsThePlanNamingServiceAndNodes() {
    lab.deploy(
        app(
            "replicated",
            "exit 0",
            "",
            2,
            "{max_replicas_per_node: 1, constraints: [node.hostname != node3]}"));
    String sidecar = lab.sidecar();
    lab.atLeast(1, app, 1);
    lab.atLeast(2, app, 1);

    Result r = lab.backup(sidecar);

    assertEquals(2, r.exit(), r.toString());
    String all = r.out() + r.err();
    assertTrue(all.contains("service '" + app + "': node node"), all);
    assertTrue(all.contains("its replicas run on 2 nodes"), all);
    assertTrue(all.contains("node1") && all.contains("node2"), all);
    assertTrue(all.contains("is a different volume on each node"), all);
    assertEquals("2", replicas(app));
    assertEquals("{}", ourServiceLabels(app));
    Result snaps = ok(node(1, "exec", sidecar, "restic", "snapshots", "--json"));
    assertEquals("[]", snaps.out().strip(), "nothing may look backed up");
  }

  // ---- the stack -------------------------------------------------------------------------------

  /**
   * Service {@code app} in {@code mode} (pinned to node1), stop-during-backup, a volume whose
   * {@code state} file says "running" (written at start) or what {@code onTerm} writes on SIGTERM.
   */
  private static String app(String mode, String onTerm, String extraLabel, int replicas) {
    return app(mode, onTerm, extraLabel, replicas, "{constraints: [" + PIN + "]}");
  }

  private static String app(
      String mode, String onTerm, String extraLabel, int replicas, String placement) {
    return """
          app:
            image: %s
            command: ["sh", "-c", "trap '%s' TERM; mkdir -p /data; echo running > /data/state; sleep 3600 & wait"]
            volumes: [data:/data]
            stop_grace_period: 20s
            labels:
              stack-back.volumes: "true"
              stack-back.volumes.stop-during-backup: "true"
              %s
            deploy:
              mode: %s
              %s
              endpoint_mode: dnsrr
              placement: %s
        """
        .formatted(
            BUSYBOX,
            onTerm,
            extraLabel,
            mode,
            "global".equals(mode) ? "" : "replicas: " + replicas,
            placement);
  }

  private String constraints() {
    return inspect(app, "{{json .Spec.TaskTemplate.Placement.Constraints}}");
  }

  /** Deploys a 2-replica app whose tasks take 6 s to stop; the sidecar's id. */
  private String deploySlowStoppingApp() {
    lab.deploy(app("replicated", "sleep 6; exit 0", "", 2));
    String sidecar = lab.sidecar();
    lab.atLeast(1, app, 2);
    return sidecar;
  }

  /** Starts {@code stack-back backup}, returns once the app is scaled to 0 (its tasks stopping). */
  private Running startBackup(String sidecar) {
    return startBackup(sidecar, () -> "0".equals(replicas(app)));
  }

  /** Starts {@code stack-back backup}, returns once the app is {@code stopped} (tasks stopping). */
  private Running startBackup(String sidecar, java.util.function.BooleanSupplier stopped) {
    Running run =
        SidecarProject.start(
            List.of("docker", "-H", sock(1), "exec", sidecar, "stack-back", "backup"), Map.of());
    assertTrue(
        SidecarProject.poll(Duration.ofSeconds(60), stopped), "the run never stopped the app");
    return run;
  }

  private static String dump(String sidecar, String snapshot, String path) {
    return ok(node(1, "exec", sidecar, "restic", "dump", snapshot, path)).out();
  }
}
