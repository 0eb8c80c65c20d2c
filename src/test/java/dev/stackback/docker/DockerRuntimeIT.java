package dev.stackback.docker;

import static dev.stackback.docker.DockerCli.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.it.TestEngine;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.MountInfo;
import dev.stackback.port.OutputLine;
import dev.stackback.port.StartedContainer;
import dev.stackback.port.WorkerSpec;
import dev.stackback.port.WorkerSpec.WorkerMount;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against the real engine, with containers and a volume of its own (removed afterwards). */
class DockerRuntimeIT {

  static final String IMAGE = "stack-back-test/busybox:latest";
  static final String RUN = "sbit-" + UUID.randomUUID().toString().substring(0, 8);
  static final String TEST_LABEL = "stack-back.test.run";
  static final Duration T = Duration.ofSeconds(30);

  static final List<String> containers = Collections.synchronizedList(new ArrayList<>());
  static String volume;
  static Path bindDir;
  static String target;
  static DockerRuntime runtime;

  @BeforeAll
  static void setUp() throws IOException {
    TestEngine.checkExpected();
    volume = docker("volume", "create", "--label", TEST_LABEL + "=" + RUN, RUN + "-vol");
    bindDir = Files.createTempDirectory(RUN);
    Files.writeString(bindDir.resolve("hello.txt"), "from the host\n");
    target =
        runContainer(
            RUN + "-target",
            "--label",
            "foo=bar",
            "-e",
            "A=1",
            "-e",
            "URL=x=y",
            "-v",
            volume + ":/data",
            "-v",
            bindDir + ":/bind:ro");
    runtime = DockerRuntime.fromEnvironment(TestEngine.env());
  }

  /** A container that stops at once on SIGTERM (busybox sleep as PID 1 would not). */
  static String runContainer(String name, String... options) {
    List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
    args.addAll(List.of("--label", TEST_LABEL + "=" + RUN));
    args.addAll(List.of(options));
    args.addAll(List.of(IMAGE, "sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"));
    String id = docker(args.toArray(String[]::new));
    containers.add(id);
    return id;
  }

  @AfterAll
  static void tearDown() throws IOException {
    if (runtime != null) {
      runtime.close();
    }
    for (String id : containers) {
      DockerCli.run("rm", "-f", id);
    }
    // workers of this run that a failing test may have left behind
    String left =
        DockerCli.run("ps", "-aq", "--filter", "label=" + TEST_LABEL + "=" + RUN).output();
    for (String id : left.split("\\s+")) {
      if (!id.isBlank()) {
        DockerCli.run("rm", "-f", id);
      }
    }
    if (volume != null) {
      DockerCli.run("volume", "rm", volume);
    }
    if (bindDir != null) {
      Files.deleteIfExists(bindDir.resolve("hello.txt"));
      Files.deleteIfExists(bindDir);
    }
  }

  // ---- list / inspect -------------------------------------------------------------------

  @Test
  void listContainers_seesLabelsEnvAndMounts() {
    long t0 = System.nanoTime();
    List<ContainerInfo> all = runtime.listContainers();
    System.out.printf(
        "listContainers: %d containers in %d ms%n",
        all.size(), (System.nanoTime() - t0) / 1_000_000);
    ContainerInfo c = all.stream().filter(i -> i.id().equals(target)).findFirst().orElseThrow();
    assertEquals(RUN + "-target", c.name());
    assertEquals(IMAGE, c.image());
    assertEquals("bar", c.label("foo"));
    assertEquals("1", c.env().get("A"));
    assertEquals("x=y", c.env().get("URL"));
    assertTrue(c.running());
    assertEquals("running", c.state());
    MountInfo vol = mountAt(c, "/data");
    assertEquals(MountInfo.Type.VOLUME, vol.type());
    assertEquals(volume, vol.name());
    assertFalse(vol.readOnly());
    MountInfo bind = mountAt(c, "/bind");
    assertEquals(MountInfo.Type.BIND, bind.type());
    assertEquals(bindDir.toString(), bind.source());
    assertTrue(bind.readOnly());
  }

