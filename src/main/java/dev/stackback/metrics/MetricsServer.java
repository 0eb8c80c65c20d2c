package dev.stackback.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stackback.dashboard.Dashboard;
import dev.stackback.state.PauseFile;
import dev.stackback.state.PauseFile.Active;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import dev.stackback.util.JsonStrings;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP endpoints on {@code METRICS_PORT} (JDK http server): {@code /metrics}
 * (Prometheus text, from the run records) and {@code /healthz}: 200 while the daemon is alive,
 * whatever the last run did (its state is in the JSON body, and whether scheduled runs are paused),
 * 503 once it is stopping.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.metrics");

  private final HttpServer server;
  private final ExecutorService executor;
  private final RunStore store;
  private final PauseFile pause;
  private final Clock clock;
  private final BooleanSupplier alive;

  private MetricsServer(
      HttpServer server,
      ExecutorService executor,
      RunStore store,
      PauseFile pause,
      Clock clock,
      BooleanSupplier alive) {
    this.server = server;
    this.executor = executor;
    this.store = store;
    this.pause = pause;
    this.clock = clock;
    this.alive = alive;
  }

  /** {@link #start(InetSocketAddress, RunStore, PauseFile, Clock, BooleanSupplier)}, no pause. */
  public static MetricsServer start(
      InetSocketAddress address, RunStore store, BooleanSupplier alive) {
    return start(address, store, null, Clock.systemUTC(), alive);
  }

  /** {@link #start(InetSocketAddress, RunStore, PauseFile, Clock, BooleanSupplier, Dashboard)}. */
  public static MetricsServer start(
      InetSocketAddress address,
      RunStore store,
      PauseFile pause,
      Clock clock,
      BooleanSupplier alive) {
    return start(address, store, pause, clock, alive, null);
  }

  /**
   * Binds {@code address} and starts serving.
   *
   * @param dashboard served on every other path, or null (then they are 404)
   * @param pause the pause of scheduled runs ({@code stackback_paused}, the health body), or null
   * @param alive false once the daemon is stopping
   * @throws UncheckedIOException when the address cannot be bound
   */
  public static MetricsServer start(
      InetSocketAddress address,
      RunStore store,
      PauseFile pause,
      Clock clock,
      BooleanSupplier alive,
      Dashboard dashboard) {
    HttpServer server;
    try {
      server = HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on " + address + " (METRICS_PORT): " + e.getMessage(), e);
    }
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "stack-back-metrics");
              t.setDaemon(true);
              return t;
            });
    MetricsServer m = new MetricsServer(server, executor, store, pause, clock, alive);
    server.createContext("/metrics", m::metrics);
    server.createContext("/healthz", m::healthz);
    if (dashboard != null) {
      server.createContext("/", dashboard::handle);
    } else {
      server.createContext("/", ex -> m.reply(ex, 404, "text/plain; charset=utf-8", "not found\n"));
    }
    server.setExecutor(executor);
    server.start();
    LOG.info(
        "serving /metrics and /healthz{} on {}",
        dashboard == null ? "" : " and the dashboard",
        server.getAddress());
    return m;
  }

  /** The bound port (useful when started on port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private void metrics(HttpExchange ex) throws IOException {
    if (!allowed(ex) || !exact(ex, "/metrics")) {
      return;
    }
    String body;
    try {
      body = Metrics.render(store.recent(Integer.MAX_VALUE), pauseState() instanceof Active);
    } catch (RuntimeException e) {
      LOG.error("cannot read run records for /metrics: {}", e.getMessage());
      reply(ex, 500, "text/plain; charset=utf-8", "cannot read run records\n");
      return;
    }
    reply(ex, 200, Metrics.CONTENT_TYPE, body);
  }

  private void healthz(HttpExchange ex) throws IOException {
    if (!allowed(ex) || !exact(ex, "/healthz")) {
      return;
    }
    boolean up = alive.getAsBoolean();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", up ? "ok" : "stopping");
    Map<String, Object> last = null;
    try {
      List<RunRecord> recent = store.recent(1);
      if (!recent.isEmpty()) {
        RunRecord r = recent.get(0);
        last = new LinkedHashMap<>();
        last.put("id", r.id());
        last.put("state", r.state());
        last.put("startedAt", r.startedAt() == null ? null : r.startedAt().toString());
        last.put("endedAt", r.endedAt() == null ? null : r.endedAt().toString());
        last.put("exitCode", r.exitCode());
      }
    } catch (RuntimeException e) {
      // health is about the daemon; an unreadable state directory shows in /metrics and logs
      body.put("stateError", e.getMessage());
    }
    body.put("lastRun", last);
    PauseFile.State p = pauseState();
    body.put("paused", p instanceof Active);
    body.put("pause", p instanceof Active a ? a.pause().fields() : null);
    reply(ex, up ? 200 : 503, "application/json", json(body) + "\n");
  }

  /** The pause now; none without a pause file (an unreadable one is no pause, as for runs). */
  private PauseFile.State pauseState() {
    return pause == null ? new PauseFile.None() : pause.state(clock.instant());
  }

  private boolean allowed(HttpExchange ex) throws IOException {
    String m = ex.getRequestMethod();
    if ("GET".equals(m) || "HEAD".equals(m)) {
      return true;
    }
    ex.getResponseHeaders().set("Allow", "GET, HEAD");
    reply(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
    return false;
  }

  private boolean exact(HttpExchange ex, String path) throws IOException {
    if (path.equals(ex.getRequestURI().getPath())) {
      return true;
    }
    reply(ex, 404, "text/plain; charset=utf-8", "not found\n");
    return false;
  }

  private void reply(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    boolean head = "HEAD".equals(ex.getRequestMethod());
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      if (!head) {
        out.write(bytes);
      }
    }
  }

  /**
   * Compact JSON of {@code o} (maps, strings, numbers, booleans, null), as Jackson writes it; done
   * here so the idle daemon never loads Jackson for its health check.
   */
  static String json(Object o) {
    StringBuilder b = new StringBuilder();
    write(b, o);
    return b.toString();
  }

  private static void write(StringBuilder b, Object o) {
    if (o == null) {
      b.append("null");
    } else if (o instanceof Number || o instanceof Boolean) {
      b.append(o);
    } else if (o instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        write(b, String.valueOf(e.getKey()));
        b.append(':');
        write(b, e.getValue());
      }
      b.append('}');
    } else {
      JsonStrings.quote(b, o.toString());
    }
  }

  /** Stops serving at once and releases the port. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    LOG.info("stopped serving /metrics and /healthz");
  }
}
