package dev.stackback.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine;
import dev.stackback.port.WorkerSpec;
import dev.stackback.restic.RepositoryLocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent API (issue 11): what the coordinator on a manager needs on this node, done by this
 * node's engine ({@code runtime}). Every request must be signed ({@link AgentAuth}); anything else
 * is answered 401 before its body is looked at further, and nothing runs. Operations mirror {@link
 * ContainerRuntime}: inspect a container, exec in one (output streamed back), exec with the
 * coordinator's input streamed into its stdin (a restore of a dump), start, list and remove worker
 * containers, run a one-off worker (a restore into this node's volumes).
 *
 * <p>Authentication of a streamed input ({@value #INPUT_PATH}): the headers sign the request frame
 * that starts the body (as they sign a whole body elsewhere, so timestamp, nonce and replay rules
 * are the same), and every input frame after it carries an HMAC bound to that request's nonce and
 * to the frame's number ({@link AgentAuth#inputMac}). The agent checks each frame before a byte of
 * it reaches the command; a forged, spliced, reordered or missing frame stops the command and fails
 * the request, as does a body that breaks off. Answers are {@link Frames} in one chunked response,
 * each frame signed for this request ({@link AgentAuth#answerMac}: number, type and payload); when
 * the coordinator goes away mid-exec (its connection breaks, seen at the next heartbeat) the
 * command is interrupted (restic gets SIGINT).
 */
public final class AgentServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.agent");

  /** The largest request body (a worker spec, an exec request). */
  static final int MAX_BODY = 1024 * 1024;

  /** The one operation whose request body is streamed: an exec with the coordinator's input. */
  static final String INPUT_PATH = "/v1/exec/input";

  private final HttpServer server;
  private final ExecutorService executor;
  private final ContainerRuntime runtime;
  private final AgentAuth auth;
  private final String ownContainer;

  private AgentServer(
      HttpServer server,
      ExecutorService executor,
      ContainerRuntime runtime,
      AgentAuth auth,
      String ownContainer) {
    this.server = server;
    this.executor = executor;
    this.runtime = runtime;
    this.auth = auth;
    this.ownContainer = ownContainer;
  }

  /**
   * Binds {@code address} and serves until {@link #close}.
   *
   * @param ownContainer the agent's own container id (a worker joins its networks instead of the
   *     coordinator's, which is on another node), or "" when the agent runs on a host
   * @throws UncheckedIOException when the address cannot be bound
   */
  public static AgentServer start(
      InetSocketAddress address, ContainerRuntime runtime, AgentAuth auth, String ownContainer) {
    HttpServer server;
    try {
      server = HttpServer.create(address, 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), e);
    }
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    AgentServer agent = new AgentServer(server, executor, runtime, auth, ownContainer);
    server.setExecutor(executor);
    server.createContext("/", agent::handle);
    server.start();
    return agent;
  }

  /** The port actually bound (for tests that bind port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      String path = ex.getRequestURI().getRawPath();
      // a streamed input's body starts with the request's JSON (what the headers sign), the input
      // frames follow, each with its own MAC (SignedInput): nothing of it is read before the
      // request is verified
      boolean streamed = INPUT_PATH.equals(path);
      byte[] body = streamed ? requestFrame(ex.getRequestBody()) : readBody(ex.getRequestBody());
      Optional<String> refused =
          body == null
              ? Optional.of(streamed ? "no request frame" : "request body too large")
              : auth.verify(
                  method,
                  path,
                  ex.getRequestHeaders().getFirst(AgentAuth.TIMESTAMP),
                  ex.getRequestHeaders().getFirst(AgentAuth.NONCE),
                  ex.getRequestHeaders().getFirst(AgentAuth.SIGNATURE),
                  body);
      if (refused.isPresent()) {
        LOG.warn("refused {} {} from {}: {}", method, path, ex.getRemoteAddress(), refused.get());
        plain(ex, 401, "unauthorized: " + refused.get());
        return;
      }
      if (!"POST".equals(method)) {
        plain(ex, 405, "POST only");
        return;
      }
      Operation op =
          streamed
              ? input(
                  new SignedInput(
                      ex.getRequestBody(), auth, ex.getRequestHeaders().getFirst(AgentAuth.NONCE)))
              : operation(path);
      if (op == null) {
        plain(ex, 404, "no operation " + path);
        return;
      }
      ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
      ex.sendResponseHeaders(200, 0);
      stream(
          ex.getResponseBody(),
          op,
          Frames.JSON.readTree(body),
          ex.getRequestHeaders().getFirst(AgentAuth.NONCE));
    }
  }

  /** One operation: reads its request, writes output frames to {@code out}, returns the result. */
  @FunctionalInterface
  private interface Operation {
    Object run(JsonNode request, Sink out) throws Exception;
  }

  /** Where an operation's output frames go (bounded: a slow coordinator slows the command). */
  private interface Sink {
    void frame(byte type, byte[] payload) throws InterruptedException;
  }

  private Operation operation(String path) {
    return switch (path) {
      case "/v1/ping" -> (r, out) -> Map.of("ok", true);
      case "/v1/inspect" -> (r, out) -> runtime.inspect(r.path("id").asText()).orElse(null);
      case "/v1/exec" -> this::exec;
      case "/v1/worker/start" -> (r, out) -> Map.of("id", startWorker(r));
      case "/v1/worker/remove" -> (r, out) -> removeWorker(r.path("id").asText());
      case "/v1/workers" -> (r, out) -> runtime.listWorkers();
      case "/v1/worker/run" -> this::runWorker;
      default -> null;
    };
  }

  /**
   * {@code /v1/exec/input}: an exec whose stdin is {@code input}, streamed from the coordinator as
   * the command reads it. A broken or forged input stops the command and fails the request.
   */
  private Operation input(SignedInput input) {
    return (r, out) -> {
      ExecRequest request = Frames.JSON.treeToValue(r.path("request"), ExecRequest.class);
      input.stopOnBreak(Thread.currentThread());
      ExecResult result;
      try {
        result = runtime.execWithInput(request, input, lines(out));
      } catch (RuntimeException e) {
        input.problem().ifPresent(p -> e.addSuppressed(new IOException(p)));
        throw input.problem().isPresent() ? refusedInput(input, e) : e;
      }
      if (input.problem().isPresent()) {
        throw refusedInput(input, null);
      }
      return result;
    };
  }

  private ContainerRuntimeException refusedInput(SignedInput input, RuntimeException cause) {
    String why = input.problem().orElseThrow();
    LOG.warn("stopped a command with input: {}", why);
    return new ContainerRuntimeException("the command was stopped: " + why, cause);
  }

  /**
   * {@code /v1/worker/run}: a one-off worker on this node (a restore into this node's volumes), its
   * output lines streamed back, removed afterwards by the runtime whatever happens (also when the
   * coordinator goes away: its thread is interrupted).
   */
  private Object runWorker(JsonNode r, Sink out) throws IOException {
    WorkerSpec spec = agentsWorker(Frames.JSON.treeToValue(r, WorkerSpec.class));
    LOG.info("running a one-off worker for the coordinator");
    return runtime.runWorker(spec, lines(out));
  }

  private static OutputLine lines(Sink out) {
    return (stream, line) ->
        put(
            out,
            stream == OutputLine.Stream.STDOUT ? Frames.STDOUT_LINE : Frames.STDERR_LINE,
            line.getBytes(StandardCharsets.UTF_8));
  }

  private Object exec(JsonNode r, Sink out) throws IOException {
    ExecRequest request = Frames.JSON.treeToValue(r.path("request"), ExecRequest.class);
    OutputLine lines = lines(out);
    if (r.path("raw").asBoolean(false)) {
      OutputStream raw =
          new OutputStream() {
            @Override
            public void write(int b) {
              write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
              for (int i = off; i < off + len; i += 64 * 1024) {
                int n = Math.min(64 * 1024, off + len - i);
                byte[] copy = new byte[n];
                System.arraycopy(b, i, copy, 0, n);
                put(out, Frames.STDOUT_BYTES, copy);
              }
            }
          };
      return runtime.execStreaming(request, raw, lines);
    }
    return runtime.exec(request, lines);
  }

  private static void put(Sink out, byte type, byte[] payload) {
    try {
      out.frame(type, payload);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContainerRuntimeException("the coordinator went away");
    }
  }

  /**
   * The rules of every worker the coordinator asks for: never the Docker socket; this agent's
   * networks instead of the coordinator's (its container is on another node; the same service, so
   * the same networks). The runtime adds our worker label.
   */
  private WorkerSpec agentsWorker(WorkerSpec spec) {
    if (spec.mounts().stream()
        .anyMatch(
            m -> m.source().endsWith("docker.sock") || m.destination().endsWith("docker.sock"))) {
      throw new ContainerRuntimeException("a worker never gets the Docker socket");
    }
    return spec.networksOf().isEmpty() || spec.noNetwork()
        ? spec
        : spec.withNetworksOf(ownContainer);
  }

  private String startWorker(JsonNode r) throws IOException {
    WorkerSpec spec = agentsWorker(Frames.JSON.treeToValue(r, WorkerSpec.class));
    String id = runtime.startWorker(spec);
    LOG.info("started worker {} for the coordinator", id.substring(0, Math.min(12, id.length())));
    try {
      checkSharedRepository(id, spec.env().getOrDefault("RESTIC_REPOSITORY", ""));
    } catch (RuntimeException e) {
      runtime.remove(id);
      throw e;
    }
    return id;
  }

  /**
   * A local-path repository must be the same storage on every node (the snapshot of a volume here
   * runs here): one that holds no repository in this node's worker is an error saying so, never a
   * new repository or a snapshot elsewhere.
   */
  private void checkSharedRepository(String worker, String repository) {
    Optional<java.nio.file.Path> local = RepositoryLocation.localPath(repository);
    if (local.isEmpty()) {
      return;
    }
    ExecResult r =
        runtime.exec(
            new ExecRequest(
                worker,
                List.of("test", "-f", local.get().resolve("config").toString()),
                null,
                Map.of(),
                Duration.ofSeconds(30)),
            OutputLine.discard());
    if (!r.succeeded()) {
      throw new ContainerRuntimeException(
          "the repository '"
              + repository
              + "' is a local path that holds no restic repository on this node: with targets on"
              + " other swarm nodes the repository must be reachable from every node (rest:,"
              + " s3:, sftp:, ... or a path shared by all nodes, e.g. NFS mounted at the same"
              + " place)");
    }
  }

  private Object removeWorker(String id) {
    Optional<ContainerInfo> c = runtime.inspect(id);
    if (c.isPresent() && c.get().label(ContainerRuntime.WORKER_LABEL) == null) {
      throw new ContainerRuntimeException(
          "container '" + c.get().name() + "' is not a stack-back worker: not removed");
    }
    runtime.remove(id);
    return Map.of("removed", id);
  }

  /**
   * Runs {@code op} on its own thread and writes its frames, with heartbeats while it is quiet;
   * when writing fails (the coordinator is gone) the operation's thread is interrupted.
   */
  private void stream(OutputStream body, Operation op, JsonNode request, String nonce) {
    BlockingQueue<Frames.Frame> queue = new ArrayBlockingQueue<>(64);
    Sink sink = (type, payload) -> queue.put(new Frames.Frame(type, payload));
    Thread worker =
        Thread.ofVirtual()
            .name("stack-back-agent-op")
            .start(
                () -> {
                  Frames.Frame end;
                  try {
                    Object result = op.run(request, sink);
                    end = new Frames.Frame(Frames.RESULT, Frames.JSON.writeValueAsBytes(result));
                  } catch (Exception e) {
                    String message = e.getMessage() == null ? e.toString() : e.getMessage();
                    end =
                        new Frames.Frame(Frames.FAILURE, message.getBytes(StandardCharsets.UTF_8));
                  }
                  // an interrupt that stopped the command (a broken input) must not lose the
                  // answer: with the coordinator gone, drain() takes it
                  Thread.interrupted();
                  try {
                    queue.put(end);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    try {
      for (long seq = 0; ; seq++) {
        Frames.Frame f = queue.poll(Frames.HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        if (f == null) {
          f = new Frames.Frame(Frames.HEARTBEAT, new byte[0]);
        }
        byte[] p = f.payload();
        byte[] signed = Arrays.copyOf(p, p.length + AgentAuth.INPUT_MAC_LENGTH);
        byte[] mac = auth.answerMac(nonce, seq, f.type(), p, 0, p.length);
        System.arraycopy(mac, 0, signed, p.length, mac.length);
        Frames.write(body, f.type(), signed, 0, signed.length);
        body.flush();
        if (f.type() == Frames.RESULT || f.type() == Frames.FAILURE) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      LOG.warn("the coordinator went away during a request; stopping it: {}", e.getMessage());
      worker.interrupt();
      queue.clear();
      // let the operation end (its command is being stopped); frames it still puts are dropped
      Thread.ofVirtual().start(() -> drain(queue, worker));
    }
  }

  private static void drain(BlockingQueue<Frames.Frame> queue, Thread worker) {
    while (worker.isAlive()) {
      try {
        queue.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The payload of the body's first frame when it is a request frame of at most MAX_BODY. */
  private static byte[] requestFrame(InputStream in) {
    try {
      Frames.Frame f = Frames.read(in);
      return f == null || f.type() != Frames.REQUEST || f.payload().length > MAX_BODY
          ? null
          : f.payload();
    } catch (IOException e) {
      return null;
    }
  }

  private static byte[] readBody(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY + 1);
    return body.length > MAX_BODY ? null : body;
  }

  private static void plain(HttpExchange ex, int status, String text) throws IOException {
    byte[] b = (text + "\n").getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