  @Test
  void listContainers_takesAContainerWithoutOurLabelsFromTheListAsInspectGivesIt() {
    // no stack-back.* label and no database image: not inspected, so no env
    String plain =
        docker(
            "run",
            "-d",
            "--name",
            RUN + "-plain",
            "--label",
            "foo=bar",
            "-e",
            "A=1",
            "-v",
            volume + ":/data",
            "-v",
            bindDir + ":/bind:ro",
            IMAGE,
            "sh",
            "-c",
            "trap 'exit 0' TERM; sleep 3600 & wait");
    containers.add(plain);
    ContainerInfo listed =
        runtime.listContainers().stream()
            .filter(i -> i.id().equals(plain))
            .findFirst()
            .orElseThrow();
    ContainerInfo inspected = runtime.inspect(plain).orElseThrow();
    assertEquals("1", inspected.env().get("A"));
    assertEquals(
        new ContainerInfo(
            inspected.id(),
            inspected.name(),
            inspected.image(),
            inspected.labels(),
            Map.of(),
            inspected.mounts(),
            inspected.running(),
            inspected.state(),
            inspected.imageId()),
        listed);
  }

  static MountInfo mountAt(ContainerInfo c, String destination) {
    return c.mounts().stream()
        .filter(m -> m.destination().equals(destination))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no mount at " + destination + ": " + c.mounts()));
  }

  @Test
  void inspect_byName_equalsById_andUnknownIsEmpty() {
    assertEquals(runtime.inspect(target), runtime.inspect(RUN + "-target"));
    assertEquals(Optional.empty(), runtime.inspect(RUN + "-no-such-container"));
  }

  @Test
  void findOwnContainerId_fromRealMountinfo_isConfirmedByEngine() {
    String mountinfo = docker("exec", target, "cat", "/proc/self/mountinfo");
    DockerRuntime inside =
        new DockerRuntime(
            DockerClients.fromEnvironment(TestEngine.env()),
            path -> path.equals("/proc/self/mountinfo") ? mountinfo : null);
    try (inside) {
      assertEquals(Optional.of(target), inside.findOwnContainerId());
    }
  }

  @Test
  void findOwnContainerId_fromShortIdHostname() {
    DockerRuntime inside =
        new DockerRuntime(
            DockerClients.fromEnvironment(TestEngine.env()),
            path -> path.equals("/etc/hostname") ? target.substring(0, 12) + "\n" : null);
    try (inside) {
      assertEquals(Optional.of(target), inside.findOwnContainerId());
    }
  }

  // ---- exec -------------------------------------------------------------------------------

  record Line(OutputLine.Stream stream, String text) {}

  static final class Recorder implements OutputLine {
    final List<Line> lines = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void line(Stream stream, String line) {
      lines.add(new Line(stream, line));
    }
  }

  @Test
  void exec_returnsExitCode_andLinesInOrder() {
    Recorder out = new Recorder();
    ExecResult r =
        runtime.exec(
            ExecRequest.shell(
                target, "echo a; sleep 0.2; echo b >&2; sleep 0.2; printf c", null, T),
            out);
    assertEquals(
        List.of(
            new Line(OutputLine.Stream.STDOUT, "a"),
            new Line(OutputLine.Stream.STDERR, "b"),
            new Line(OutputLine.Stream.STDOUT, "c")),
        out.lines);
    assertEquals(0, r.exitCode());
    assertEquals(List.of("a", "b", "c"), r.tail());

    ExecResult failed =
        runtime.exec(
            ExecRequest.shell(target, "echo a; echo b >&2; exit 3", null, T), OutputLine.discard());
    assertEquals(3, failed.exitCode());
    assertFalse(failed.timedOut());
    assertEquals(List.of("a", "b"), failed.tail().stream().sorted().toList());
  }

