package dev.stackback.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.config.Config;
import dev.stackback.config.ConfigLoader;
import dev.stackback.metrics.MetricsServer;
import dev.stackback.state.FailureReport;
import dev.stackback.state.PauseFile;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import dev.stackback.state.StepRecord;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard on the real JDK HTTP server over run records in a temporary STATE_DIR. */
class DashboardTest {
  static final String TOKEN = "s3cret-token-0123456789";
  static final String EVIL = "<script>alert(1)</script>";
  static final Instant T0 = Instant.parse("2026-11-30T02:00:00Z");

  @TempDir Path stateDir;

  private MetricsServer server;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicInteger backups = new AtomicInteger();
  private Dashboard.BackupStart answer = Dashboard.BackupStart.STARTED;
  private String statusJson = "{}";

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    client.close();
  }

  private void start(String token) {
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", "rest:https://user:hunter2@backup.example/");
    env.put("RESTIC_PASSWORD", "repo-password-xyz");
    env.put("STATE_DIR", stateDir.toString());
    if (token != null) {
      env.put("DASHBOARD_TOKEN", token);
    }
    Config config = ConfigLoader.load(env).config().orElseThrow();
    Dashboard d =
        new Dashboard(
            config,
            Clock.systemUTC(),
            new Dashboard.Backend() {
              @Override
              public Dashboard.BackupStart backupNow() {
                backups.incrementAndGet();
                return answer;
              }

              @Override
              public String statusJson() {
                return statusJson;
              }
            });
    server =
        MetricsServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            RunStore.withoutJackson(stateDir),
            new PauseFile(stateDir),
            Clock.systemUTC(),
            () -> true,
            d);
  }

  private String base() {
    return "http://127.0.0.1:" + server.port();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String form, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base() + path))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private RunRecord evilRun() {
    StepRecord stop =
        new StepRecord("stop", "stop " + EVIL, null, EVIL, "ok", T0, 1000, null, 1, null, null);
    StepRecord snap =
        new StepRecord(
            "snapshot",
            "snapshot " + EVIL,
            null,
            EVIL,
            "failed",
            T0.plusSeconds(1),
            3000,
            1,
            1,
            "restic said " + EVIL,
            List.of("line <b>1</b>", "line & 2"),
            4096L);
    StepRecord startStep =
        new StepRecord(
            "start",
            "start " + EVIL,
            null,
            EVIL,
            "ok",
            T0.plusSeconds(4),
            500,
            null,
            1,
            null,
            null);
    return new RunRecord(
        "20261130T020000Z-abcd",
        "schedule",
        "failed",
        1,
        "host",
        T0,
        T0.plusSeconds(5),
        1,
        List.of(),
        List.of(stop, snap, startStep),
        "first error " + EVIL);
  }

  @Test
  void everyPage_escapesWhatComesFromLabelsAndRecords() throws Exception {
    new RunStore(stateDir).save(evilRun());
    statusJson =
        "{\"project\":\"p\",\"host\":\"h\",\"config\":{\"repository\":\"rest:https://***@x/\"},"
            + "\"targets\":[{\"service\":\"<img src=x onerror=alert(1)>\",\"volumes\":"
            + "[{\"name\":\"v\\\"><script>\",\"type\":\"volume\",\"destination\":\"/d\","
            + "\"snapshotPath\":\"/volumes/x\"}],\"stopDuringBackup\":true}],"
            + "\"hooks\":{\"pre\":[{\"hook\":\"pre x#1\",\"cmd\":\"echo </code><script>\"}]},"
            + "\"warnings\":[\"<b>warn</b>\"]}";
    start(null);
    get("/"); // starts computing the plan
    String overview = awaitPlan();
    for (String page :
        List.of(
            overview,
            get("/runs").body(),
            get("/runs/20261130T020000Z-abcd").body(),
            get("/services").body())) {
      assertFalse(page.contains("<script>"), page);
      assertFalse(page.contains("<img"), page);
      assertFalse(page.contains("<b>warn") || page.contains("<b>1"), page);
    }
    assertTrue(overview.contains("&lt;img src=x onerror=alert(1)&gt;"), overview);
    assertTrue(overview.contains("echo &lt;/code&gt;&lt;script&gt;"), overview);
    String run = get("/runs/20261130T020000Z-abcd").body();
    assertTrue(run.contains("restic said &lt;script&gt;"), run);
    assertTrue(run.contains("line &lt;b&gt;1&lt;/b&gt;\nline &amp; 2"), run); // the output tail
    assertTrue(run.contains("class=\"stop\""), "the stop window is drawn: " + run);
  }

  @Test
  void runPage_showsTheFailureReport_escaped() throws Exception {
    FailureReport report =
        new FailureReport(
            "pre web#1",
            "hook",
            "web",
            "failed",
            3,
            "exit code 3",
            List.of("hook out"),
            List.of(
                new FailureReport.ContainerReport(
                    "pre web#1",
                    "id1",
                    "app-web-1",
                    "exited",
                    137,
                    true,
                    2,
                    null,
                    null,
                    List.of("log " + EVIL),
                    List.of(
                        "2026-11-30T02:00:01Z die (exitCode=137)", "2026-11-30T02:00:01Z oom"))),
            List.of("events of db: cannot read"));
    new RunStore(stateDir).save(evilRun().withFailure(report));
    start(null);

    String page = get("/runs/20261130T020000Z-abcd").body();

    assertTrue(page.contains("Failure report"), page);
    assertTrue(page.contains("Container app-web-1"), page);
    assertTrue(page.contains("<b>OOM killed</b>yes"), page);
    assertTrue(page.contains("<b>Exit code</b>137"), page);
    assertTrue(page.contains("die (exitCode=137)\n2026-11-30T02:00:01Z oom"), page);
    assertTrue(page.contains("events of db: cannot read"), page);
    assertFalse(page.contains("<script>"), page);
  }

  @Test
  void overview_showsEachServicesSnapshotsFromTheRepository_andTheNextDrill() throws Exception {
    statusJson =
        "{\"project\":\"p\",\"host\":\"h\",\"config\":{\"repository\":\"/repo\"},"
            + "\"repository\":{\"state\":\"ok\",\"snapshots\":7,\"services\":"
            + "{\"web\":{\"count\":5,\"latest\":\"2026-11-30T02:00:05Z\"}}},"
            + "\"targets\":[{\"service\":\"web\",\"volumes\":[]},{\"service\":\"db\"}],"
            + "\"hooks\":{}}";
    start(null);
    get("/");
    String overview = awaitPlan();
    assertTrue(overview.contains("<th>Snapshots</th>"), overview);
    assertTrue(
        overview.matches("(?s).*<td>5<div class=\"muted\">latest [^<]*2026-11-30.*"), overview);
    assertTrue(overview.contains("<span class=\"muted\">none</span>"), "db has none: " + overview);
    assertTrue(overview.contains("Next restore drill"), overview);
    assertTrue(overview.contains("none (VERIFY_SCHEDULE unset)"), overview);
  }

  private String awaitPlan() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      String body = get("/").body();
      if (body.contains("As of ") && !body.contains("Refreshing")) {
        return body;
      }
      assertTrue(System.nanoTime() < deadline, "the plan never arrived: " + body);
      Thread.sleep(20);
    }
  }

  @Test
  void withoutToken_readOnly_noButtons_postRefused403() throws Exception {
    start(null);
    String page = get("/").body();
    assertFalse(page.contains("<form"), page);
    assertTrue(page.contains("Read-only"), page);
    var r = post("/actions/backup", "token=" + TOKEN);
    assertEquals(403, r.statusCode());
    assertEquals(0, backups.get());
    assertEquals(403, post("/actions/pause", "token=x").statusCode());
    assertFalse(new PauseFile(stateDir).read().isPresent());
  }

  @Test
  void withToken_backUpNow_startsOnce_andRedirects() throws Exception {
    start(TOKEN);
    String page = get("/").body();
    assertTrue(page.contains("action=\"/actions/backup\""), page);
    var r = post("/actions/backup", "token=" + TOKEN, "Origin", base());
    assertEquals(303, r.statusCode(), r.body());
    assertEquals("/?msg=started", r.headers().firstValue("Location").orElse(""));
    assertEquals(1, backups.get());
    // the bearer form (curl) works too
    assertEquals(303, post("/actions/backup", "", "Authorization", "Bearer " + TOKEN).statusCode());
    assertEquals(2, backups.get());
  }

  @Test
  void withToken_refusesWrongMissingOrCrossSite() throws Exception {
    start(TOKEN);
    assertEquals(403, post("/actions/backup", "token=wrong-token-0123456789").statusCode());
    assertEquals(403, post("/actions/backup", "").statusCode());
    assertEquals(
        403,
        post("/actions/backup", "token=" + TOKEN, "Origin", "http://evil.example").statusCode());
    assertEquals(403, post("/actions/backup", "token=" + TOKEN, "Origin", "null").statusCode());
    assertEquals(
        403,
        post("/actions/backup", "token=" + TOKEN, "Sec-Fetch-Site", "cross-site").statusCode());
    assertEquals(405, get("/actions/backup").statusCode());
    assertEquals(0, backups.get());
  }

  @Test
  void busy_isReported_notStarted() throws Exception {
    answer = Dashboard.BackupStart.BUSY;
    start(TOKEN);
    var r = post("/actions/backup", "token=" + TOKEN, "Sec-Fetch-Site", "same-origin");
    assertEquals("/?msg=busy", r.headers().firstValue("Location").orElse(""));
    assertTrue(get("/?msg=busy").body().contains("a run is in progress"));
  }

  @Test
  void pauseAndResume_writeAndRemoveThePauseFile() throws Exception {
    start(TOKEN);
    assertEquals(303, post("/actions/pause", "for=2h&token=" + TOKEN).statusCode());
    var p = new PauseFile(stateDir).read().orElseThrow();
    assertEquals(Duration.ofHours(2), Duration.between(p.since(), p.until()));
    String page = get("/").body();
    assertTrue(page.contains("action=\"/actions/resume\""), page);
    assertEquals(400, post("/actions/pause", "for=soon&token=" + TOKEN).statusCode());
    assertEquals(303, post("/actions/resume", "token=" + TOKEN).statusCode());
    assertFalse(new PauseFile(stateDir).read().isPresent());
  }

  @Test
  void noPageShowsTheTokenOrRepositoryCredentials() throws Exception {
    new RunStore(stateDir).save(evilRun());
    start(TOKEN);
    for (String path : List.of("/", "/runs", "/services", "/runs/20261130T020000Z-abcd")) {
      String body = get(path).body();
      assertFalse(body.contains(TOKEN), path);
      assertFalse(body.contains("hunter2"), path);
      assertFalse(body.contains("repo-password-xyz"), path);
    }
  }

  @Test
  void unknownRunOrPath_is404_andFlashEchoesNothingOfTheUrl() throws Exception {
    start(null);
    assertEquals(404, get("/runs/..%2Fpause").statusCode());
    assertEquals(404, get("/nope").statusCode());
    assertFalse(get("/?msg=%3Cscript%3E").body().contains("script&gt;"));
    assertEquals(200, get("/healthz").statusCode());
  }
}
