package dev.stackback.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stackback.notify.SampleRuns;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real JDK HTTP server on 127.0.0.1 over run records in a temporary STATE_DIR. */
class MetricsServerIT {
  @TempDir Path stateDir;

  private final AtomicBoolean alive = new AtomicBoolean(true);
  private MetricsServer server;
  private HttpClient client;

  @BeforeEach
  void start() {
    server =
        MetricsServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            new RunStore(stateDir),
            alive::get);
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterEach
  void stop() {
    server.close();
    client.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private void save(RunRecord... records) {
    RunStore store = new RunStore(stateDir);
    for (RunRecord r : records) {
      store.save(r);
    }
  }

  /** The same run shape at another time: ids sort by start, as real ids do. */
  private static RunRecord at(RunRecord r, String id, long offsetSeconds) {
    return new RunRecord(
        id,
        r.trigger(),
        r.state(),
        r.pid(),
        r.host(),
        r.startedAt().plusSeconds(offsetSeconds),
        r.endedAt().plusSeconds(offsetSeconds),
        r.exitCode(),
        r.stopped(),
        r.steps(),
        r.error());
  }

  @Test
  void metrics_fromRunRecords() throws Exception {
    RunRecord ok =
        SampleRuns.ended(
            "x",
            RunRecord.SUCCEEDED,
            0,
            null,
            List.of(SampleRuns.snapshot("web", 1000), SampleRuns.snapshot("db", 234)));
    save(
        at(SampleRuns.failed("x"), "20250301-0100", -3600),
        at(ok, "20250301-0200", 0),
        at(SampleRuns.failed("x"), "20250301-0300", 3600));

    HttpResponse<String> r = get("/metrics");

    assertEquals(200, r.statusCode());
    assertEquals(
        "text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").get());
    String m = r.body();
    // the last run is the failed one at 03:00 (ended 03:01:05)
    long lastEnd = SampleRuns.T0.plusSeconds(3600 + 65).getEpochSecond();
    long successEnd = SampleRuns.T0.plusSeconds(65).getEpochSecond();
    assertTrue(m.contains("stackback_last_run_state{state=\"failed\"} 1\n"), m);
    assertTrue(m.contains("stackback_last_run_state{state=\"succeeded\"} 0\n"), m);
    assertTrue(m.contains("stackback_last_run_timestamp_seconds " + lastEnd + "\n"), m);
    assertTrue(m.contains("stackback_last_run_duration_seconds 65\n"), m);
    assertTrue(m.contains("stackback_last_success_timestamp_seconds " + successEnd + "\n"), m);
    assertTrue(m.contains("stackback_runs_total{state=\"failed\"} 2\n"), m);
    assertTrue(m.contains("stackback_runs_total{state=\"succeeded\"} 1\n"), m);
    assertTrue(m.contains("stackback_runs_total{state=\"incomplete\"} 0\n"), m);
    assertTrue(m.contains("stackback_hook_failures_total 2\n"), m);
    assertTrue(m.contains("stackback_last_run_hook_failures 1\n"), m);
    // the last run failed before any snapshot
    assertTrue(m.contains("stackback_bytes_added 0\n"), m);
    assertTrue(m.contains("stackback_run_in_progress 0\n"), m);
    assertTrue(m.contains("# TYPE stackback_runs_total counter\n"), m);
  }

  @Test
  void bytesAdded_sumsTheLastRunsSnapshots() throws Exception {
    save(
        SampleRuns.ended(
            "20250301-0200",
            RunRecord.SUCCEEDED,
            0,
            null,
            List.of(SampleRuns.snapshot("web", 1000), SampleRuns.snapshot("db", 234))));

    String m = get("/metrics").body();

    assertTrue(m.contains("stackback_bytes_added 1234\n"), m);
    assertTrue(m.contains("stackback_last_run_hook_failures 0\n"), m);
  }

  @Test
  void healthz_200WhileAlive_evenAfterAFailedRun_withLastStateInBody() throws Exception {
    save(SampleRuns.failed("20250301-0200"));

    HttpResponse<String> r = get("/healthz");

    assertEquals(200, r.statusCode());
    JsonNode body = new ObjectMapper().readTree(r.body());
    assertEquals("ok", body.get("status").asText());
    assertEquals("failed", body.get("lastRun").get("state").asText());
    assertEquals("20250301-0200", body.get("lastRun").get("id").asText());
  }

  @Test
  void healthz_noRunsYet_ok() throws Exception {
    HttpResponse<String> r = get("/healthz");

    assertEquals(200, r.statusCode());
    assertTrue(new ObjectMapper().readTree(r.body()).get("lastRun").isNull(), r.body());
  }

  @Test
  void healthz_503OnceStopping() throws Exception {
    alive.set(false);
    assertEquals(503, get("/healthz").statusCode());
  }

  @Test
  void unknownPath404_postNotAllowed() throws Exception {
    assertEquals(404, get("/nope").statusCode());
    assertEquals(404, get("/metrics/x").statusCode());
    HttpResponse<String> post =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
  }

  @Test
  void close_releasesThePort() throws Exception {
    int port = server.port();
    server.close();
    // binding the same port again works once the server is stopped
    server =
        MetricsServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
            new RunStore(stateDir),
            alive::get);
    assertEquals(200, get("/healthz").statusCode());
  }
}
