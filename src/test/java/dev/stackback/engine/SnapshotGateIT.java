package dev.stackback.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.docker.DockerRuntime;
import dev.stackback.it.TestEngine;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.MountInfo;
import dev.stackback.port.OutputLine;
import dev.stackback.port.WorkerSpec;
import dev.stackback.port.WorkerSpec.WorkerMount;
import dev.stackback.restic.ResticArgs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The snapshot gate ({@link SnapshotGate}) with a real restic in a real worker container: restic
 * waits at the gate with the repository open and locked, reads the volume only after {@link
 * SnapshotGate#open} (a file written while it waits is in the snapshot), and an abort or an
 * interrupt there leaves no snapshot and no lock.
 */
class SnapshotGateIT {
  static final String IMAGE = "stack-back-test/busybox:latest";
  static final String TEST_LABEL = "dev.stackback.test";
  static final String RUN = "sbgate-" + UUID.randomUUID().toString().substring(0, 8);
  static final Duration T = Duration.ofSeconds(60);

  static Path data;
  static Path repo;
  static DockerRuntime runtime;
  String worker;

  @BeforeAll
  static void setUp() throws IOException {
    TestEngine.checkExpected();
    runtime = DockerRuntime.fromEnvironment(TestEngine.env());
    data = Files.createTempDirectory(RUN + "-data");
    repo = Files.createTempDirectory(RUN + "-repo");
  }

  @AfterAll
  static void tearDown() throws IOException {
    if (runtime != null) {
      runtime.close();
    }
    for (Path p : new Path[] {data, repo}) {
      if (p != null) {
        try (Stream<Path> all = Files.walk(p)) {
          for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(f);
          }
        }
      }
    }
  }

  @BeforeEach
  void startWorker() throws IOException {
    worker =
        runtime.startWorker(
            WorkerSpec.idle(
                IMAGE,
                Map.of("RESTIC_REPOSITORY", "/repo", "RESTIC_PASSWORD", "gate-test"),
                List.of(
                    new WorkerMount(
                        MountInfo.Type.BIND, data.toString(), "/volumes/app/data", true),
                    new WorkerMount(MountInfo.Type.BIND, repo.toString(), "/repo", false)),
                Map.of(TEST_LABEL, RUN),
                T));
    if (!Files.exists(repo.resolve("config"))) {
      assertEquals(0, shell("restic init").exitCode());
    }
    Files.writeString(data.resolve("before"), "before the gate\n");
  }

  @AfterEach
  void removeWorker() {
    runtime.remove(worker);
  }

  private ExecResult shell(String script) {
    return runtime.exec(ExecRequest.shell(worker, script, null, T), OutputLine.discard());
  }

  /** The gated backup of /volumes/app/data on a thread of its own. */
  private CompletableFuture<ExecResult> gated(SnapshotGate gate) {
    List<String> restic =
        ResticArgs.backupPaths("gate", List.of("stack-back"), List.of("/volumes/app/data"));
    ExecRequest request =
        new ExecRequest(
            worker,
            SnapshotGate.command(restic, SnapshotGate.fifoPath()),
            null,
            Map.of(),
            T,
            "INT");
    return CompletableFuture.supplyAsync(
        () -> runtime.execWithInput(request, gate, gate.watching(OutputLine.discard())));
  }

  /** Waits until restic holds its lock: it opened the repository and waits at the gate. */
  private void awaitLock() throws InterruptedException {
    long deadline = System.nanoTime() + T.toNanos();
    while (locks() == 0) {
      assertTrue(System.nanoTime() < deadline, "restic never took its lock");
      Thread.sleep(20);
    }
  }

  private static long locks() {
    try (Stream<Path> s = Files.list(repo.resolve("locks"))) {
      return s.count();
    } catch (IOException e) {
      return 0;
    }
  }

  private int snapshots() {
    ExecResult r = shell("restic snapshots --json --no-lock | grep -o '\"short_id\"' | wc -l");
    assertEquals(0, r.exitCode(), String.join("\n", r.tail()));
    return Integer.parseInt(r.tail().get(r.tail().size() - 1).strip());
  }

  private String latestFiles() {
    ExecResult r = shell("restic ls latest --no-lock /volumes/app/data");
    assertEquals(0, r.exitCode(), String.join("\n", r.tail()));
    return String.join("\n", r.tail());
  }

  @Test
  void resticWaitsAtTheGateWithTheRepositoryOpen_readsTheVolumeOnlyAfterOpen() throws Exception {
    int before = snapshots();
    SnapshotGate gate = new SnapshotGate();
    CompletableFuture<ExecResult> backup = gated(gate);
    // the script says when restic has opened the gate: by then it holds its lock
    assertTrue(
        gate.awaitReached(backup::isDone, T.toNanos()), "the script never said restic waits");
    assertTrue(locks() > 0, "restic waits at the gate without its lock");
    Thread.sleep(300);
    assertTrue(!backup.isDone(), "restic went on without the gate");
    // written while restic waits: the scan comes after the gate, so the snapshot has it
    Files.writeString(data.resolve("during"), "written while restic waited\n");

    gate.open();
    ExecResult r = backup.get();

    assertEquals(0, r.exitCode(), String.join("\n", r.tail()));
    assertEquals(before + 1, snapshots());
    String files = latestFiles();
    assertTrue(files.contains("/volumes/app/data/during"), files);
    assertEquals(0, locks(), "restic dropped its lock");
    Files.delete(data.resolve("during"));
  }

  @Test
  void openBeforeResticReachesTheGate_resticDoesNotWaitForever() throws Exception {
    int before = snapshots();
    SnapshotGate gate = new SnapshotGate();
    gate.open(); // the stop was quicker than restic's start-up
    ExecResult r = gated(gate).get();
    assertEquals(0, r.exitCode(), String.join("\n", r.tail()));
    assertEquals(before + 1, snapshots());
  }

  @Test
  void abortAtTheGate_resticExitsWithoutSnapshot_andDropsItsLock() throws Exception {
    int before = snapshots();
    SnapshotGate gate = new SnapshotGate();
    CompletableFuture<ExecResult> backup = gated(gate);
    awaitLock();

    gate.abort();
    ExecResult r = backup.get();

    assertEquals(1, r.exitCode(), String.join("\n", r.tail()));
    assertTrue(String.join("\n", r.tail()).contains("invalid pattern"), r.tail().toString());
    assertEquals(before, snapshots());
    assertEquals(0, locks());
  }

  @Test
  void abortBeforeResticReachesTheGate_noSnapshot() throws Exception {
    int before = snapshots();
    SnapshotGate gate = new SnapshotGate();
    gate.abort();
    ExecResult r = gated(gate).get();
    assertEquals(1, r.exitCode(), String.join("\n", r.tail()));
    assertEquals(before, snapshots());
  }

  @Test
  void resticFailsBeforeTheGate_theExecEndsWithoutAnAnswer_andSaysNothingReached()
      throws Exception {
    int before = snapshots();
    SnapshotGate gate = new SnapshotGate();
    List<String> restic =
        ResticArgs.backupPaths("gate", List.of("stack-back"), List.of("/volumes/app/data"));
    CompletableFuture<ExecResult> backup =
        CompletableFuture.supplyAsync(
            () ->
                runtime.execWithInput(
                    new ExecRequest(
                        worker,
                        SnapshotGate.command(restic, SnapshotGate.fifoPath()),
                        null,
                        Map.of("RESTIC_PASSWORD", "not-the-password"),
                        T,
                        "INT"),
                    gate,
                    gate.watching(OutputLine.discard())));

    // no answer is ever given: the script must not wait for one when restic is gone
    assertFalse(gate.awaitReached(backup::isDone, T.toNanos()), "restic never got to the gate");
    ExecResult r = backup.get();
    assertTrue(r.exitCode() != 0, r.toString());
    assertTrue(String.join("\n", r.tail()).contains("wrong password"), r.tail().toString());
    assertEquals(before, snapshots());
    gate.abort(); // lets the stdin copier end
  }

  @Test
  void interruptAtTheGate_resticGetsSigint_noSnapshot_noLock() throws Exception {
    int before = snapshots();
    SnapshotGate gate = new SnapshotGate();
    AtomicReference<Thread> caller = new AtomicReference<>();
    CompletableFuture<ExecResult> backup =
        CompletableFuture.supplyAsync(
            () -> {
              caller.set(Thread.currentThread());
              List<String> restic =
                  ResticArgs.backupPaths("gate", List.of("stack-back"), List.of("/volumes/app"));
              return runtime.execWithInput(
                  new ExecRequest(
                      worker,
                      SnapshotGate.command(restic, SnapshotGate.fifoPath()),
                      null,
                      Map.of(),
                      T,
                      "INT"),
                  gate,
                  OutputLine.discard());
            });
    awaitLock();
    Thread.sleep(300);

    // a cancel: the exec's thread is interrupted (SIGINT to the script and restic); the gate is
    // left undecided, so only the script's own trap keeps restic from reading
    caller.get().interrupt();
    ExecutionException e = assertThrows(ExecutionException.class, backup::get);
    assertTrue(e.getCause() instanceof ContainerRuntimeException, e.toString());

    long deadline = System.nanoTime() + 10_000_000_000L;
    while (locks() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(0, locks(), "restic dropped its lock");
    assertEquals(before, snapshots());
    gate.abort(); // lets the stdin copier end
  }
}
