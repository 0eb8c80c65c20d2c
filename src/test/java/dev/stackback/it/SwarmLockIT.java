package dev.stackback.it;

import static dev.stackback.it.SwarmLab.node;
import static dev.stackback.it.SwarmLab.ok;
import static dev.stackback.it.SwarmLab.sock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.it.SidecarProject.Result;
import dev.stackback.it.SidecarProject.Running;
import dev.stackback.lock.SwarmLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The swarm-wide run lock and the one coordinator on a real swarm with two managers (issue 11):
 * node 2 of the lab is promoted for this class and demoted afterwards. Two stacks, each with a
 * sidecar and a labelled app pinned to its own manager, share one repository and one backup host
 * ({@code BACKUP_HOST}), so they contend for one lock while their engine locks (one per engine) do
 * not: only the swarm lock can keep them apart.
 */
class SwarmLockIT {
  private static final String IMAGE = SidecarProject.IMAGE;
  private static final String BUSYBOX = SidecarProject.BUSYBOX;
  private static final String PASSWORD = "swarm-lock-it-not-secret";

  private final String id = "slk" + UUID.randomUUID().toString().substring(0, 6);
  private final String host = id + "-host";
  private final String lockName = SwarmLock.name(host);
  private final List<String> stacks = new ArrayList<>();
  private final Path repo = SwarmLab.newRepo("swarm-lock-it-repo");

