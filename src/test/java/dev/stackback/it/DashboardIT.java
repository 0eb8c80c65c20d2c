package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The daemon's dashboard in the sidecar image over a real stack, looked at by a real headless
 * Chromium: screenshots of its pages ({@link #SHOTS}), "back up now" clicked with the token starts
 * a run whose record then shows; without the token, and from another origin with it, the action is
 * refused.
 */
class DashboardIT {
  static final String TOKEN = "dash-it-token-0123456789abcdef";

  /** Where the screenshots go: target/ unless -Dstackback.screenshots=docs/dashboard (README's). */
  static final Path SHOTS =
      Path.of(System.getProperty("stackback.screenshots", "target/dashboard-screenshots"));

  @Test
  void dashboard_showsTheStack_backUpNowNeedsTheToken_andStartsARun() throws Exception {
    HeadlessChromium chromium = HeadlessChromium.require();
    try (SidecarProject p = new SidecarProject("sbdash");
        HttpClient http = HttpClient.newHttpClient()) {
      String data = p.volume("data");
      String repo = p.volume("repo");
      String state = p.volume("state");
      String web =
          p.run(
              "web",
              List.of(
                  "--label", "stack-back.volumes=true",
                  "--label", "stack-back.volumes.stop-during-backup=true",
                  "--label", "stack-back.hooks.pre.1.cmd=echo '<flush> & done'",
                  "-v", data + ":/data"),
              SidecarProject.BUSYBOX,
              List.of("sh", "-c", "echo hello > /data/hello.txt; " + SidecarProject.IDLE));
      String sidecar =
          p.run(
              "backup",
              p.sidecarOptions(
                  repo,
                  "-e",
                  "CRON_SCHEDULE=0 3 1 1 *",
                  "-e",
                  "METRICS_PORT=8080",
                  "-e",
                  "DASHBOARD_TOKEN=" + TOKEN,
                  "-v",
                  state + ":/state"),
              SidecarProject.IMAGE,
              List.of());
      String ip =
          SidecarProject.inspect(
                  sidecar, "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}")
              .trim();
      String base = "http://" + ip + ":8080";
      assertTrue(
          SidecarProject.poll(Duration.ofSeconds(60), () -> status(http, base + "/healthz") == 200),
          "no /healthz; logs:\n" + logs(sidecar));

      // without the token, with a wrong one, and from another site with the right one: refused
      assertEquals(403, post(http, base + "/actions/backup", "", Map.of()).statusCode());
      assertEquals(
          403,
          post(http, base + "/actions/backup", "token=wrong-token-0123456789", Map.of())
              .statusCode());
      String crossSite =
          chromium.dumpDom(
              "data:text/html,<form method=post action='"
                  + base
                  + "/actions/backup'><input name=token value='"
                  + TOKEN
                  + "'></form><script>document.forms[0].submit()</script>");
      assertTrue(crossSite.contains("refused a request from another"), crossSite);
      assertEquals(List.of(), SidecarProject.runRecords(sidecar), "no run was started");

      // "back up now", clicked in the browser with the token
      String after = chromium.clickForm(base + "/", "/actions/backup", TOKEN);
      assertTrue(after.startsWith("/?msg=started"), after);
      assertTrue(after.contains("Backup started"), after);
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(120),
              () ->
                  SidecarProject.runRecords(sidecar).stream()
                      .anyMatch(
                          r ->
                              "succeeded".equals(r.path("state").asText())
                                  && "manual".equals(r.path("trigger").asText()))),
          "no succeeded manual run; logs:\n" + logs(sidecar));
      // the record says succeeded before the child run exits and the daemon logs its exit code
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(30),
              () -> logs(sidecar).contains("dashboard backup finished with exit code 0")),
          "no exit code logged; logs:\n" + logs(sidecar));

      // a second one with the token as a bearer header (curl's way), with new data to add
      SidecarProject.ok(
          SidecarProject.exec(web, "sh", "-c", "head -c 300000 /dev/urandom > /data/more.bin"));
      var second =
          post(http, base + "/actions/backup", "", Map.of("Authorization", "Bearer " + TOKEN));
      assertEquals(303, second.statusCode(), second.body());
      assertEquals("/?msg=started", second.headers().firstValue("Location").orElse(""));
      // while it runs, a third is refused as busy
      var third =
          post(http, base + "/actions/backup", "", Map.of("Authorization", "Bearer " + TOKEN));
      assertEquals("/?msg=busy", third.headers().firstValue("Location").orElse(""));
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(120),
              () ->
                  SidecarProject.runRecords(sidecar).stream()
                          .filter(r -> "succeeded".equals(r.path("state").asText()))
                          .count()
                      == 2),
          "the second run did not succeed; logs:\n" + logs(sidecar));

      // the overview's plan comes from status --json in a child process
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(90),
              () -> {
                String page = get(http, base + "/");
                return page.contains("Services in backup order")
                    && page.contains("<b>Repository state</b>ok")
                    && !page.contains("Refreshing");
              }),
          "no plan on the overview; logs:\n" + logs(sidecar));
      String dom = chromium.dumpDom(base + "/");
      assertTrue(dom.contains(p.name + "_data"), dom); // the volume
      assertTrue(dom.contains("/volumes/web/data"), dom); // its snapshot path
      assertTrue(dom.contains("echo '&lt;flush&gt; &amp; done'"), dom); // escaped label
      assertFalse(dom.contains(SidecarProject.PASSWORD), dom);
      assertFalse(dom.contains(TOKEN), dom);

      String runId =
          SidecarProject.runRecords(sidecar).stream()
              .filter(r -> "manual".equals(r.path("trigger").asText()))
              .map(r -> r.path("id").asText())
              .max(String::compareTo)
              .orElseThrow();
      String runDom = chromium.dumpDom(base + "/runs/" + runId);
      assertTrue(runDom.contains("web down"), "the stop window of web: " + runDom);

      chromium.screenshot(base + "/", 1200, 1500, SHOTS.resolve("overview.png"));
      chromium.screenshot(base + "/runs", 1200, 700, SHOTS.resolve("runs.png"));
      chromium.screenshot(base + "/runs/" + runId, 1200, 1100, SHOTS.resolve("run.png"));
      chromium.screenshot(base + "/services", 1200, 700, SHOTS.resolve("services.png"));
      chromium.screenshot(base + "/", 390, 1400, SHOTS.resolve("overview-phone.png"));
    }
  }

  private static String logs(String container) {
    var r = SidecarProject.docker(Duration.ofSeconds(10), "logs", container);
    return r.out() + r.err();
  }

  private static int status(HttpClient http, String url) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static String get(HttpClient http, String url) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      return "";
    }
  }

  private static HttpResponse<String> post(
      HttpClient http, String url, String form, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
