package dev.stackback.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.MountInfo;
import dev.stackback.port.OutputLine;
import dev.stackback.port.WorkerSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a restore needs from an agent, over a real loopback connection to a fake node engine: an
 * exec whose stdin is the coordinator's stream (in order, complete, never buffered whole, every
 * frame signed; a forged frame or a broken connection stops the command) and a one-off worker.
 */
class AgentInputTest {
  private static final String TOKEN = "test-token-0123456789";

  private final List<String> journal = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, ContainerInfo> containers = new ConcurrentHashMap<>();
  private final FakeNode node = new FakeNode("node2", journal, containers);
  private final AgentAuth auth = new AgentAuth(TOKEN, Clock.systemUTC());
  private final AgentServer server =
      AgentServer.start(
          new InetSocketAddress("127.0.0.1", 0), node.runtime(), auth, "agent-own-id");

  @AfterEach
  void stop() {
    server.close();
  }

  private AgentClient client() {
    return new AgentClient(
        "node2",
        new InetSocketAddress("127.0.0.1", server.port()),
        new AgentAuth(TOKEN, Clock.systemUTC()));
  }

  private static ExecRequest receive(String argv) {
    return new ExecRequest(
        "db1", List.of("sh", "-c", argv), null, Map.of(), Duration.ofSeconds(60));
  }

