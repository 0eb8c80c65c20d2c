package dev.stackback.it;

import static dev.stackback.it.SwarmStack.lastRecord;
import static dev.stackback.it.SwarmStack.node;
import static dev.stackback.it.SwarmStack.ok;
import static dev.stackback.it.SwarmStack.records;
import static dev.stackback.it.SwarmStack.sock;
import static dev.stackback.it.SwarmStack.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.it.SidecarProject.Result;
import dev.stackback.it.SidecarProject.Running;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SWARM_MODE on a real 3-node swarm (issue 11), through {@link SwarmStack}: node 1 is the manager;
 * the sidecar runs there, pinned, with node 1's socket. Each test deploys its own stack ({@code
 * swit<random>}) and removes it, its volumes and its repository afterwards.
 */
class SwarmIT {
  private static final String BUSYBOX = SwarmStack.BUSYBOX;

  private final SwarmStack lab = new SwarmStack("swit");
  private final String stack = lab.name;

  // ---- the tests -------------------------------------------------------------------------------

  @Test
  void targetOnTheManager_isScaledToZeroForItsSnapshot_andBackToItsReplicas() {
    deploy(app("node1", "trap 'exit 0' TERM", "stack-back.volumes.stop-during-backup: \"true\""));
    String sidecar = sidecar();
    List<String> before = appContainers(1);
    assertEquals(2, before.size(), before.toString());

    Result r = backup(sidecar);

    assertEquals(0, r.exit(), r.toString());
    assertEquals("2", replicas(), "replicas restored");
    assertEquals("{}", ourServiceLabels(), "our labels removed in the same update");
    List<String> after = awaitAppContainers(1, 2);
    assertEquals(2, after.size(), "exactly the swarm's 2 tasks run, no container outside it");
    assertTrue(
        after.stream().noneMatch(before::contains), "new tasks after the scale to 0: " + after);
    JsonNode record = lastRecord(sidecar);
    assertEquals(
        "scaled service to 0 (from 2)",
        step(record, "stop " + stack + "_app").path("message").asText(),
        record.toString());
    assertEquals(
        "scaled service back to 2",
        step(record, "start " + stack + "_app").path("message").asText(),
        record.toString());
    assertEquals(
        "swarm-data\n",
        ok(node(
                1,
                "exec",
                sidecar,
                "restic",
                "dump",
                "latest",
                "/volumes/" + stack + "_app/data/hello.txt"))
            .out());
  }

  @Test
  void failureWhileScaledToZero_stillScalesBack() {
    // STOP_SCOPE=run: every stop first, then the remaining dumps: the failing dump of `db` (a
    // busybox without pg_dump) happens while `app` is at 0
    deploy(
        app("node1", "trap 'exit 0' TERM", "stack-back.volumes.stop-during-backup: \"true\"")
            + """
              db:
                image: %s
                command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
                labels:
                  stack-back.postgres: "true"
                deploy:
                  endpoint_mode: dnsrr
                  placement: {constraints: [node.hostname == node1]}
            """
                .formatted(BUSYBOX),
        "STOP_SCOPE: run");
    String sidecar = sidecar();

    Result r = backup(sidecar);

    assertNotEquals(0, r.exit(), r.toString());
    JsonNode record = lastRecord(sidecar);
    assertEquals(
        "failed",
        step(record, "dump " + stack + "_db").path("outcome").asText(),
        record.toString());
    assertEquals("ok", step(record, "stop " + stack + "_app").path("outcome").asText());
    assertEquals("ok", step(record, "start " + stack + "_app").path("outcome").asText());
    assertEquals("2", replicas());
    assertEquals("{}", ourServiceLabels());
    assertEquals(2, awaitAppContainers(1, 2).size());
  }

  @Test
  void labelledServiceOnAWorkerNode_failsTheRunNamingServiceAndNode_andTouchesNothing() {
    deploy(app("node2", "trap 'exit 0' TERM", "stack-back.volumes.stop-during-backup: \"true\""));
    String sidecar = sidecar();

    Result r = backup(sidecar);

    assertEquals(2, r.exit(), r.toString());
    String all = r.out() + r.err();
    assertTrue(all.contains("service '" + stack + "_app'"), all);
    assertTrue(all.contains("node node2"), all);
    assertEquals("2", replicas());
    assertEquals("{}", ourServiceLabels());
    Result snaps = ok(node(1, "exec", sidecar, "restic", "snapshots", "--json"));
    assertEquals("[]", snaps.out().strip(), "nothing may look backed up");
  }

