package dev.stackback.it;

import static dev.stackback.it.SwarmLab.lastRecord;
import static dev.stackback.it.SwarmLab.node;
import static dev.stackback.it.SwarmLab.ok;
import static dev.stackback.it.SwarmLab.records;
import static dev.stackback.it.SwarmLab.running;
import static dev.stackback.it.SwarmLab.sock;
import static dev.stackback.it.SwarmLab.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.it.SidecarProject.Result;
import dev.stackback.it.SidecarProject.Running;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SWARM_MODE on a real 3-node swarm (issue 11): scripts/swarm-lab.sh ({@link SwarmLab}). Node 1 is
 * the manager; the sidecar runs there, pinned, with node 1's socket. Each test deploys its own
 * stack ({@code swit<random>}) and removes it, its volumes and its repository afterwards.
 */
class SwarmIT {
  private static final String IMAGE = SidecarProject.IMAGE;
  private static final String BUSYBOX = SidecarProject.BUSYBOX;
  private static final String PASSWORD = "swarm-it-not-secret";

  private final String stack = "swit" + UUID.randomUUID().toString().substring(0, 6);
  private final Path repo;
  private final List<Integer> nodesWithVolumes = new ArrayList<>();

  SwarmIT() {
    repo = SwarmLab.newRepository("swarm-it-repo");
  }

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
    SwarmLab.killRun(stack, sidecar);
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
        "scaled back to 2 by recovery",
        step(crashed, "start " + stack + "_app").path("message").asText(),
        crashed.toString());
  }

  @Test
  void shippedSwarmExample_deploysWithStackDeploy_andIsBackedUpWithScaleToZero() {
    Path file = Path.of("compose-examples/swarm/docker-stack.yml").toAbsolutePath();
    nodesWithVolumes.add(1);
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
                file.toString(),
                stack),
            Map.of("APP_IMAGE", BUSYBOX, "STACK_BACK_IMAGE", IMAGE, "BACKUP_NODE", "node1")));
    String sidecar = sidecar();
    assertEquals(1, awaitContainers(1, stack + "_notes", 1).size());

    Result r = backup(sidecar);

    assertEquals(0, r.exit(), r.toString());
    assertEquals("1", replicas(stack + "_notes"));
    assertEquals(1, awaitContainers(1, stack + "_notes", 1).size());
    Result ls = ok(node(1, "exec", sidecar, "restic", "ls", "latest"));
    assertTrue(ls.out().contains("/volumes/" + stack + "_notes/var/lib/notes/notes.db"), ls.out());
    JsonNode record = lastRecord(sidecar);
    assertEquals(
        "scaled service to 0 (from 1)",
        step(record, "stop " + stack + "_notes").path("message").asText(),
        record.toString());
  }

  // ---- the stack -------------------------------------------------------------------------------

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
    String yaml =
        SwarmLab.stackFile(
            services,
            repo,
            PASSWORD,
            List.of(sidecarEnv),
            List.of("endpoint_mode: dnsrr", "placement: {constraints: [node.hostname == node1]}"),
            "");
    nodesWithVolumes.addAll(List.of(1, 2));
    SwarmLab.deploy(stack, repo, yaml);
  }

  /** The running sidecar's container id on node 1, with an initialised repository. */
  private String sidecar() {
    String[] id = new String[1];
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(90),
            () -> {
              id[0] = running(1, stack + "_backup").stream().findFirst().orElse(null);
              return id[0] != null;
            }),
        "the sidecar task never ran: " + node(1, "service", "ps", "--no-trunc", stack + "_backup"));
    // its daemon repairs interrupted runs first, under the run lock: wait until it is done
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(60),
            () -> {
              Result logs = node(1, "logs", id[0]);
              return (logs.out() + logs.err()).contains("next backup at");
            }),
        "the sidecar's daemon never got ready: " + node(1, "logs", id[0]));
    ok(node(1, "exec", id[0], "restic", "init"));
    return id[0];
  }

  private List<String> appContainers(int n) {
    java.util.concurrent.atomic.AtomicReference<List<String>> ids =
        new java.util.concurrent.atomic.AtomicReference<>(List.of());
    SidecarProject.poll(
        Duration.ofSeconds(90),
        () -> {
          ids.set(running(n, stack + "_app"));
          return ids.get().size() >= 2;
        });
    return ids.get();
  }

  /** The app's running containers on node {@code n} once {@code count} run (or after 60 s). */
  private List<String> awaitAppContainers(int n, int count) {
    return awaitContainers(n, stack + "_app", count);
  }

  /** A service's running containers on node {@code n} once {@code count} run (or after 60 s). */
  private List<String> awaitContainers(int n, String service, int count) {
    java.util.concurrent.atomic.AtomicReference<List<String>> ids =
        new java.util.concurrent.atomic.AtomicReference<>(List.of());
    SidecarProject.poll(
        Duration.ofSeconds(60),
        () -> {
          ids.set(running(n, service));
          return ids.get().size() == count;
        });
    return ids.get();
  }

  private String replicas() {
    return replicas(stack + "_app");
  }

  private static String replicas(String service) {
    return SwarmLab.replicas(service);
  }

  /** The app service's labels that start with stack-back., as JSON. */
  private String ourServiceLabels() {
    String json =
        ok(node(1, "service", "inspect", "-f", "{{json .Spec.Labels}}", stack + "_app")).out();
    StringBuilder out = new StringBuilder("{");
    SidecarProject.json(json)
        .properties()
        .forEach(
            e -> {
              if (e.getKey().startsWith("stack-back.")) {
                out.append(out.length() > 1 ? "," : "")
                    .append('"')
                    .append(e.getKey())
                    .append("\":\"")
                    .append(e.getValue().asText())
                    .append('"');
              }
            });
    return out.append('}').toString();
  }

  private Result backup(String sidecar) {
    return SwarmLab.backup(sidecar);
  }

  // ---- the lab ---------------------------------------------------------------------------------

  @AfterEach
  void removeStack() throws IOException {
    SwarmLab.removeStack(stack, repo, nodesWithVolumes.stream().distinct().toList());
  }
}
