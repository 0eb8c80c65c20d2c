package dev.stackback.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine;
import dev.stackback.port.StartedContainer;
import dev.stackback.port.WorkerSpec;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link ContainerRuntime} of another swarm node, through that node's agent ({@link
 * AgentServer}): the calls the engine makes on a target's node (inspect, exec, streamed exec, exec
 * with input streamed to the agent, worker start/list/remove, one-off worker run). Every request is
 * signed; one connection per call. A call fails with an error naming the node when the agent cannot
 * be reached, refuses the request, or goes silent for {@link #SILENCE} (it sends heartbeats while a
 * command runs, so silence means the agent or its node died). Interrupting the calling thread
 * closes the connection; the agent then stops the command.
 */
public final class AgentClient implements ContainerRuntime {
  /** How long an agent may send nothing (not even a heartbeat) before it counts as dead. */
  static final Duration SILENCE = Duration.ofSeconds(20);

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "stack-back-agent-watchdog");
            t.setDaemon(true);
            return t;
          });

  private final String node;
  private final InetSocketAddress address;
  private final AgentAuth auth;
  private final Duration silence;
  // System.nanoTime() of the last failed connect, and why (guarded by this)
  private long downSince;
  private String downReason;

  /**
   * @param node the node's hostname, for messages
   * @param address the agent's address on the shared overlay network
   */
  public AgentClient(String node, InetSocketAddress address, AgentAuth auth) {
    this(node, address, auth, SILENCE);
  }

  AgentClient(String node, InetSocketAddress address, AgentAuth auth, Duration silence) {
    this.node = node;
    this.address = address;
    this.auth = auth;
    this.silence = silence;
  }

  /** The node's hostname. */
  public String node() {
    return node;
  }

  /** Checks that the agent answers and accepts our token. */
  public void ping() {
    call("/v1/ping", Frames.JSON.createObjectNode(), OutputLine.discard(), null, "reach");
  }

  @Override
  public Optional<ContainerInfo> inspect(String idOrName) {
    ObjectNode r = Frames.JSON.createObjectNode().put("id", idOrName);
    JsonNode answer =
        call("/v1/inspect", r, OutputLine.discard(), null, "inspect '" + idOrName + "'");
    return answer.isNull() ? Optional.empty() : Optional.of(read(answer, ContainerInfo.class));
  }

  @Override
  public ExecResult exec(ExecRequest request, OutputLine output) {
    return exec(request, output, null);
  }

  @Override
  public ExecResult execStreaming(ExecRequest request, OutputStream stdout, OutputLine stderr) {
    return exec(request, stderr, stdout);
  }

  private ExecResult exec(ExecRequest request, OutputLine output, OutputStream raw) {
    ObjectNode r = Frames.JSON.createObjectNode();
    r.set("request", Frames.JSON.valueToTree(request));
    r.put("raw", raw != null);
    return read(
        call(
            "/v1/exec",
            r,
            output,
            raw,
            "exec in container '" + shortId(request.containerId()) + "'"),
        ExecResult.class);
  }

  /**
   * Streams {@code stdin} into the command's stdin on the agent's node ({@code /v1/exec/input}) as
   * the command reads it, never more than one frame of it in memory; output lines come back.
   */
  @Override
  public ExecResult execWithInput(ExecRequest request, InputStream stdin, OutputLine output) {
    ObjectNode r = Frames.JSON.createObjectNode();
    r.set("request", Frames.JSON.valueToTree(request));
    return read(
        call(
            AgentServer.INPUT_PATH,
            r,
            output,
            null,
            stdin,
            "exec with input in container '" + shortId(request.containerId()) + "'"),
        ExecResult.class);
  }

  /**
   * Runs a one-off worker on the agent's node (a restore into its volumes); the agent removes it
   * afterwards, also when this call is interrupted or its connection breaks.
   */
  @Override
  public ExecResult runWorker(WorkerSpec spec, OutputLine output) {
    return read(
        call("/v1/worker/run", Frames.JSON.valueToTree(spec), output, null, "run a worker"),
        ExecResult.class);
  }

  @Override
  public String startWorker(WorkerSpec spec) {
    JsonNode r = Frames.JSON.valueToTree(spec);
    return call("/v1/worker/start", r, OutputLine.discard(), null, "start a worker")
        .path("id")
        .asText();
  }

  @Override
  public List<ContainerInfo> listWorkers() {
    JsonNode answer =
        call(
            "/v1/workers",
            Frames.JSON.createObjectNode(),
            OutputLine.discard(),
            null,
            "list workers");
    return Frames.JSON.convertValue(answer, new TypeReference<List<ContainerInfo>>() {});
  }

  @Override
  public void remove(String containerId) {
    ObjectNode r = Frames.JSON.createObjectNode().put("id", containerId);
    call(
        "/v1/worker/remove",
        r,
        OutputLine.discard(),
        null,
        "remove worker '" + shortId(containerId) + "'");
  }

  // ---- what an agent does not do (the coordinator does it through the Swarm API, or locally) ----

  private ContainerRuntimeException unsupported(String what) {
    return new ContainerRuntimeException(
        "cannot " + what + " on node " + node + ": the stack-back agent does not do that");
  }

  @Override
  public List<ContainerInfo> listContainers() {
    throw unsupported("list containers");
  }

  @Override
  public Optional<String> findOwnContainerId() {
    throw unsupported("find stack-back's own container");
  }

  @Override
  public void stop(String containerId, Duration timeout) {
    throw unsupported("stop a container (a swarm service is scaled to 0 instead)");
  }

  @Override
  public StartedContainer start(String containerId, Duration timeout) {
    throw unsupported("start a container (a swarm service is scaled back instead)");
  }

  @Override
  public List<StartedContainer.Problem> confirmRunning(
      List<StartedContainer> started, Duration minUptime, Duration healthTimeout) {
    throw unsupported("confirm started containers");
  }

  @Override
  public Optional<String> createMarker(String name, String image, Map<String, String> labels) {
    throw unsupported("create a marker container");
  }

  @Override
  public void removeMarker(String containerId) {
    throw unsupported("remove a marker container");
  }

  @Override
  public void close() {
    // one connection per call: nothing held
  }

  // ---- the wire
  // ----------------------------------------------------------------------------------

  private <T> T read(JsonNode json, Class<T> type) {
    try {
      return Frames.JSON.treeToValue(json, type);
    } catch (IOException e) {
      throw new ContainerRuntimeException(
          "the stack-back agent on node " + node + " sent an unreadable answer: " + e.getMessage(),
          e);
    }
  }

  private static String shortId(String id) {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }

  /**
   * Sends one signed request and reads its frames: output to {@code output} (lines) or {@code raw}
   * (bytes), the result's JSON returned; a failure frame, a refusal, a broken or silent connection
   * is a {@link ContainerRuntimeException} naming the node and {@code what}.
   */
  private JsonNode call(
      String path, JsonNode request, OutputLine output, OutputStream raw, String what) {
    return call(path, request, output, raw, null, what);
  }

  /**
   * {@link #call(String, JsonNode, OutputLine, OutputStream, String)} with {@code input} (when not
   * null) streamed to the agent while its answer is read: the body is chunked, its first frame the
   * request (what the headers sign), then {@link Frames#INPUT} frames of at most {@link
   * Frames#INPUT_CHUNK} bytes, each with its {@link AgentAuth#inputMac} (bound to this request's
   * nonce and the frame's number), then the end frame. One frame in memory at a time: TCP slows the
   * reading of {@code input} down to what the agent's command takes.
   */
  private JsonNode call(
      String path,
      JsonNode request,
      OutputLine output,
      OutputStream raw,
      InputStream input,
      String what) {
    String failing =
        "cannot " + what + " on node " + node + " (stack-back agent at " + host() + ")";
    byte[] body;
    try {
      body = Frames.JSON.writeValueAsBytes(request);
    } catch (IOException e) {
      throw new ContainerRuntimeException(failing + ": " + e.getMessage(), e);
    }
    synchronized (this) {
      // an agent that could not be reached a moment ago is not waited for again and again
      if (downReason != null && System.nanoTime() - downSince < silence.toNanos()) {
        throw new ContainerRuntimeException(failing + ": " + downReason);
      }
    }
    InputPump pump = null;
    AtomicLong lastHeard = new AtomicLong(System.nanoTime());
    AtomicBoolean silent = new AtomicBoolean();
    SocketChannel channel;
    try {
      channel = SocketChannel.open();
    } catch (IOException e) {
      throw new ContainerRuntimeException(failing + ": " + e.getMessage(), e);
    }
    ScheduledFuture<?> watchdog =
        WATCHDOG.scheduleWithFixedDelay(
            () -> {
              if (System.nanoTime() - lastHeard.get() > silence.toNanos()) {
                silent.set(true);
                closeQuietly(channel);
              }
            },
            1,
            1,
            TimeUnit.SECONDS);
    try (channel) {
      try {
        channel.socket().connect(address, (int) CONNECT_TIMEOUT.toMillis());
      } catch (IOException e) {
        if (e instanceof ClosedByInterruptException) {
          throw e;
        }
        String why =
            "cannot connect: "
                + (e.getMessage() == null ? e.toString() : e.getMessage())
                + " (the agent or its node is down?)";
        synchronized (this) {
          downSince = System.nanoTime();
          downReason = why;
        }
        throw new ContainerRuntimeException(failing + ": " + why, e);
      }
      OutputStream out = Channels.newOutputStream(channel);
      Map<String, String> signed = auth.sign("POST", path, body);
      out.write(head(path, body, signed, input != null).getBytes(StandardCharsets.US_ASCII));
      if (input == null) {
        out.write(body);
      } else {
        out.write(chunk(Frames.REQUEST, body, 0, body.length, null));
        pump =
            new InputPump(
                input, channel, signed.get(AgentAuth.NONCE), channel.socket().getOutputStream());
        pump.thread.start();
      }
      out.flush();
      InputStream in =
          new BufferedInputStream(
              new HeardInputStream(Channels.newInputStream(channel), lastHeard), 64 * 1024);
      int status = status(in);
      Map<String, String> headers = headers(in);
      if (status != 200) {
        String text = new String(in.readNBytes(4096), StandardCharsets.UTF_8).strip();
        throw new ContainerRuntimeException(
            failing
                + ": "
                + status
                + " "
                + text
                + (status == 401 ? " (AGENT_TOKEN must be the same on every node)" : ""));
      }
      InputStream frames =
          "chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))
              ? new ChunkedInputStream(in)
              : in;
      String nonce = signed.get(AgentAuth.NONCE);
      for (long seq = 0; ; seq++) {
        Frames.Frame f = verified(Frames.read(frames), nonce, seq, failing);
        if (f == null) {
          throw new IOException("the answer ended before a result");
        }
        switch (f.type()) {
          case Frames.STDOUT_LINE ->
              output.line(
                  OutputLine.Stream.STDOUT, new String(f.payload(), StandardCharsets.UTF_8));
          case Frames.STDERR_LINE ->
              output.line(
                  OutputLine.Stream.STDERR, new String(f.payload(), StandardCharsets.UTF_8));
          case Frames.STDOUT_BYTES -> {
            if (raw != null) {
              raw.write(f.payload());
            }
          }
          case Frames.RESULT -> {
            return Frames.JSON.readTree(f.payload());
          }
          case Frames.FAILURE ->
              throw new ContainerRuntimeException(
                  failing + ": " + new String(f.payload(), StandardCharsets.UTF_8));
          default -> {
            // heartbeat (or a frame type of a newer agent): only proof of life
          }
        }
      }
    } catch (ClosedByInterruptException e) {
      Thread.currentThread().interrupt();
      throw new ContainerRuntimeException(failing + ": interrupted", e);
    } catch (IOException e) {
      if (pump != null && pump.failure != null) {
        throw new ContainerRuntimeException(
            failing + ": reading its input failed: " + pump.failure.getMessage(), pump.failure);
      }
      if (silent.get() || e instanceof AsynchronousCloseException) {
        throw new ContainerRuntimeException(
            failing
                + ": the agent sent nothing for "
                + silence.toSeconds()
                + " s (the agent or its node died?)",
            e);
      }
      throw new ContainerRuntimeException(
          failing + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
    } finally {
      watchdog.cancel(false);
      if (pump != null) {
        pump.thread.interrupt(); // the answer is in (or the call failed): no more input
      }
    }
  }

  /**
   * Answer frame {@code seq} without its MAC once the MAC is right for the request with {@code
   * nonce} ({@link AgentAuth#answerMac}); null at the end of the answer.
   *
   * @throws ContainerRuntimeException when it is not: nothing of the frame is used
   */
  private Frames.Frame verified(Frames.Frame f, String nonce, long seq, String failing) {
    if (f == null) {
      return null;
    }
    byte[] p = f.payload();
    int n = p.length - AgentAuth.INPUT_MAC_LENGTH;
    if (n < 0
        || !MessageDigest.isEqual(
            auth.answerMac(nonce, seq, f.type(), p, 0, n), Arrays.copyOfRange(p, n, p.length))) {
      throw new ContainerRuntimeException(
          failing
              + ": its answer is not signed for this request (frame "
              + seq
              + "): changed on the way, not from a stack-back agent with this AGENT_TOKEN, or"
              + " from an agent of an older stack-back (every node must run the same image)");
    }
    return new Frames.Frame(f.type(), Arrays.copyOf(p, n));
  }

  /**
   * One chunk of a chunked request body holding one frame; with {@code nonce}, an input frame of
   * number {@code seq[0]} (incremented) with its MAC after the data.
   */
  private byte[] chunk(byte type, byte[] data, int off, int len, long[] seq, String nonce) {
    byte[] mac = nonce == null ? new byte[0] : auth.inputMac(nonce, seq[0]++, type, data, off, len);
    int frame = 5 + len + mac.length;
    byte[] size = (Integer.toHexString(frame) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] c = new byte[size.length + frame + 2];
    System.arraycopy(size, 0, c, 0, size.length);
    int at = size.length;
    int payload = len + mac.length;
    c[at++] = type;
    c[at++] = (byte) (payload >>> 24);
    c[at++] = (byte) (payload >>> 16);
    c[at++] = (byte) (payload >>> 8);
    c[at++] = (byte) payload;
    System.arraycopy(data, off, c, at, len);
    System.arraycopy(mac, 0, c, at + len, mac.length);
    c[c.length - 2] = '\r';
    c[c.length - 1] = '\n';
    return c;
  }

  private byte[] chunk(byte type, byte[] data, int off, int len, String nonce) {
    return chunk(type, data, off, len, new long[] {0}, nonce);
  }

  /**
   * Copies the caller's input to the agent as signed input frames on its own thread, while the
   * calling thread reads the answer. Reading the input failing closes the connection (the agent
   * then stops the command) and is kept as {@link #failure}; a write that fails ends the copy (the
   * calling thread sees why on the answer).
   */
  private final class InputPump implements Runnable {
    final Thread thread;
    private final InputStream input;
    private final SocketChannel channel;
    private final String nonce;
    private final OutputStream out;
    volatile IOException failure;

    InputPump(InputStream input, SocketChannel channel, String nonce, OutputStream out) {
      this.input = input;
      this.channel = channel;
      this.nonce = nonce;
      this.out = out;
      this.thread = Thread.ofVirtual().name("stack-back-agent-input").unstarted(this);
    }

    @Override
    public void run() {
      long[] seq = {0};
      byte[] buffer = new byte[Frames.INPUT_CHUNK];
      while (true) {
        int n;
        try {
          n = input.read(buffer);
        } catch (IOException e) {
          failure = e;
          closeQuietly(channel);
          return;
        }
        try {
          if (n < 0) {
            out.write(chunk(Frames.INPUT_END, buffer, 0, 0, seq, nonce));
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return;
          }
          if (n > 0) {
            out.write(chunk(Frames.INPUT, buffer, 0, n, seq, nonce));
          }
        } catch (IOException e) {
          return; // the connection is gone: the calling thread reports it
        }
      }
    }
  }

  private String host() {
    return address.getHostString() + ":" + address.getPort();
  }

  private String head(String path, byte[] body, Map<String, String> signed, boolean streamed) {
    StringBuilder h = new StringBuilder();
    h.append("POST ").append(path).append(" HTTP/1.1\r\n");
    h.append("Host: ").append(host()).append("\r\n");
    if (streamed) {
      h.append("Content-Type: application/octet-stream\r\n");
      h.append("Transfer-Encoding: chunked\r\n");
    } else {
      h.append("Content-Type: application/json\r\n");
      h.append("Content-Length: ").append(body.length).append("\r\n");
    }
    h.append("Connection: close\r\n");
    signed.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
    return h.append("\r\n").toString();
  }

  private static int status(InputStream in) throws IOException {
    String line = line(in);
    String[] parts = line.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP answer: " + line);
    }
    try {
      return Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP answer: " + line, e);
    }
  }

  private static Map<String, String> headers(InputStream in) throws IOException {
    java.util.HashMap<String, String> headers = new java.util.HashMap<>();
    for (String line = line(in); !line.isEmpty(); line = line(in)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(
            line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).strip());
      }
    }
    return headers;
  }

  /** One CRLF-terminated line of the HTTP head (at most 8 KiB). */
  static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("the connection closed in the HTTP head");
      }
      if (b.size() > 8192) {
        throw new IOException("HTTP head line too long");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // closing to stop a read: nothing to do about it
    }
  }

  /** A stream whose single-byte read is its bulk read of one byte. */
  private abstract static class BulkInputStream extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }
  }

  /** Notes the time of every read that returned data. */
  private static final class HeardInputStream extends BulkInputStream {
    private final InputStream in;
    private final AtomicLong lastHeard;

    HeardInputStream(InputStream in, AtomicLong lastHeard) {
      this.in = in;
      this.lastHeard = lastHeard;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        lastHeard.set(System.nanoTime());
      }
      return n;
    }
  }

  /** The body of a {@code Transfer-Encoding: chunked} answer. */
  static final class ChunkedInputStream extends BulkInputStream {
    private final InputStream in;
    private long left;
    private boolean done;

    ChunkedInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (left == 0) {
        String size = line(in);
        int semi = size.indexOf(';');
        try {
          left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size '" + size + "'", e);
        }
        if (left == 0) {
          done = true;
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new IOException("the connection closed inside a chunk");
      }
      left -= n;
      if (left == 0) {
        line(in); // the CRLF after the chunk
      }
      return n;
    }
  }
}