  @Test
  void runKilledWhileScaledToZero_nextRunScalesBackFromTheLabels() {
    // the app takes ~6 s to stop: the run is killed while it waits for the tasks to be gone
    deploy(
        app(
            "node1",
            "trap 'sleep 6; exit 0' TERM",
            "stack-back.volumes.stop-during-backup: \"true\""));
    String sidecar = sidecar();
    Running first =
        SidecarProject.start(
            List.of("docker", "-H", sock(1), "exec", sidecar, "stack-back", "backup"), Map.of());
    assertTrue(
        SidecarProject.poll(Duration.ofSeconds(60), () -> "0".equals(replicas())),
        "the run never scaled the app to 0");
    String pid = lab.runPid();
    ok(node(1, "exec", sidecar, "kill", "-9", pid));
    Result killed = first.await(Duration.ofSeconds(30));
    assertNotEquals(0, killed.exit(), killed.toString());
    assertEquals("0", replicas(), "the crash left the service at 0");
    assertTrue(ourServiceLabels().contains("\"stack-back.replicas-before-stop\":\"2\""));

    Result second = backup(sidecar);

    assertEquals(0, second.exit(), second.toString());
    assertEquals("2", replicas());
    assertEquals("{}", ourServiceLabels());
    assertEquals(2, awaitAppContainers(1, 2).size());
    JsonNode crashed = records(sidecar).get(0);
    assertEquals("failed", crashed.path("state").asText(), crashed.toString());
    assertEquals(
        "scaled service back to 2 (by recovery)",
        step(crashed, "start " + stack + "_app").path("message").asText(),
        crashed.toString());
  }

  @Test
  void shippedSwarmExample_deploysWithStackDeploy_andIsBackedUpWithScaleToZero() {
    lab.volumesOn(1);
    deployExample("docker-stack.yml", Map.of("BACKUP_NODE", "node1"));
    String sidecar = sidecar();
    assertEquals(1, awaitContainers(1, stack + "_notes", 1).size());

    Result r = backup(sidecar);

    assertEquals(0, r.exit(), r.toString());
    assertEquals("1", SwarmStack.replicas(stack + "_notes"));
    assertEquals(1, awaitContainers(1, stack + "_notes", 1).size());
    Result ls = ok(node(1, "exec", sidecar, "restic", "ls", "latest"));
    assertTrue(ls.out().contains("/volumes/" + stack + "_notes/var/lib/notes/notes.db"), ls.out());
    JsonNode record = lastRecord(sidecar);
    assertEquals(
        "scaled service to 0 (from 1)",
        step(record, "stop " + stack + "_notes").path("message").asText(),
        record.toString());
  }

  /**
   * The shipped global layout ({@code docker-stack-global.yml}): stack-back on every node, the app
   * on worker node 2, the repository password and the agent token as swarm secrets (which Docker
   * lists as no mount: the worker on node 2 gets the password by value, see WorkerEnv).
   */
  @Test
  void shippedGlobalSwarmExample_backsUpAnAppOnAWorkerNodeThroughItsAgent(
      @org.junit.jupiter.api.io.TempDir Path secrets) throws IOException {
    Path password = java.nio.file.Files.writeString(secrets.resolve("pw"), SwarmStack.PASSWORD);
    Path token =
        java.nio.file.Files.writeString(secrets.resolve("token"), "agent-token-of-swarm-it-0123");
    lab.volumesOn(2);
    deployExample(
        "docker-stack-global.yml",
        Map.of(
            "APP_NODE", "node2",
            "BACKUP_DIR", lab.repo.toString(),
            "RESTIC_PASSWORD_HOST_FILE", password.toString(),
            "AGENT_TOKEN_HOST_FILE", token.toString()));
    String sidecar = sidecar();
    lab.agent(2);
    assertEquals(1, awaitContainers(2, stack + "_notes", 1).size());

    Result r = backup(sidecar);

    assertEquals(0, r.exit(), r.toString());
    assertEquals("1", SwarmStack.replicas(stack + "_notes"));
    assertEquals(1, awaitContainers(2, stack + "_notes", 1).size());
    Result ls = ok(node(1, "exec", sidecar, "restic", "ls", "latest"));
    assertTrue(ls.out().contains("/volumes/" + stack + "_notes/var/lib/notes/notes.db"), ls.out());
    Result tags = ok(node(1, "exec", sidecar, "restic", "snapshots", "--json", "latest"));
    assertTrue(tags.out().contains("\"node=node2\""), tags.out());
    JsonNode record = lastRecord(sidecar);
    assertEquals(
        "scaled service to 0 (from 1)",
        step(record, "stop " + stack + "_notes").path("message").asText(),
        record.toString());
  }