  @Test
  void exec_appliesUserAndEnv() {
    Recorder out = new Recorder();
    ExecRequest req =
        new ExecRequest(
            target,
            List.of("sh", "-c", "id -u; echo \"$GREETING\""),
            "65534",
            Map.of("GREETING", "hi there"),
            T);
    ExecResult r = runtime.exec(req, out);
    assertEquals(0, r.exitCode());
    assertEquals(List.of("65534", "hi there"), r.tail());
  }

  @Test
  void exec_inStoppedOrUnknownContainer_throwsNamingIt() {
    ContainerRuntimeException e =
        assertThrows(
            ContainerRuntimeException.class,
            () ->
                runtime.exec(
                    ExecRequest.shell(RUN + "-nope", "true", null, T), OutputLine.discard()));
    assertTrue(e.getMessage().contains(RUN + "-nope"), e.getMessage());
  }

  @Test
  void exec_timeout_killsTheProcessAndItsChildren() {
    long t0 = System.nanoTime();
    ExecResult r =
        runtime.exec(
            new ExecRequest(
                target,
                List.of("sh", "-c", "sleep 301 & sleep 302; wait"),
                null,
                Map.of(),
                Duration.ofSeconds(2)),
            OutputLine.discard());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("exec timeout (2s) returned after %d ms%n", ms);
    assertTrue(r.timedOut());
    assertEquals(-1, r.exitCode());
    assertTrue(ms < 8_000, "took " + ms + " ms");
    String ps = docker("exec", target, "ps", "-o", "pid,args");
    assertFalse(ps.contains("sleep 301"), ps);
    assertFalse(ps.contains("sleep 302"), ps);
  }

  @Test
  void exec_timeout_escalatesToKill_whenTermIsIgnored() {
    long t0 = System.nanoTime();
    ExecResult r =
        runtime.exec(
            ExecRequest.shell(target, "trap '' TERM; sleep 303", null, Duration.ofSeconds(1)),
            OutputLine.discard());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("exec timeout (1s, TERM ignored) returned after %d ms%n", ms);
    assertTrue(r.timedOut());
    assertTrue(ms < 10_000, "took " + ms + " ms");
    String ps = docker("exec", target, "ps", "-o", "pid,args");
    assertFalse(ps.contains("sleep 303"), ps);
  }

  // ---- execStreaming ------------------------------------------------------------------------

  @Test
  void execStreaming_copies50MegabytesByteExactly() throws Exception {
    docker("exec", target, "sh", "-c", "head -c 52428800 /dev/urandom > /tmp/blob");
    String expected = docker("exec", target, "sha256sum", "/tmp/blob").split("\\s+")[0];
    CountingOutputStream count = new CountingOutputStream();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    Recorder err = new Recorder();
    long t0 = System.nanoTime();
    ExecResult r =
        runtime.execStreaming(
            new ExecRequest(
                target, List.of("sh", "-c", "cat /tmp/blob; echo done >&2"), null, Map.of(), T),
            new DigestOutputStream(count, sha),
            err);
    System.out.printf(
        "execStreaming: %d bytes in %d ms%n", count.count, (System.nanoTime() - t0) / 1_000_000);
    docker("exec", target, "rm", "/tmp/blob");
    assertEquals(0, r.exitCode());
    assertEquals(52_428_800L, count.count);
    assertEquals(expected, HexFormat.of().formatHex(sha.digest()));
    assertEquals(List.of(new Line(OutputLine.Stream.STDERR, "done")), err.lines);
  }

