package dev.stackback.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.FakeContainerRuntime;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.port.SwarmLocks;
import dev.stackback.port.SwarmNode;
import dev.stackback.port.SwarmTask;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The swarm-wide lock on a fake swarm (configs created at most once per name, tasks, nodes): take,
 * busy naming the node, stale by task and node, never by age, a takeover race.
 */
class SwarmLockTest {

  /** Configs, tasks and nodes of a fake swarm; {@link #beforeJudging} runs inside nodes(). */
  static final class FakeSwarm implements SwarmLocks {
    final Map<String, SwarmConfig> configs = new LinkedHashMap<>(); // by id
    final Map<String, SwarmTask> tasks = new HashMap<>();
    final List<SwarmNodeStatus> nodes = new ArrayList<>();
    final List<String> journal = new ArrayList<>();
    Runnable beforeJudging = () -> {};
    int ids;

    FakeSwarm() {
      nodes.add(new SwarmNodeStatus("n1", "node1", "ready", true, true));
      nodes.add(new SwarmNodeStatus("n2", "node2", "ready", true, false));
    }

    @Override
    public Optional<SwarmNode> localNode() {
      return Optional.of(new SwarmNode("n2", true));
    }

    @Override
    public Optional<String> createConfig(String name, Map<String, String> labels, byte[] data) {
      if (configs.values().stream().anyMatch(c -> c.name().equals(name))) {
        journal.add("create " + name + ": conflict");
        return Optional.empty();
      }
      String id = "cfg" + ++ids;
      configs.put(id, new SwarmConfig(id, name, labels));
      journal.add("create " + name + ": " + id);
      return Optional.of(id);
    }

    @Override
    public Optional<SwarmConfig> config(String name) {
      return configs.values().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    @Override
    public void removeConfig(String id) {
      journal.add("remove " + id + (configs.remove(id) == null ? ": gone" : ""));
    }

    @Override
    public Optional<SwarmTask> task(String id) {
      return Optional.ofNullable(tasks.get(id));
    }

    @Override
    public List<SwarmNodeStatus> nodes() {
      Runnable r = beforeJudging;
      beforeJudging = () -> {};
      r.run();
      return List.copyOf(nodes);
    }

    void task(String id, String node, String state) {
      tasks.put(id, new SwarmTask(id, "svc", node, "running", state, "c-" + id));
    }
  }

  final FakeSwarm swarm = new FakeSwarm();
  final FakeContainerRuntime runtime = new FakeContainerRuntime(new Journal(), List.of());
  static final String NAME = SwarmLock.name("demo");

  /** A run in task {@code task}'s container on node {@code nodeId}, pid 7 of another realm. */
  static SwarmLockHolder remote(String nodeId, String node, String task, Instant since) {
    return new SwarmLockHolder(
        new LockHolder(
            "demo",
            new ProcessIdentity(7, 123, "m/other-boot/pid:[1]"),
            "c-" + task,
            "st_backup.1",
            "/state",
            "schedule",
            since),
        nodeId,
        node,
        task);
  }

  /** This process on node n2 (outside a container). */
  static SwarmLockHolder me(String trigger) {
    return new SwarmLockHolder(
        new LockHolder("demo", ProcessIdentity.current(), "", "", "/mine", trigger, Instant.now()),
        "n2",
        "node2",
        "");
  }

  /** The message of a manual run of ours that finds the lock busy. */
  String busy() {
    return assertInstanceOf(SwarmLock.Busy.class, SwarmLock.acquire(swarm, runtime, me("manual")))
        .message();
  }

  void held(SwarmLockHolder h) {
    assertInstanceOf(SwarmLock.Acquired.class, SwarmLock.acquire(swarm, runtime, h));
  }

  @Test
  void free_takesIt_labelsSayWhoAndWhere_closeRemovesIt() {
    SwarmLock.Result r = SwarmLock.acquire(swarm, runtime, me("manual"));

    SwarmLock lock = assertInstanceOf(SwarmLock.Acquired.class, r).lock();
    SwarmLocks.SwarmConfig c = swarm.config(NAME).orElseThrow();
    assertEquals("n2", c.labels().get(SwarmLockHolder.NODE_ID));
    assertEquals("node2", c.labels().get(SwarmLockHolder.NODE));
    assertEquals("manual", c.labels().get(LockHolder.TRIGGER));
    assertEquals(Long.toString(ProcessHandle.current().pid()), c.labels().get(LockHolder.PID));
    lock.close();
    assertEquals(Map.of(), swarm.configs);
    assertEquals(List.of("create " + NAME + ": cfg1", "remove cfg1"), swarm.journal);
  }

  @Test
  void heldByALiveTaskOnAnotherManager_busy_namesTheNode_lockUntouched() {
    swarm.task("t1", "n1", "running");
    held(remote("n1", "node1", "t1", Instant.now()));

    String msg = busy();
    assertTrue(msg.contains("on swarm node 'node1'"), msg);
    assertTrue(msg.contains("a schedule run (pid 7"), msg);
    assertTrue(msg.contains("docker config rm " + NAME), msg);
    assertEquals(1, swarm.configs.size());
    assertEquals("n1", swarm.config(NAME).orElseThrow().labels().get(SwarmLockHolder.NODE_ID));
  }

