package dev.stackback.it;

import static dev.stackback.it.SwarmStack.lastRecord;
import static dev.stackback.it.SwarmStack.node;
import static dev.stackback.it.SwarmStack.ok;
import static dev.stackback.it.SwarmStack.running;
import static dev.stackback.it.SwarmStack.sock;
import static dev.stackback.it.SwarmStack.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.it.SidecarProject.Result;
import dev.stackback.it.SidecarProject.Running;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * stack-back as a global swarm service (issue 11): the task on the manager (node 1) coordinates,
 * the tasks on the worker nodes are agents, and a labelled service on a worker node is backed up
 * through its node's agent. The repository is a host path under /tmp, which every lab node sees
 * (their mount namespaces are slaves of the host's): a path shared by all nodes. Each test deploys
 * its own stack ({@code sagt<random>}) and removes it, its volumes and its repository afterwards.
 */
class SwarmAgentIT {
  private static final String BUSYBOX = SidecarProject.BUSYBOX;
  private static final String TOKEN = "swarm-agent-it-token-0123456789";

  private final SwarmStack swarm = new SwarmStack("sagt");
  private final String stack = swarm.name;

  // ---- the tests -------------------------------------------------------------------------------

  @Test
  void targetOnAWorkerNode_withAPreHook_isBackedUpThroughItsAgent() {
    deploy(app("node2", "trap 'exit 0' TERM", ""), "");
    String sidecar = sidecar();
    awaitAgent(2);
    awaitAgent(3);

    Result r = swarm.backup(sidecar);

    assertEquals(0, r.exit(), r.toString());
    String snapshotDir = "/volumes/" + stack + "_app/data/";
    assertEquals("agent-data\n", dump(sidecar, snapshotDir + "hello.txt"));
    // the pre hook ran in the app's container on node 2, before its snapshot
    assertEquals("hook-ran\n", dump(sidecar, snapshotDir + "pre.txt"));
    ok(
        node(
            1,
            "exec",
            sidecar,
            "restic",
            "restore",
            "latest",
            "--target",
            "/tmp/restored",
            "--include",
            snapshotDir + "hello.txt"));
    assertEquals(
        "agent-data\n",
        ok(node(1, "exec", sidecar, "cat", "/tmp/restored" + snapshotDir + "hello.txt")).out());
    String tags = ok(node(1, "exec", sidecar, "restic", "snapshots", "--json", "latest")).out();
    assertTrue(tags.contains("\"node=node2\""), "tagged with the node of its volume: " + tags);
    JsonNode record = lastRecord(sidecar);
    assertEquals(
        "ok",
        step(record, "snapshot " + stack + "_app").path("outcome").asText(),
        record.toString());
    assertEquals(List.of(), workers(2), "the worker on node 2 is removed after the run");
    assertEquals(List.of(), workers(1));
  }

  @Test
  void databaseDumpOnAWorkerNode_isStreamedThroughItsAgent() {
    // a stand-in postgres: pg_dumpall and pg_dump print a line naming the node (no real database:
    // what is tested is the dump's bytes arriving from node 3 into restic on node 1)
    deploy(
        """
          db:
            image: %s
            command: ["sh", "-c", "trap 'exit 0' TERM; mkdir -p /usr/local/bin; for f in pg_dumpall pg_dump; do echo '#!/bin/sh' > /usr/local/bin/$$f; echo 'echo dumped-on-node3; seq 1 20000' >> /usr/local/bin/$$f; chmod +x /usr/local/bin/$$f; done; sleep 3600 & wait"]
            labels:
              stack-back.postgres: "true"
            deploy:
              endpoint_mode: dnsrr
              placement: {constraints: [node.hostname == node3]}
        """
            .formatted(BUSYBOX),
        "");
    String sidecar = sidecar();
    awaitAgent(3);
    swarm.awaitContainers(3, stack + "_db", 1);

    Result r = swarm.backup(sidecar);

    assertEquals(0, r.exit(), r.toString());
    String sql =
        ok(node(1, "exec", sidecar, "restic", "ls", "latest"))
            .out()
            .lines()
            .filter(l -> l.endsWith(".sql"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no dump in the snapshot: " + r));
    String dumped = dump(sidecar, sql);
    assertTrue(dumped.startsWith("dumped-on-node3\n1\n2\n"), dumped.substring(0, 40));
    assertTrue(dumped.endsWith("\n19999\n20000\n"), "the whole stream arrived");
    assertEquals(20001, dumped.lines().count());
  }

  @Test
  void unconstrainedService_isBackedUpOnTheNodeItsTaskRuns_withTheWarning() {
    deploy(app(null, "trap 'exit 0' TERM", ""), "");
    String sidecar = sidecar();
    awaitAgent(2);
    awaitAgent(3);
    AtomicReference<Integer> where = new AtomicReference<>();
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(60),
            () -> {
              for (int n = 1; n <= 3; n++) {
                if (!running(n, stack + "_app").isEmpty()) {
                  where.set(n);
                  return true;
                }
              }
              return false;
            }),
        "the app never ran: " + node(1, "service", "ps", stack + "_app"));

    Result r = swarm.backup(sidecar);

    assertEquals(0, r.exit(), r.toString());
    assertTrue(
        r.err().contains(stack + "_app") && r.err().contains("no placement constraint"),
        "the warning names the service: " + r);
    String snapshotDir = "/volumes/" + stack + "_app/data/";
    assertEquals("agent-data\n", dump(sidecar, snapshotDir + "hello.txt"));
    String tags = ok(node(1, "exec", sidecar, "restic", "snapshots", "--json", "latest")).out();
    assertTrue(
        tags.contains("\"node=node" + where.get() + "\""),
        "tagged with the node its task ran on (node" + where.get() + "): " + tags);
  }

  @Test
  void requestWithoutOrWithAWrongSignature_is401_andNothingRuns() {
    deploy(app("node2", "trap 'exit 0' TERM", ""), "");
    awaitAgent(2);
    String agent = running(2, stack + "_backup").get(0);
    String app = awaitApp(2);
    String ip =
        ok(node(
                2,
                "inspect",
                "-f",
                "{{(index .NetworkSettings.Networks \"" + stack + "_default\").IPAddress}}",
                agent))
            .out()
            .strip();
    String body =
        "{\"request\":{\"containerId\":\""
            + app
            + "\",\"command\":[\"touch\",\"/data/pwned\"],\"timeout\":30}}";
    String url = "http://" + ip + ":9324/v1/exec";

    Result unsigned = wget(url, body, List.of());
    Result forged =
        wget(
            url,
            body,
            List.of(
                "X-Stack-Back-Timestamp: " + System.currentTimeMillis() / 1000,
                "X-Stack-Back-Nonce: 0123456789abcdef0123456789abcdef",
                "X-Stack-Back-Signature: " + "ab".repeat(32)));

    assertNotEquals(0, unsigned.exit(), unsigned.toString());
    assertTrue((unsigned.out() + unsigned.err()).contains("401"), unsigned.toString());
    assertNotEquals(0, forged.exit(), forged.toString());
    assertTrue((forged.out() + forged.err()).contains("401"), forged.toString());
    assertNotEquals(
        0, node(2, "exec", app, "test", "-e", "/data/pwned").exit(), "the command never ran");
    Result logs = node(2, "logs", agent);
    assertTrue((logs.out() + logs.err()).contains("refused POST /v1/exec"), logs.toString());
  }

  @Test
  void restoreIntoServicesOnAWorkerNode_goesThroughItsAgent_inPlaceAndDump() {
    assertEquals(
        0,
        node(2, "image", "inspect", SwarmRestoreIT.POSTGRES).exit(),
        SwarmRestoreIT.POSTGRES + " is not in the lab (SWARM_LAB_IMAGES, as scripts/test.sh)");
    deploy(app("node2", "trap 'exit 0' TERM", "") + db("node2"), "");
    String sidecar = sidecar();
    awaitAgent(2);
    String task = awaitApp(2);
    String db = swarm.awaitContainers(2, stack + "_db", 1).get(0);
    SwarmLab.awaitPostgres(2, db);
    SwarmLab.psql(2, db, "CREATE TABLE notes (id int PRIMARY KEY, body text)");
    SwarmLab.psql(
        2, db, "INSERT INTO notes SELECT i, 'note ' || i FROM generate_series(1, 200000) i");
    ok(node(2, "exec", task, "sh", "-c", "echo v1 > /data/restored.txt"));
    assertEquals(0, swarm.backup(sidecar).exit());
    ok(node(2, "exec", task, "sh", "-c", "echo v2 > /data/restored.txt; echo new > /data/new.txt"));
    SwarmLab.psql(2, db, "DROP TABLE notes");
    int records = SwarmStack.records(sidecar).size();
    Result target = restore(sidecar, "--service", stack + "_app", "--target", "/tmp/restored");
    assertEquals(0, target.exit(), target.toString());
    assertEquals(
        "v1\n",
        ok(node(
                1,
                "exec",
                sidecar,
                "cat",
                "/tmp/restored/volumes/" + stack + "_app/data/restored.txt"))
            .out());

    Result inPlace = restore(sidecar, "--service", stack + "_app", "--in-place", "--yes");

    assertEquals(0, inPlace.exit(), inPlace.toString());
    assertEquals("1", replicas(), "scaled back");
    assertEquals("{}", SwarmStack.ourServiceLabels(stack + "_app"));
    String after = awaitApp(2);
    assertNotEquals(task, after, "the task was replaced (scaled to 0 and back)");
    assertEquals(List.of(after), running(2, stack + "_app"), "exactly one task, on node2");
    assertEquals(List.of(), running(1, stack + "_app"));
    assertEquals(List.of(), running(3, stack + "_app"));
    // read back from the volume on node2 by the new task
    assertEquals("v1\n", ok(node(2, "exec", after, "cat", "/data/restored.txt")).out());
    assertEquals(
        1,
        node(2, "exec", after, "test", "-e", "/data/new.txt").exit(),
        "restic restore --delete removed the file made after the snapshot");
    JsonNode record = lastRecord(sidecar);
    assertEquals(records + 1, SwarmStack.records(sidecar).size());
    assertEquals("restore", record.path("trigger").asText(), record.toString());
    JsonNode step = step(record, "restore " + stack + "_app");
    assertEquals("ok", step.path("outcome").asText(), record.toString());
    assertEquals(List.of(), workers(2), "the restore worker on node 2 is removed");
    assertEquals(List.of(), workers(1), "no worker ran on the coordinator's node");

    long dumpStarted = System.nanoTime();
    Result dump = restore(sidecar, "--service", stack + "_db", "--dump");
    long dumpMillis = (System.nanoTime() - dumpStarted) / 1_000_000;

    assertEquals(0, dump.exit(), dump.toString());
    assertEquals("200000|20000100000", SwarmLab.psql(2, db, "SELECT count(*), sum(id) FROM notes"));
    assertEquals(List.of(db), running(2, stack + "_db"), "the database task was not restarted");
    System.out.printf(
        "swarm restore through node2's agent: scale to 0 %d ms, restore %d ms, scale back %d ms;"
            + " dump restore (200000 rows, %s) %d ms%n",
        step(record, "stop " + stack + "_app").path("durationMs").asLong(),
        step.path("durationMs").asLong(),
        step(record, "start " + stack + "_app").path("durationMs").asLong(),
        dump.out().lines().filter(l -> l.startsWith("restored ")).findFirst().orElse("?"),
        dumpMillis);
  }

  @Test
  void labelledServiceOnANodeWithoutAgent_failsTheRunNamingServiceAndNode() {
    deploy(app("node3", "trap 'exit 0' TERM", ""), "node.hostname != node3");
    String sidecar = sidecar();
    awaitAgent(2);

    Result r = swarm.backup(sidecar);

    assertEquals(2, r.exit(), r.toString());
    String all = r.out() + r.err();
    assertTrue(all.contains("service '" + stack + "_app': node node3"), all);
    assertTrue(all.contains("no stack-back agent runs"), all);
    Result snaps = ok(node(1, "exec", sidecar, "restic", "snapshots", "--json"));
    assertEquals("[]", snaps.out().strip(), "nothing may look backed up");

    // a restore into it is refused the same way, before anything is touched
    String task = awaitApp(3);
    int records = SwarmStack.records(sidecar).size();
    for (String what : List.of("--in-place", "--dump")) {
      List<String> args = new java.util.ArrayList<>(List.of("--service", stack + "_app", what));
      if (what.equals("--in-place")) {
        args.add("--yes");
      }
      Result refused = restore(sidecar, args.toArray(String[]::new));
      assertEquals(2, refused.exit(), refused.toString());
      assertTrue(
          refused
              .err()
              .contains(
                  "service '"
                      + stack
                      + "_app': node node3: its task runs on a node other than stack-back's"
                      + " (node1); stack-back cannot restore into it there: no stack-back agent"
                      + " runs on that node"),
          refused.toString());
    }
    assertEquals("1", replicas());
    assertEquals("{}", SwarmStack.ourServiceLabels(stack + "_app"));
    assertEquals(List.of(task), running(3, stack + "_app"), "the same task still runs");
    assertEquals(records, SwarmStack.records(sidecar).size(), "no restore run recorded");
  }

  @Test
  void agentKilledMidRun_failsTheRunNamingTheNode_andTheServiceIsScaledBack() {
    // the app takes ~8 s to stop: the agent of its node is killed while the run waits for that
    deploySlowStoppingAppOnNode2();
    String sidecar = sidecar();
    String agent = awaitAgent(2);
    awaitApp(2);
    Running run = backupUntilScaledToZero(sidecar);
    ok(node(2, "kill", agent));

    Result r = run.await(Duration.ofMinutes(3));

    assertNotEquals(0, r.exit(), r.toString());
    String all = r.out() + r.err();
    assertTrue(all.contains("on node node2"), all);
    assertTrue(all.contains(stack + "_app"), all);
    assertEquals("1", replicas(), "scaled back");
    assertEquals(1, swarm.awaitContainers(2, stack + "_app", 1).size());
    Result snaps = ok(node(1, "exec", sidecar, "restic", "snapshots", "--json"));
    assertEquals("[]", snaps.out().strip(), "nothing may look backed up");
    JsonNode record = lastRecord(sidecar);
    assertEquals("failed", record.path("state").asText(), record.toString());
    // the agent's next task removes the worker the dead one left (restic there gets SIGINT)
    assertTrue(
        SidecarProject.poll(Duration.ofSeconds(90), () -> workers(2).isEmpty()),
        "worker left on node 2: " + workers(2));
  }

  @Test
  void coordinatorKilledMidRun_nextRunRemovesItsWorkerOnTheOtherNode_andScalesBack() {
    deploySlowStoppingAppOnNode2();
    String sidecar = sidecar();
    awaitAgent(2);
    awaitApp(2);
    Running first = backupUntilScaledToZero(sidecar);
    assertTrue(
        SidecarProject.poll(Duration.ofSeconds(30), () -> !workers(2).isEmpty()),
        "the run never started its worker on node 2");
    ok(node(1, "exec", sidecar, "kill", "-9", swarm.runPid()));
    Result killed = first.await(Duration.ofSeconds(30));
    assertNotEquals(0, killed.exit(), killed.toString());
    assertEquals(1, workers(2).size(), "the crash left its worker on node 2");

    Result second = swarm.backup(sidecar);

    assertEquals(0, second.exit(), second.toString());
    assertEquals("1", replicas());
    assertEquals(List.of(), workers(2), "the next run removed the orphan and its own worker");
    assertEquals("agent-data\n", dump(sidecar, "/volumes/" + stack + "_app/data/hello.txt"));
  }

  // ---- the stack -------------------------------------------------------------------------------

  /** Service {@code db}: Postgres pinned to {@code node}, dumped. */
  private static String db(String node) {
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
              placement: {constraints: [node.hostname == %s]}
        """
        .formatted(SwarmRestoreIT.POSTGRES, node);
  }

  private static Result restore(String sidecar, String... args) {
    List<String> argv =
        new java.util.ArrayList<>(List.of("exec", sidecar, "stack-back", "restore"));
    argv.addAll(List.of(args));
    return node(1, argv.toArray(String[]::new));
  }

  /** Service {@code app}: 1 replica pinned to {@code node}, a volume with hello.txt, a pre hook. */
  private static String app(String node, String trap, String extraLabel) {
    return """
          app:
            image: %s
            command: ["sh", "-c", "%s; mkdir -p /data; echo agent-data > /data/hello.txt; sleep 3600 & wait"]
            volumes: [data:/data]
            stop_grace_period: 20s
            labels:
              stack-back.volumes: "true"
              stack-back.hooks.pre.1.cmd: "echo hook-ran > /data/pre.txt"
              %s
            deploy:
              endpoint_mode: dnsrr
              replicas: 1
        %s"""
        .formatted(
            BUSYBOX,
            trap,
            extraLabel,
            node == null
                ? ""
                : "      placement: {constraints: [node.hostname == " + node + "]}\n");
  }

  /**
   * The stack: {@code services} and stack-back as a global service with AGENT_TOKEN (on every node,
   * or where {@code constraint} allows), all on one attachable overlay network.
   */
  private void deploy(String services, String constraint) {
    swarm.deploy(
        services,
        List.of("AGENT_TOKEN: " + TOKEN),
        List.of(
            "mode: global",
            "endpoint_mode: dnsrr",
            "placement: {constraints: ["
                + (constraint.isEmpty() ? "node.hostname != no-such-node" : constraint)
                + "]}"),
        "networks:\n  default:\n    driver: overlay\n    attachable: true\n");
  }

  /** The coordinator's container id on node 1 once its daemon is ready; the repository is made. */
  private String sidecar() {
    String id = awaitLog(1, "next backup at");
    ok(node(1, "exec", id, "restic", "init"));
    return id;
  }

  /** The agent's container id on node {@code n} once it listens. */
  private String awaitAgent(int n) {
    return awaitLog(n, "stack-back agent of this node on port");
  }

  private String awaitLog(int n, String line) {
    AtomicReference<String> id = new AtomicReference<>();
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(90),
            () -> {
              for (String c : running(n, stack + "_backup")) {
                Result logs = node(n, "logs", c);
                if ((logs.out() + logs.err()).contains(line)) {
                  id.set(c);
                  return true;
                }
              }
              return false;
            }),
        "stack-back on node"
            + n
            + " never logged '"
            + line
            + "': "
            + node(1, "service", "ps", "--no-trunc", stack + "_backup"));
    return id.get();
  }

  private String awaitApp(int n) {
    List<String> ids = swarm.awaitContainers(n, stack + "_app", 1);
    assertEquals(1, ids.size(), "the app never ran on node" + n);
    return ids.get(0);
  }

  /** Our worker containers on node {@code n}, running or not. */
  private static List<String> workers(int n) {
    String out = ok(node(n, "ps", "-aq", "--filter", "label=stack-back.worker")).out();
    return out.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  /** A POST from a container on the stack's network (node 1), as anyone on it could send. */
  private Result wget(String url, String body, List<String> headers) {
    List<String> argv =
        new java.util.ArrayList<>(
            List.of(
                "docker",
                "-H",
                sock(1),
                "run",
                "--rm",
                "--network",
                stack + "_default",
                BUSYBOX,
                "wget",
                "-q",
                "-O",
                "-",
                "--post-data",
                body));
    headers.forEach(h -> argv.addAll(List.of("--header", h)));
    argv.add(url);
    return SidecarProject.command(Duration.ofMinutes(2), argv, Map.of());
  }

  /** The app on node 2, stopped during backup, taking ~8 s to stop. */
  private void deploySlowStoppingAppOnNode2() {
    deploy(
        app(
            "node2",
            "trap 'sleep 8; exit 0' TERM",
            "stack-back.volumes.stop-during-backup: \"true\""),
        "");
  }

  /** A backup started in the background, once it has scaled the app to 0. */
  private Running backupUntilScaledToZero(String sidecar) {
    Running run =
        SidecarProject.start(
            List.of("docker", "-H", sock(1), "exec", sidecar, "stack-back", "backup"), Map.of());
    assertTrue(
        SidecarProject.poll(Duration.ofSeconds(60), () -> "0".equals(replicas())),
        "the run never scaled the app to 0");
    return run;
  }

  private String replicas() {
    return SwarmStack.replicas(stack + "_app");
  }

  private static String dump(String sidecar, String path) {
    return ok(node(1, "exec", sidecar, "restic", "dump", "latest", path)).out();
  }

  @AfterEach
  void removeStack() throws IOException {
    node(1, "stack", "rm", stack);
    for (int n = 1; n <= 3; n++) {
      for (String w : workers(n)) {
        node(n, "rm", "-f", w); // a worker holds the stack's volume
      }
    }
    swarm.remove();
  }
}