  @Test
  void execStreaming_failingSink_stopsTheCommand_andFails() {
    OutputStream dying =
        new OutputStream() {
          long written;

          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            written += len;
            if (written > 1_000_000) {
              throw new IOException("restic died");
            }
          }
        };
    long t0 = System.nanoTime();
    ExecResult r =
        runtime.execStreaming(
            new ExecRequest(target, List.of("sh", "-c", "cat /dev/zero | cat"), null, Map.of(), T),
            dying,
            OutputLine.discard());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertFalse(r.succeeded());
    assertFalse(r.timedOut());
    assertTrue(r.tail().getLast().contains("restic died"), r.tail().toString());
    assertTrue(ms < 10_000, "took " + ms + " ms");
    String ps = docker("exec", target, "ps", "-o", "pid,args");
    assertFalse(ps.contains("cat"), ps);
  }

  static final class CountingOutputStream extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }

  // ---- stop / start ---------------------------------------------------------------------------

  @Test
  void stopStart_roundTrip_isIdempotent() {
    String id = runContainer(RUN + "-stopstart");
    long t0 = System.nanoTime();
    runtime.stop(id, Duration.ofSeconds(10));
    long stopMs = (System.nanoTime() - t0) / 1_000_000;
    assertFalse(runtime.inspect(id).orElseThrow().running());
    runtime.stop(id, Duration.ofSeconds(10)); // already stopped: fine
    t0 = System.nanoTime();
    runtime.start(id, Duration.ofSeconds(10));
    long startMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("stop %d ms, start %d ms%n", stopMs, startMs);
    assertTrue(runtime.inspect(id).orElseThrow().running());
    runtime.start(id, Duration.ofSeconds(10)); // already running: fine
    assertTrue(stopMs < 5_000, "stop took " + stopMs + " ms");
  }

  @Test
  void stopAndStart_ofUnknownContainer_throwNamingIt() {
    String name = RUN + "-missing";
    ContainerRuntimeException stop =
        assertThrows(
            ContainerRuntimeException.class, () -> runtime.stop(name, Duration.ofSeconds(1)));
    assertTrue(stop.getMessage().contains(name), stop.getMessage());
    ContainerRuntimeException start =
        assertThrows(
            ContainerRuntimeException.class, () -> runtime.start(name, Duration.ofSeconds(1)));
    assertTrue(start.getMessage().contains(name), start.getMessage());
  }

  @Test
  void start_ofContainerThatDiesAtOnce_failsFast_namingIt() {
    String name = RUN + "-dies";
    containers.add(
        docker("create", "--name", name, "--label", TEST_LABEL + "=" + RUN, IMAGE, "false"));
    long t0 = System.nanoTime();
    // The process may exit before start() looks (start throws) or just after (start returns and
    // the end-of-phase check catches it): both must name the container and say it exited.
    String message;
    try {
      StartedContainer started = runtime.start(name, Duration.ofSeconds(20));
      List<StartedContainer.Problem> problems =
          runtime.confirmRunning(List.of(started), Duration.ofMillis(500));
      assertEquals(1, problems.size(), "a container that exits at once must not be confirmed");
      message = problems.get(0).message();
    } catch (ContainerRuntimeException e) {
      message = e.getMessage();
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(message.contains(name) && message.contains("exited"), message);
    assertTrue(ms < 5_000, "took " + ms + " ms");
  }

  // ---- workers ----------------------------------------------------------------------------------

  WorkerSpec worker(List<String> entrypoint, List<WorkerMount> mounts, Duration timeout) {
    return new WorkerSpec(
        IMAGE, entrypoint, Map.of("W", "w-env"), mounts, Map.of(TEST_LABEL, RUN), timeout);
  }

  List<String> workersOfThisRun() {
    return runtime.listWorkers().stream()
        .filter(w -> RUN.equals(w.label(TEST_LABEL)))
        .map(ContainerInfo::name)
        .toList();
  }

  @Test
  void runWorker_readsVolumeReadOnly_streamsLines_returnsExitCode_andIsRemoved() {
    docker("exec", target, "sh", "-c", "echo payload > /data/f");
    Recorder out = new Recorder();
    List<WorkerMount> mounts =
        List.of(
            new WorkerMount(MountInfo.Type.VOLUME, volume, "/volumes/data", true),
            new WorkerMount(MountInfo.Type.BIND, bindDir.toString(), "/volumes/bind", true));
    String script =
        "cat /volumes/data/f /volumes/bind/hello.txt; echo $W;"
            + " touch /volumes/data/x 2>/dev/null || { sleep 0.3; echo read-only >&2; }; exit 7";
    ExecResult r = runtime.runWorker(worker(List.of("sh", "-c", script), mounts, T), out);
    assertEquals(7, r.exitCode());
    assertFalse(r.timedOut());
    // Docker keeps order within a stream; across streams only with a gap (separate copiers)
    assertEquals(
        List.of(
            new Line(OutputLine.Stream.STDOUT, "payload"),
            new Line(OutputLine.Stream.STDOUT, "from the host"),
            new Line(OutputLine.Stream.STDOUT, "w-env"),
            new Line(OutputLine.Stream.STDERR, "read-only")),
        out.lines);
    assertEquals(List.of(), workersOfThisRun());
  }

  @Test
  void runWorker_withHostname_runsWithIt() {
    Recorder out = new Recorder();
    String name = WorkerSpec.hostnameFor("My_Shop.prod");
    ExecResult r =
        runtime.runWorker(worker(List.of("hostname"), List.of(), T).withHostname(name), out);
    assertEquals(0, r.exitCode());
    assertEquals(List.of(new Line(OutputLine.Stream.STDOUT, name)), out.lines);
  }

  @Test
  void runWorker_entrypointReplacesImageCommand() {
    Recorder out = new Recorder();
    ExecResult r = runtime.runWorker(worker(List.of("echo", "only"), List.of(), T), out);
    assertEquals(0, r.exitCode());
    assertEquals(List.of(new Line(OutputLine.Stream.STDOUT, "only")), out.lines);
  }

  @Test
  void runWorker_timeout_killsAndRemovesIt() {
    long t0 = System.nanoTime();
    ExecResult r =
        runtime.runWorker(
            worker(
                List.of("sh", "-c", "echo started; sleep 300"), List.of(), Duration.ofSeconds(2)),
            OutputLine.discard());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("worker timeout (2s) returned after %d ms%n", ms);
    assertTrue(r.timedOut());
    assertEquals("started", r.tail().getFirst());
    assertTrue(ms < 10_000, "took " + ms + " ms");
    assertEquals(List.of(), workersOfThisRun());
  }

  @Test
  void runWorker_thatCannotStart_throws_andIsRemoved() {
    assertThrows(
        ContainerRuntimeException.class,
        () ->
            runtime.runWorker(
                worker(List.of("/no/such/binary"), List.of(), T), OutputLine.discard()));
    assertEquals(List.of(), workersOfThisRun());
  }

  @Test
  void listWorkers_andRemove_findAndDeleteAnOrphan() {
    String orphan =
        runContainer(RUN + "-orphan", "--label", ContainerRuntime.WORKER_LABEL + "=true");
    assertTrue(workersOfThisRun().contains(RUN + "-orphan"));
    runtime.remove(orphan);
    runtime.remove(orphan); // gone already: fine
    assertEquals(List.of(), workersOfThisRun());
  }

  // ---- DOCKER_HOST=tcp://
  // ------------------------------------------------------------------------

  @Test
  void dockerHostTcp_worksThroughAProxy() throws IOException {
    try (TcpToUnixProxy proxy = new TcpToUnixProxy(TestEngine.socket());
        DockerRuntime viaTcp =
            DockerRuntime.fromEnvironment(
                Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + proxy.port()))) {
      assertEquals("bar", viaTcp.inspect(target).orElseThrow().label("foo"));
      ExecResult r =
          viaTcp.exec(
              ExecRequest.shell(target, "echo via-tcp; exit 4", null, T), OutputLine.discard());
      assertEquals(4, r.exitCode());
      assertEquals(List.of("via-tcp"), r.tail());
      assertTrue(proxy.connections() > 0);
    }
  }
}