  @Test
  void execWithInput_arrivesInOrderAndComplete_withOutputLinesAndExitCode() throws Exception {
    byte[] input = new byte[10 * 1024 * 1024 + 123];
    new Random(7).nextBytes(input);
    List<String> lines = Collections.synchronizedList(new ArrayList<>());

    ExecResult r =
        client()
            .execWithInput(
                receive("head -c 10485883 > /tmp/x; exit 3"),
                new java.io.ByteArrayInputStream(input),
                (stream, line) -> lines.add(stream + " " + line));

    assertEquals(3, r.exitCode());
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(input));
    assertEquals(List.of("STDOUT sha256:" + sha + " bytes:" + input.length), lines);
    assertEquals(List.of("node2 input db1 sh -c head -c 10485883 > /tmp/x; exit 3"), journal);
  }

  @Test
  void largeInput_isStreamedAsTheCommandReadsIt_neverBufferedWhole() {
    long total = 256L * 1024 * 1024;
    AtomicLong produced = new AtomicLong();
    AtomicLong maxAhead = new AtomicLong();
    node.input =
        (req, in, out) -> {
          byte[] b = new byte[64 * 1024];
          long read = 0;
          for (int k = in.read(b); k >= 0; k = in.read(b)) {
            read += k;
            maxAhead.accumulateAndGet(produced.get() - read, Math::max);
          }
          out.line(OutputLine.Stream.STDOUT, "bytes:" + read);
          return new ExecResult(0, false, Duration.ZERO, List.of());
        };
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    long started = System.nanoTime();

    ExecResult r =
        client()
            .execWithInput(
                receive("head -c " + total),
                new Generated(total, produced),
                (stream, line) -> lines.add(line));

    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        "agent input: %d MiB in %.2f s (%.0f MiB/s), the coordinator at most %d KiB ahead%n",
        total >> 20, seconds, (total >> 20) / seconds, maxAhead.get() >> 10);
    assertEquals(0, r.exitCode());
    assertEquals(List.of("bytes:" + total), lines);
    // what is in flight (socket buffers, one frame on each side) is all that may be ahead of the
    // command: a stream held in memory anywhere would be the whole 256 MiB ahead at the first read
    assertTrue(maxAhead.get() < 32L * 1024 * 1024, "ahead by " + maxAhead.get());
  }

  @Test
  void forgedInputFrame_stopsTheCommand_noByteOfItArrives_andTheCallFails() throws Exception {
    AtomicReference<String> got = new AtomicReference<>();
    node.input =
        (req, in, out) -> {
          got.set(new String(in.readAllBytes(), StandardCharsets.UTF_8));
          Thread.sleep(60_000);
          return new ExecResult(0, false, Duration.ZERO, List.of());
        };
    Raw raw = new Raw();
    raw.input("good;", true);
    raw.input("forged", false); // its MAC is over other bytes
    raw.end();

    String answer = raw.send();

    assertTrue(answer.contains("input frame 1 failed its signature: refused"), answer);
    assertEquals("good;", got.get(), "the command saw the checked frame only");
    assertTrue(journal.contains("node2 interrupted db1"), journal.toString());
  }

  @Test
  void inputFrameOfAnotherRequest_isRefused() throws Exception {
    Raw other = new Raw();
    Raw raw = new Raw();
    raw.input("mine;", true);
    raw.frames.write(other.frame(Frames.INPUT, "spliced", 1)); // signed, but for another request
    raw.end();

    String answer = raw.send();

    assertTrue(answer.contains("input frame 1 failed its signature: refused"), answer);
    assertEquals(List.of("node2 input db1 sh -c cat"), journal);
  }

  @Test
  void unsignedInputRequest_is401_andNothingRuns() throws Exception {
    Raw raw = new Raw();
    raw.input("data", true);
    raw.end();

    String answer = raw.send(false);

    assertTrue(answer.startsWith("HTTP/1.1 401"), answer);
    assertEquals(List.of(), journal);
  }

  @Test
  void coordinatorGoneMidInput_stopsTheCommand() throws Exception {
    AtomicLong received = new AtomicLong();
    node.input =
        (req, in, out) -> {
          byte[] b = new byte[8192];
          for (int k = in.read(b); k >= 0; k = in.read(b)) {
            received.addAndGet(k);
          }
          Thread.sleep(60_000); // interrupted when the input broke off
          return new ExecResult(0, false, Duration.ZERO, List.of());
        };
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    // 1 MiB, then the input blocks forever, as a dump that stalls
    InputStream stalling =
        new InputStream() {
          long left = 1024 * 1024;

          @Override
          public int read() {
            throw new UnsupportedOperationException();
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
              try {
                Thread.sleep(120_000);
              } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
              }
            }
            int n = (int) Math.min(len, left);
            left -= n;
            return n;
          }
        };
    Thread caller =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    client().execWithInput(receive("block"), stalling, OutputLine.discard());
                  } catch (RuntimeException e) {
                    failure.set(e);
                  }
                });
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (received.get() < 1024 * 1024 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(1024 * 1024, received.get());
    caller.interrupt();
    caller.join(10_000);
    assertTrue(failure.get().getMessage().endsWith(": interrupted"), failure.get().getMessage());
    while (!journal.contains("node2 interrupted db1") && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(journal.contains("node2 interrupted db1"), journal.toString());
  }

  @Test
  void failingInput_failsTheCall_namingIt_andStopsTheCommand() throws Exception {
    node.input =
        (req, in, out) -> {
          in.readAllBytes();
          Thread.sleep(60_000); // interrupted when the input broke off
          return new ExecResult(0, false, Duration.ZERO, List.of());
        };
    InputStream failing =
        new InputStream() {
          boolean first = true;

          @Override
          public int read() {
            throw new UnsupportedOperationException();
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (first) {
              first = false;
              return Math.min(len, 1000);
            }
            throw new IOException("restic dump died");
          }
        };
    ContainerRuntimeException e =
        assertThrows(
            ContainerRuntimeException.class,
            () -> client().execWithInput(receive("block"), failing, OutputLine.discard()));
    assertTrue(
        e.getMessage().startsWith("cannot exec with input in container 'db1' on node node2"));
    assertTrue(
        e.getMessage().endsWith("reading its input failed: restic dump died"), e.getMessage());
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!journal.contains("node2 interrupted db1") && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(journal.contains("node2 interrupted db1"), journal.toString());
  }

  @Test
  void runWorker_runsOnTheAgentsNode_inItsNetworks_linesAndExitCodeBack() {
    WorkerSpec spec =
        new WorkerSpec(
                "sha256:img",
                List.of("restic", "restore", "abc", "exit 4"),
                Map.of("RESTIC_REPOSITORY", "/repo"),
                List.of(
                    new WorkerSpec.WorkerMount(
                        MountInfo.Type.VOLUME, "st_data", "/volumes/app/data", false)),
                Map.of("stack-back.worker.node", "n2"),
                Duration.ofMinutes(5))
            .withNetworksOf("coordinator-id");
    List<String> lines = Collections.synchronizedList(new ArrayList<>());

    ExecResult r = client().runWorker(spec, (stream, line) -> lines.add(stream + " " + line));

    assertEquals(4, r.exitCode());
    assertEquals(List.of("STDOUT restored:restic restore abc exit 4"), lines);
    assertEquals(spec.withNetworksOf("agent-own-id"), node.workers.get(0));
  }

  @Test
  void runWorker_withTheDockerSocket_isRefused_andNothingRuns() {
    WorkerSpec spec =
        new WorkerSpec(
            "sha256:img",
            List.of("sh"),
            Map.of(),
            List.of(
                new WorkerSpec.WorkerMount(
                    MountInfo.Type.BIND, "/var/run/docker.sock", "/var/run/docker.sock", false)),
            Map.of(),
            Duration.ofMinutes(5));
    ContainerRuntimeException e =
        assertThrows(ContainerRuntimeException.class, () -> client().runWorker(spec, null));
    assertTrue(e.getMessage().contains("never gets the Docker socket"), e.getMessage());
    assertEquals(List.of(), journal);
  }

  @Test
  void runWorker_callInterrupted_theAgentStopsTheWorker() throws Exception {
    WorkerSpec spec =
        new WorkerSpec(
            "sha256:img", List.of("block"), Map.of(), List.of(), Map.of(), Duration.ofMinutes(5));
    Thread caller =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    client().runWorker(spec, OutputLine.discard());
                  } catch (RuntimeException e) {
                    // expected
                  }
                });
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!journal.contains("node2 runWorker block ") && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    caller.interrupt();
    while (!journal.contains("node2 interrupted worker") && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(journal.contains("node2 interrupted worker"), journal.toString());
  }

  /** Input of {@code total} pseudo-random bytes made as it is read; counts what was handed out. */
  private static final class Generated extends InputStream {
    private final long total;
    private final AtomicLong produced;
    private final byte[] pattern = new byte[256 * 1024];

    Generated(long total, AtomicLong produced) {
      this.total = total;
      this.produced = produced;
      new Random(1).nextBytes(pattern);
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      long at = produced.get();
      if (at == total) {
        return -1;
      }
      int p = (int) (at % pattern.length);
      int n = (int) Math.min(Math.min(len, total - at), pattern.length - p);
      System.arraycopy(pattern, p, b, off, n);
      produced.addAndGet(n);
      return n;
    }
  }

  /** A hand-made /v1/exec/input request: signed headers, a request frame, chosen input frames. */
  private final class Raw {
    final byte[] json =
        ("{\"request\":{\"containerId\":\"db1\",\"command\":[\"sh\",\"-c\",\"cat\"],"
                + "\"timeout\":60}}")
            .getBytes(StandardCharsets.UTF_8);
    final Map<String, String> signed = auth.sign("POST", AgentServer.INPUT_PATH, json);
    final ByteArrayOutputStream frames = new ByteArrayOutputStream();
    long seq;

    byte[] frame(byte type, String data, long number) throws IOException {
      byte[] d = data.getBytes(StandardCharsets.UTF_8);
      byte[] mac = auth.inputMac(signed.get(AgentAuth.NONCE), number, type, d, 0, d.length);
      ByteArrayOutputStream f = new ByteArrayOutputStream();
      byte[] payload = new byte[d.length + mac.length];
      System.arraycopy(d, 0, payload, 0, d.length);
      System.arraycopy(mac, 0, payload, d.length, mac.length);
      Frames.write(f, type, payload, 0, payload.length);
      return f.toByteArray();
    }

    /** An input frame; not {@code genuine}: a data byte changed after it was signed. */
    void input(String data, boolean genuine) throws IOException {
      byte[] f = frame(Frames.INPUT, data, seq++);
      frames.write(genuine ? f : tamper(f));
    }

    void end() throws IOException {
      frames.write(frame(Frames.INPUT_END, "", seq++));
    }

    String send() throws IOException {
      return send(true);
    }

    String send(boolean sign) throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      Frames.write(body, Frames.REQUEST, json, 0, json.length);
      body.write(frames.toByteArray());
      try (Socket s = new Socket("127.0.0.1", server.port())) {
        s.setSoTimeout(30_000);
        OutputStream out = s.getOutputStream();
        StringBuilder h = new StringBuilder("POST " + AgentServer.INPUT_PATH + " HTTP/1.1\r\n");
        h.append("Host: x\r\nConnection: close\r\n");
        h.append("Content-Length: ").append(body.size()).append("\r\n");
        if (sign) {
          signed.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
        }
        out.write(h.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.write(body.toByteArray());
        out.flush();
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      }
    }
  }

  /** The frame with its first data byte changed (the MAC stays). */
  private static byte[] tamper(byte[] frame) {
    byte[] t = frame.clone();
    t[5] ^= 1;
    return t;
  }
}
