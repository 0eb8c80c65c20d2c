package dev.stackback.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.FakeContainerRuntime;
import dev.stackback.engine.fakes.FakeRestic;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.MountInfo;
import dev.stackback.port.Restic;
import dev.stackback.port.WorkerSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadWorkerLocksTest {
  private static final ContainerInfo SELF =
      new ContainerInfo(
          "self0000000000000000",
          "backup",
          "stack-back:test",
          Map.of(),
          Map.of(),
          List.of(
              new MountInfo(MountInfo.Type.BIND, null, "/srv/repo", "/repo", false),
              new MountInfo(
                  MountInfo.Type.BIND, null, "/var/run/docker.sock", "/var/run/docker.sock", true)),
          true,
          "running");

  private final Journal journal = new Journal();
  private final FakeContainerRuntime runtime = new FakeContainerRuntime(journal, List.of());

  private static final String OURS = WorkerSpec.hostnameFor("shop");

  private static List<Restic.LockInfo> lock(String hostname, long pid) {
    return List.of(new Restic.LockInfo("fb31a218", hostname, pid, false));
  }

  private DeadWorkerLocks locks() {
    return new DeadWorkerLocks(
        runtime, new FakeRestic(journal), SELF, "shop", Map.of("RESTIC_REPOSITORY", "/repo"));
  }

  private static ContainerInfo worker(String id, String host, boolean running, String state) {
    return new ContainerInfo(
        id,
        "stack-back-worker-" + id,
        "stack-back:test",
        Map.of("stack-back.worker", "true", "stack-back.worker.host", host),
        Map.of(),
        List.of(),
        running,
        state);
  }

  @Test
  void ourWorkersLock_noWorkerAlive_runsResticUnlockAsPid1OfAFreshWorker_withTheirHostname() {
    runtime.existingWorkers(
        List.of(
            worker("exited000000", "shop", false, "exited"),
            worker("created00000", "shop", false, "created"),
            worker("other0000000", "other-host", true, "running")));

    locks()
        .sweep(
            List.of(
                new Restic.LockInfo("a", "otherhost", 7, true),
                new Restic.LockInfo("b", OURS, 8, false),
                new Restic.LockInfo("c", OURS, 412, false)));

    assertEquals(1, runtime.workers().size());
    WorkerSpec w = runtime.workers().get(0);
    assertEquals(
        List.of("sh", "-c", DeadWorkerLocks.USE_UP_PIDS, "sh", "412", "restic", "unlock"),
        w.entrypoint(),
        "pids up to the largest of our locks used up, then restic as PID 1; never --remove-all");
    assertEquals(WorkerSpec.hostnameFor("shop"), w.hostname());
    assertEquals("stack-back:test", w.image());
    assertEquals(Map.of("stack-back.worker.host", "shop"), w.labels(), "recovery finds it");
    assertEquals(
        List.of(new WorkerSpec.WorkerMount(MountInfo.Type.BIND, "/srv/repo", "/repo", false)),
        w.mounts(),
        "stack-back's mounts without the Docker socket");
    assertEquals("/repo", w.env().get("RESTIC_REPOSITORY"));
    assertEquals(Duration.ofMinutes(2), w.timeout());
  }

  @Test
  void aWorkerOfTheHostWithProcesses_nothingRuns() {
    for (var w :
        List.of(
            worker("running00000", "shop", true, "running"),
            worker("paused000000", "shop", false, "paused"),
            worker("restarting00", "shop", false, "restarting"))) {
      runtime.existingWorkers(List.of(w));

      locks().sweep(lock(OURS, 8));

      assertEquals(List.of(), runtime.workers(), w.state() + ": its restic may be alive");
    }
  }

  @Test
  void aNodeWhoseWorkersCannotBeListed_nothingRuns() {
    // e.g. a swarm node whose agent does not answer: a live worker there would look dead
    dev.stackback.port.ContainerRuntime blind =
        (dev.stackback.port.ContainerRuntime)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {dev.stackback.port.ContainerRuntime.class},
                (p, m, a) -> {
                  if (m.getName().equals("listAllWorkers")) {
                    throw new ContainerRuntimeException("cannot list the workers of node n3");
                  }
                  try {
                    return m.invoke(runtime, a);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });

    new DeadWorkerLocks(
            blind, new FakeRestic(journal), SELF, "shop", Map.of("RESTIC_REPOSITORY", "/repo"))
        .sweep(lock(OURS, 8));

    assertEquals(List.of(), runtime.workers());
  }

  @Test
  void noLockOfOurWorkers_orOnlyPid1_orAHugePid_nothingRuns() {
    locks().sweep(lock("otherhost", 8));
    locks().sweep(lock(WorkerSpec.hostnameFor("shop2"), 8));
    locks().sweep(lock(OURS, 1));
    locks().sweep(lock(OURS, DeadWorkerLocks.MAX_PID + 1));

    assertEquals(List.of(), runtime.workers());
  }

  @Test
  void aFailingWorker_throws_forResticCliToLog() {
    runtime.existingWorkers(List.of());
    journal
        .on("worker null sh -c " + DeadWorkerLocks.USE_UP_PIDS + " sh 8 restic unlock")
        .throwing(new ContainerRuntimeException("engine gone"));

    assertThrows(ContainerRuntimeException.class, () -> locks().sweep(lock(OURS, 8)));
  }

  @Test
  void redactsSecretsOfTheEnvironment() {
    DeadWorkerLocks l =
        new DeadWorkerLocks(
            runtime,
            new FakeRestic(journal),
            SELF,
            "shop",
            Map.of("RESTIC_PASSWORD", "hunter2", "RESTIC_REPOSITORY", "rest:https://u:p@h/r"));

    assertEquals(
        "Fatal: *** at rest:https://***@h/r", l.redact("Fatal: hunter2 at rest:https://u:p@h/r"));
  }

  @Test
  void pidMax_isReadFromTheKernel_orLinuxDefault() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("pid_max", "");
    java.nio.file.Files.writeString(file, "4194304\n");
    assertEquals(4_194_304, DeadWorkerLocks.pidMax(file));
    assertEquals(32_768, DeadWorkerLocks.pidMax(file.resolveSibling("no-such-pid-max")));
    java.nio.file.Files.delete(file);
    long real = DeadWorkerLocks.pidMax(java.nio.file.Path.of("/proc/sys/kernel/pid_max"));
    assertTrue(real >= 300, "pid_max " + real); // the kernel's minimum is 301
    assertTrue(DeadWorkerLocks.MAX_PID <= 50_000 && DeadWorkerLocks.MAX_PID < real);
  }
}