  @Test
  void hookContextNamingAnUnlabelledServiceOnAWorkerNode_runsThereThroughItsAgent() {
    lab.volumesOn(2);
    lab.deployGlobal(
        """
          app:
            image: %1$s
            command: ["sh", "-c", "trap 'exit 0' TERM; mkdir -p /data; echo v > /data/a; sleep 3600 & wait"]
            volumes: [data:/data]
            labels:
              stack-back.volumes: "true"
              stack-back.hooks.pre.1.cmd: "echo maintenance-on > /tmp/mode"
              stack-back.hooks.pre.1.context: "%2$s_web"
            deploy:
              endpoint_mode: dnsrr
              placement: {constraints: [node.hostname == node2]}
          web:
            image: %1$s
            command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
            deploy:
              endpoint_mode: dnsrr
              placement: {constraints: [node.hostname == node2]}
        """
            .formatted(BUSYBOX, stack),
        "swarm-it-agent-token-0123456789");
    String sidecar = sidecar();
    lab.agent(2);
    String web = awaitContainers(2, stack + "_web", 1).get(0);
    awaitContainers(2, stack + "_app", 1);

    Result r = backup(sidecar);

    assertEquals(0, r.exit(), r.toString());
    assertEquals("maintenance-on\n", ok(node(2, "exec", web, "cat", "/tmp/mode")).out());
    JsonNode record = lastRecord(sidecar);
    assertEquals(
        "ok", step(record, "pre " + stack + "_app#1").path("outcome").asText(), record.toString());
  }

  // ---- the stack -------------------------------------------------------------------------------

  /**
   * {@code docker stack deploy} of {@code compose-examples/swarm/<file>} as this test's stack, with
   * our images and {@code env} for the file's variables.
   */
  private void deployExample(String file, Map<String, String> env) {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("APP_IMAGE", BUSYBOX);
    all.put("STACK_BACK_IMAGE", SwarmStack.IMAGE);
    ok(
        SidecarProject.command(
            Duration.ofMinutes(3),
            List.of(
                "docker",
                "-H",
                sock(1),
                "stack",
                "deploy",
                "--resolve-image",
                "never",
                "-c",
                Path.of("compose-examples/swarm", file).toAbsolutePath().toString(),
                stack),
            all));
  }

  /** Service {@code app}: 2 replicas pinned to {@code node}, a volume with hello.txt, labels. */
  private static String app(String node, String trap, String extraLabel) {
    return """
          app:
            image: %s
            command: ["sh", "-c", "%s; mkdir -p /data; echo swarm-data > /data/hello.txt; sleep 3600 & wait"]
            volumes: [data:/data]
            stop_grace_period: 20s
            labels:
              stack-back.volumes: "true"
              %s
            deploy:
              endpoint_mode: dnsrr
              replicas: 2
              placement: {constraints: [node.hostname == %s]}
        """
        .formatted(BUSYBOX, trap, extraLabel, node);
  }

  private void deploy(String services, String... sidecarEnv) {
    lab.deploy(services, sidecarEnv);
  }

  private String sidecar() {
    return lab.sidecar();
  }

  private List<String> appContainers(int n) {
    return lab.atLeast(n, stack + "_app", 2);
  }

  /** The app's running containers on node {@code n} once {@code count} run (or after 60 s). */
  private List<String> awaitAppContainers(int n, int count) {
    return lab.awaitContainers(n, stack + "_app", count);
  }

  private List<String> awaitContainers(int n, String service, int count) {
    return lab.awaitContainers(n, service, count);
  }

  private String replicas() {
    return SwarmStack.replicas(stack + "_app");
  }

  private String ourServiceLabels() {
    return SwarmStack.ourServiceLabels(stack + "_app");
  }

  private Result backup(String sidecar) {
    return lab.backup(sidecar);
  }

  @AfterEach
  void removeStack() throws IOException {
    lab.remove();
  }
}
