package dev.stackback.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stackback.engine.fakes.FakeContainerRuntime;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.port.ContainerInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The engine-wide lock on the journaling fake runtime: take, busy, stale, release. */
class EngineLockTest {
  static final ContainerInfo STOPPED_SIDECAR =
      new ContainerInfo(
          "sidecar-id", "demo-backup", "img", Map.of(), Map.of(), List.of(), false, "exited", "");

  final Journal journal = new Journal();
  final FakeContainerRuntime runtime = new FakeContainerRuntime(journal, List.of(STOPPED_SIDECAR));

  static LockHolder holder(String host, ProcessIdentity p, String container, String stateDir) {
    return new LockHolder(
        host,
        p,
        container,
        "demo-backup",
        stateDir,
        "manual",
        Instant.parse("2026-12-02T07:00:00Z"));
  }

  static LockHolder me(String stateDir) {
    return holder("demo", ProcessIdentity.current(), "", stateDir);
  }

  @Test
  void free_takesIt_closeReleasesIt() {
    EngineLock.Result r = EngineLock.acquire(runtime, "img", me("/a"));

    EngineLock lock = assertInstanceOf(EngineLock.Acquired.class, r).lock();
    ContainerInfo marker = runtime.markers().get(0);
    assertEquals(EngineLock.name("demo"), marker.name());
    assertEquals("/a", marker.labels().get(LockHolder.STATE_DIR));
    assertEquals(Long.toString(ProcessHandle.current().pid()), marker.labels().get(LockHolder.PID));
    lock.close();
    assertEquals(List.of(), runtime.markers());
    assertEquals(List.of(), journal.entries(), "taking the lock is not a step of the run");
  }

  @Test
  void heldByALiveProcess_busy_namesTheHolder_otherHostIsFree() {
    EngineLock.acquire(runtime, "img", me("/a"));

    EngineLock.Result r = EngineLock.acquire(runtime, "img", me("/b"));

    String msg = assertInstanceOf(EngineLock.Busy.class, r).message();
    assertTrue(msg.contains("pid " + ProcessHandle.current().pid()), msg);
    assertTrue(msg.contains("STATE_DIR /a"), msg);
    assertTrue(msg.contains("a manual run"), msg);
    assertEquals(1, runtime.markers().size());
    assertInstanceOf(
        EngineLock.Acquired.class,
        EngineLock.acquire(runtime, "img", holder("other", ProcessIdentity.current(), "", "/b")));
  }

  @Test
  void holderProcessEnded_staleLockRemoved_taken() {
    ProcessIdentity me = ProcessIdentity.current();
    // same pid and realm, another start time: the pid was reused, the holder is gone
    ProcessIdentity dead = new ProcessIdentity(me.pid(), me.startTicks() + 1, me.realm());
    EngineLock.acquire(runtime, "img", holder("demo", dead, "", "/a"));

    EngineLock.Result r = EngineLock.acquire(runtime, "img", me("/b"));

    assertInstanceOf(EngineLock.Acquired.class, r);
    assertEquals("/b", runtime.markers().get(0).labels().get(LockHolder.STATE_DIR));
  }

  @Test
  void holderContainerNotRunning_stale_evenFromAnotherRealm() {
    ProcessIdentity elsewhere = new ProcessIdentity(7, 123, "other-boot/pid:[1]");
    EngineLock.acquire(runtime, "img", holder("demo", elsewhere, "sidecar-id", "/state"));

    assertInstanceOf(EngineLock.Acquired.class, EngineLock.acquire(runtime, "img", me("/b")));
  }

  @Test
  void holderOnThisHostBeforeItsLastReboot_stale() {
    String[] mine = ProcessIdentity.current().realm().split("/", 3);
    assumeTrue(mine.length == 3 && !mine[0].isEmpty(), "needs /etc/machine-id and /proc");
    String earlier = mine[0] + "/00000000-0000-0000-0000-000000000000/" + mine[2];
    EngineLock.acquire(
        runtime, "img", holder("demo", new ProcessIdentity(7, 1, earlier), "", "/a"));

    assertInstanceOf(EngineLock.Acquired.class, EngineLock.acquire(runtime, "img", me("/b")));
  }

  @Test
  void holderOnAHostWeCannotSee_busy_saysHowToClearIt() {
    ProcessIdentity elsewhere = new ProcessIdentity(7, 123, "other-boot/pid:[1]");
    EngineLock.acquire(runtime, "img", holder("demo", elsewhere, "", "/state"));

    EngineLock.Result r = EngineLock.acquire(runtime, "img", me("/b"));

    String msg = assertInstanceOf(EngineLock.Busy.class, r).message();
    assertTrue(msg.contains("docker rm " + EngineLock.name("demo")), msg);
    assertEquals(1, runtime.markers().size(), "a lock we cannot judge is never removed");
  }

  @Test
  void foreignContainerWithTheName_busy_neverRemoved() {
    runtime.createMarker(EngineLock.name("demo"), "img", Map.of("x", "y"));

    EngineLock.Result r = EngineLock.acquire(runtime, "img", me("/b"));

    assertTrue(
        assertInstanceOf(EngineLock.Busy.class, r).message().contains("not a stack-back lock"));
    assertEquals(1, runtime.markers().size());
  }

  @Test
  void name_isAValidDockerName_andHostsThatCleanAlikeDiffer() {
    String a = EngineLock.name("my host/äx");
    String b = EngineLock.name("my-host-äx");
    assertTrue(a.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]+"), a);
    assertTrue(a.startsWith("stack-back-lock-my-host--x-"), a);
    assertNotEquals(a, b);
    assertTrue(EngineLock.name("x".repeat(300)).length() < 80);
  }

  @Test
  void statStartTicks_countedAfterTheLastParenthesis() {
    String stat =
        "42 (java (x) y) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 0 0 18446744073709551615";
    assertEquals(Optional.of(987654L), ProcessIdentity.parseStartTicks(stat));
    assertEquals(Optional.empty(), ProcessIdentity.parseStartTicks("42 (java) S 1"));
  }

  @Test
  void current_isAliveHere_onLinux() {
    ProcessIdentity me = ProcessIdentity.current();
    assertTrue(me.startTicks() > 0, me::toString);
    assertTrue(ProcessIdentity.aliveHere(me.pid(), me.startTicks()));
    assertTrue(ProcessIdentity.sameRealm(me.realm()));
  }
}