  @BeforeAll
  static void twoManagers() {
    ok(node(1, "node", "promote", "node2"));
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(60),
            () ->
                "true".equals(node(2, "info", "-f", "{{.Swarm.ControlAvailable}}").out().strip())),
        "node2 never became a manager");
    // and only once node2 has caught up with the raft log can the two managers commit a write
    // (both are the quorum); scripts/swarm-lab.sh keeps that log short, this says if it was not
    assertTrue(
        SidecarProject.poll(
            Duration.ofMinutes(4),
            () ->
                node(1, "node", "update", "--label-add", "stack-back-it.probe=1", "node2").exit()
                    == 0),
        "the swarm with two managers never committed a write");
    ok(node(1, "node", "update", "--label-rm", "stack-back-it.probe", "node2"));
  }

  @AfterAll
  static void oneManager() {
    ok(node(1, "node", "demote", "node2"));
  }

  // ---- the tests -------------------------------------------------------------------------------

  @Test
  void backupOnTwoManagersAtOnce_exactlyOneRuns_theOtherNamesTheHolderAndItsNode() {
    String a = deploy("a", 1, "", NEVER, pinned(1));
    String b = deploy("b", 2, "", NEVER, pinned(2));
    String sidecarA = SwarmLab.sidecar(1, a + "_backup");
    String sidecarB = SwarmLab.sidecar(2, b + "_backup");
    ok(node(1, "exec", sidecarA, "restic", "init"));

    Running onNode1 = backupInBackground(1, sidecarA);
    Running onNode2 = backupInBackground(2, sidecarB);
    Result r1 = onNode1.await(Duration.ofMinutes(3));
    Result r2 = onNode2.await(Duration.ofMinutes(3));

    List<Integer> exits = Stream.of(r1.exit(), r2.exit()).sorted().toList();
    assertEquals(List.of(0, 5), exits, r1 + "\n" + r2);
    boolean node1Won = r1.exit() == 0;
    Result loser = node1Won ? r2 : r1;
    assertTrue(
        loser.err().contains("another backup run is in progress")
            && loser.err().contains("on swarm node '" + (node1Won ? "node1" : "node2") + "'")
            && loser.err().contains("holds the swarm lock '" + lockName + "'"),
        loser.toString());
    List<JsonNode> recordsA = records(1, sidecarA);
    List<JsonNode> recordsB = records(2, sidecarB);
    assertEquals(1, recordsA.size() + recordsB.size(), "one run record: " + recordsA + recordsB);
    JsonNode record = (node1Won ? recordsA : recordsB).get(0);
    assertEquals("succeeded", record.path("state").asText(), record.toString());
    JsonNode snapshots = snapshots(sidecarA);
    assertEquals(1, snapshots.size(), snapshots.toString());
    assertEquals(
        "/volumes/" + (node1Won ? a : b) + "_app/data",
        snapshots.get(0).path("paths").get(0).asText(),
        snapshots.toString());
    assertEquals("", lockConfigs(), "the lock is gone after the run");
  }

  @Test
  void lockOfAKilledRun_isTakenOverByTheNextRunOnTheOtherManager() {
    // the app takes 8 s to stop, and the sidecar on node 1 is not restarted once killed
    String a =
        deploy("a", 1, "sleep 8; ", NEVER, pinned(1) + "      restart_policy: {condition: none}\n");
    String b = deploy("b", 2, "", NEVER, pinned(2));
    String sidecarA = SwarmLab.sidecar(1, a + "_backup");
    String sidecarB = SwarmLab.sidecar(2, b + "_backup");
    ok(node(1, "exec", sidecarA, "restic", "init"));
    Running first = backupInBackground(1, sidecarA);
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(60),
            () ->
                "0"
                    .equals(
                        node(
                                1,
                                "service",
                                "inspect",
                                "-f",
                                "{{.Spec.Mode.Replicated.Replicas}}",
                                a + "_app")
                            .out()
                            .strip())),
        "the run on node 1 never scaled its app to 0");
    assertEquals(lockName, lockConfigs(), "node 1's run holds the swarm lock");

    ok(node(1, "kill", "-s", "KILL", sidecarA));
    first.await(Duration.ofSeconds(30));
    assertEquals(lockName, lockConfigs(), "the killed run left its lock");
    assertEquals(
        "node1",
        ok(node(
                2,
                "config",
                "inspect",
                "-f",
                "{{index .Spec.Labels \"stack-back.lock.node\"}}",
                lockName))
            .out()
            .strip());

    Result next = node(2, "exec", sidecarB, "stack-back", "backup");

    assertEquals(0, next.exit(), next.toString());
    assertTrue(
        (next.out() + next.err()).contains("removing the stale swarm lock " + lockName),
        next.toString());
    assertTrue(
        (next.out() + next.err()).contains("on swarm node 'node1'"),
        "the log names the dead holder's node: " + next);
    assertEquals(1, records(2, sidecarB).size());
    assertEquals("", lockConfigs(), "the lock is gone after the run");
  }

  @Test
  void sigtermDuringARun_releasesTheSwarmLock_andScalesTheAppBack() {
    String a = deploy("a", 1, "sleep 8; ", NEVER, pinned(1));
    String sidecar = SwarmLab.sidecar(1, a + "_backup");
    ok(node(1, "exec", sidecar, "restic", "init"));
    Running run = backupInBackground(1, sidecar);
    assertTrue(
        SidecarProject.poll(Duration.ofSeconds(60), () -> lockName.equals(lockConfigs())),
        "the run never took the swarm lock");
    String pid =
        ok(node(
                1,
                "config",
                "inspect",
                "-f",
                "{{index .Spec.Labels \"stack-back.lock.pid\"}}",
                lockName))
            .out()
            .strip();

    ok(node(1, "exec", sidecar, "kill", "-TERM", pid));
    Result r = run.await(Duration.ofMinutes(2));

    assertTrue(r.exit() != 0 && r.exit() != 5, r.toString());
    assertEquals("", lockConfigs(), "SIGTERM released the swarm lock");
    assertEquals(
        "1",
        ok(node(1, "service", "inspect", "-f", "{{.Spec.Mode.Replicated.Replicas}}", a + "_app"))
            .out()
            .strip());
  }

  @Test
  void globalSidecarOnBothManagers_onlyTheLeadersDaemonRunsTheSchedule() {
    // every 10 s; the app is on node 1, the leader: node 2's sidecar could not back it up
    String g =
        deploy(
            "g",
            1,
            "",
            "*/10 * * * * *",
            "      mode: global\n      placement: {constraints: [node.role == manager]}\n");
    String onLeader = SwarmLab.sidecar(1, g + "_backup");
    String onNode2 = SwarmLab.sidecar(2, g + "_backup");

    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(90),
            () -> logs(1, onLeader).contains("scheduled backup finished with exit code 0")),
        "the leader never ran its schedule: " + logs(1, onLeader));
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(30),
            () ->
                logs(2, onNode2)
                    .contains(
                        "scheduled backup skipped: this node (node2) is not the swarm leader;"
                            + " the stack-back on the leader (node1) runs the schedule")),
        logs(2, onNode2));
    String node2 = logs(2, onNode2);
    assertTrue(!node2.contains("scheduled backup finished"), node2);
    assertEquals(List.of(), records(2, onNode2), "no record on the manager that defers");
    assertTrue(records(1, onLeader).size() >= 1);
  }

  private static String logs(int n, String container) {
    Result r = node(n, "logs", container);
    return r.out() + r.err();
  }

  // ---- the stacks ------------------------------------------------------------------------------

  /** A schedule that does not fire during a test. */
  private static final String NEVER = "0 0 1 1 *";

  /** The sidecar's {@code deploy:} lines for one replica on node {@code n}. */
  private static String pinned(int n) {
    return "      placement: {constraints: [node.hostname == node" + n + "]}\n";
  }

  /**
   * Stack {@code <id><suffix>}: an app on node {@code appNode} (one replica, a volume, scaled to 0
   * for its snapshot, {@code stopDelay} before it exits on SIGTERM) and a sidecar with backups on
   * {@code cron} and {@code sidecarDeploy} as the rest of its {@code deploy:}.
   */
  private String deploy(
      String suffix, int appNode, String stopDelay, String cron, String sidecarDeploy) {
    String stack = id + suffix;
    String yaml =
        """
        version: "3.8"
        services:
          app:
            image: %s
            command: ["sh", "-c", "trap '%sexit 0' TERM; mkdir -p /data; echo %s > /data/hello.txt; sleep 3600 & wait"]
            volumes: [data:/data]
            stop_grace_period: 20s
            labels:
              stack-back.volumes: "true"
              stack-back.volumes.stop-during-backup: "true"
            deploy:
              endpoint_mode: dnsrr
              placement: {constraints: [node.hostname == node%d]}
          backup:
            image: %s
            volumes:
              - /var/run/docker.sock:/var/run/docker.sock
              - %s:%s
            environment:
              RESTIC_REPOSITORY: %s
              RESTIC_PASSWORD: %s
              SWARM_MODE: "true"
              BACKUP_HOST: %s
              CRON_SCHEDULE: "%s"
            healthcheck: {disable: true}
            deploy:
              endpoint_mode: dnsrr
        %s
        volumes:
          data: {}
        """
            .formatted(
                BUSYBOX,
                stopDelay,
                stack,
                appNode,
                IMAGE,
                repo,
                repo,
                repo,
                PASSWORD,
                host,
                cron,
                sidecarDeploy);
    Path file = repo.resolveSibling(repo.getFileName() + "-" + suffix + ".yml");
    try {
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    stacks.add(stack);
    SwarmLab.deploy(file, stack);
    return stack;
  }

  private static Running backupInBackground(int n, String sidecar) {
    return SidecarProject.start(
        List.of("docker", "-H", sock(n), "exec", sidecar, "stack-back", "backup"), Map.of());
  }

  /** The names of the swarm configs that are this test's lock (one per line; "" when none). */
  private String lockConfigs() {
    String all = ok(node(1, "config", "ls", "--format", "{{.Name}}")).out();
    return String.join(
        "\n", Arrays.stream(all.split("\n")).map(String::strip).filter(lockName::equals).toList());
  }

  private static List<JsonNode> records(int n, String sidecar) {
    return SidecarProject.parseRecords(
        ok(node(n, "exec", sidecar, "sh", "-c", SidecarProject.CAT_RECORDS)).out());
  }

  private static JsonNode snapshots(String sidecar) {
    return SidecarProject.json(
        ok(node(1, "exec", sidecar, "restic", "--no-lock", "snapshots", "--json")).out());
  }

  @AfterEach
  void removeStacks() throws IOException {
    for (String stack : stacks) {
      SwarmLab.removeStack(stack, List.of(1, 2));
    }
    node(1, "config", "rm", lockName); // only when a failed test left it
    try (Stream<Path> files =
        Stream.of("a", "b").map(s -> repo.resolveSibling(repo.getFileName() + "-" + s + ".yml"))) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
    }
    SwarmLab.deleteRepo(repo);
  }
}