  @Test
  void ageAlone_isNoProof_aDayOldLockOfARunningTaskIsBusy() {
    swarm.task("t1", "n1", "running");
    held(remote("n1", "node1", "t1", Instant.parse("2020-01-01T00:00:00Z")));

    assertInstanceOf(SwarmLock.Busy.class, SwarmLock.acquire(swarm, runtime, me("manual")));
  }

  @Test
  void holderTaskFailed_killedContainer_staleLockRemovedById_taken() {
    swarm.task("t1", "n1", "running");
    held(remote("n1", "node1", "t1", Instant.now()));
    swarm.task("t1", "n1", "failed"); // kill -9 of its container

    SwarmLock.Result r = SwarmLock.acquire(swarm, runtime, me("manual"));

    assertInstanceOf(SwarmLock.Acquired.class, r);
    assertEquals(
        List.of(
            "create " + NAME + ": cfg1",
            "create " + NAME + ": conflict",
            "remove cfg1",
            "create " + NAME + ": cfg2"),
        swarm.journal);
    assertEquals("n2", swarm.config(NAME).orElseThrow().labels().get(SwarmLockHolder.NODE_ID));
  }

  @Test
  void holderTaskGone_taken() {
    held(remote("n1", "node1", "t-removed", Instant.now()));

    assertInstanceOf(SwarmLock.Acquired.class, SwarmLock.acquire(swarm, runtime, me("manual")));
  }

  @Test
  void holderNodeDownOrLeft_taken_evenWhileItsTaskLooksRunning() {
    swarm.task("t1", "n1", "running");
    held(remote("n1", "node1", "t1", Instant.now()));
    swarm.nodes.set(0, new SwarmLocks.SwarmNodeStatus("n1", "node1", "down", true, false));

    assertInstanceOf(SwarmLock.Acquired.class, SwarmLock.acquire(swarm, runtime, me("manual")));

    swarm.configs.clear();
    swarm.task("t3", "n3", "running");
    held(remote("n3", "node3", "t3", Instant.now())); // n3 is no node of the swarm
    assertInstanceOf(SwarmLock.Acquired.class, SwarmLock.acquire(swarm, runtime, me("manual")));
  }

  @Test
  void holderOnOurNode_isJudgedByItsPid_deadTaken_aliveBusy() {
    ProcessIdentity mine = ProcessIdentity.current();
    ProcessIdentity dead = new ProcessIdentity(mine.pid(), mine.startTicks() + 1, mine.realm());
    held(
        new SwarmLockHolder(
            new LockHolder("demo", dead, "", "", "/old", "manual", Instant.now()),
            "n2",
            "node2",
            ""));

    assertInstanceOf(SwarmLock.Acquired.class, SwarmLock.acquire(swarm, runtime, me("manual")));

    String msg =
        assertInstanceOf(SwarmLock.Busy.class, SwarmLock.acquire(swarm, runtime, me("verify")))
            .message();
    assertTrue(msg.contains("STATE_DIR /mine"), msg);
    assertTrue(!msg.contains("docker config rm"), "a live holder is no guess: " + msg);
  }

  @Test
  void holderOutsideATaskOnAnotherNode_busy_neverRemoved() {
    held(remote("n1", "node1", "", Instant.now()));

    String msg = busy();
    assertTrue(msg.contains("outside a swarm task"), msg);
    assertEquals(1, swarm.configs.size());
  }

  @Test
  void takeoverRace_theOtherRunTookItFirst_ourRemoveByIdMissesItsLock_busy() {
    swarm.task("t1", "n1", "failed");
    held(remote("n1", "node1", "t1", Instant.now()));
    // while we judge the stale lock, a run on node3 removes it and takes the lock itself
    swarm.nodes.add(new SwarmLocks.SwarmNodeStatus("n3", "node3", "ready", true, false));
    swarm.task("t3", "n3", "running");
    swarm.beforeJudging =
        () -> {
          swarm.removeConfig("cfg1");
          swarm.createConfig(
              NAME, remote("n3", "node3", "t3", Instant.now()).labels(), new byte[0]);
        };

    String msg = busy();
    assertTrue(msg.contains("node 'node3'"), msg);
    assertEquals(List.of("cfg2"), List.copyOf(swarm.configs.keySet()), "node3's lock stays");
    assertTrue(swarm.journal.contains("remove cfg1: gone"), swarm.journal.toString());
  }

  @Test
  void foreignConfigWithTheName_busy_neverRemoved() {
    swarm.createConfig(NAME, Map.of("x", "y"), new byte[0]);

    String msg = busy();
    assertTrue(msg.contains("not a stack-back lock"), msg);
    assertEquals(1, swarm.configs.size());
  }

  @Test
  void name_fitsASwarmName_andDiffersForHostsThatCleanAlike() {
    String longest = SwarmLock.name("x".repeat(300));
    assertTrue(longest.length() <= 64, longest);
    assertTrue(longest.matches("[a-zA-Z0-9]+([a-zA-Z0-9_.-]*[a-zA-Z0-9])?"), longest);
    assertEquals(EngineLock.name("mystack"), SwarmLock.name("mystack"));
    assertNotEquals(SwarmLock.name("a b"), SwarmLock.name("a-b"));
  }
}
