package dev.stackback.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code chromium}, headless: {@code --screenshot}, {@code --dump-dom}, and a page driven
 * through the DevTools protocol (the JDK's WebSocket client) to fill a form field and click a
 * button as a user would. Tests skip (with the reason) when chromium is not installed.
 */
final class HeadlessChromium {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LIMIT = Duration.ofSeconds(90);

  private final String binary;

  private HeadlessChromium(String binary) {
    this.binary = binary;
  }

  /** The installed chromium, or the test is skipped saying how to install it. */
  static HeadlessChromium require() {
    for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (new File(candidate).canExecute()) {
        return new HeadlessChromium(candidate);
      }
    }
    Assumptions.abort(
        "chromium is not installed (scripts/ensure-docker.sh installs Debian's chromium as root:"
            + " apt-get install chromium fonts-dejavu-core): the dashboard's browser test is"
            + " skipped");
    throw new IllegalStateException("unreachable");
  }

  private List<String> base(Path profile) {
    return new ArrayList<>(
        List.of(
            binary,
            "--headless",
            "--no-sandbox", // we run as root in CI
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--user-data-dir=" + profile));
  }

  /** A PNG of {@code url} at {@code width}x{@code height} CSS pixels. */
  void screenshot(String url, int width, int height, Path png) throws IOException {
    Path profile = Files.createTempDirectory("sb-chromium");
    Files.createDirectories(png.toAbsolutePath().getParent());
    List<String> argv = base(profile);
    argv.addAll(
        List.of(
            "--window-size=" + width + "," + height, "--screenshot=" + png.toAbsolutePath(), url));
    SidecarProject.ok(SidecarProject.command(LIMIT, argv, Map.of()));
    if (!Files.isRegularFile(png) || Files.size(png) < 1000) {
      throw new IllegalStateException("chromium wrote no screenshot of " + url + " to " + png);
    }
  }

  /** The DOM of {@code url} after it loaded (following a form a script submits). */
  String dumpDom(String url) throws IOException {
    Path profile = Files.createTempDirectory("sb-chromium");
    List<String> argv = base(profile);
    argv.addAll(List.of("--dump-dom", url));
    return SidecarProject.ok(SidecarProject.command(LIMIT, argv, Map.of())).out();
  }

  /**
   * Opens {@code url}, types {@code token} into the {@code token} field of the form posting to
   * {@code action}, clicks its button and returns the address and text of the page it leads to.
   */
  String clickForm(String url, String action, String token) throws Exception {
    Path profile = Files.createTempDirectory("sb-chromium");
    List<String> argv = base(profile);
    argv.addAll(List.of("--remote-debugging-port=0", "--remote-allow-origins=*", url));
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(profile.resolve("chromium.log").toFile())
            .start();
    try (HttpClient http = HttpClient.newHttpClient()) {
      Path portFile = profile.resolve("DevToolsActivePort");
      if (!SidecarProject.poll(Duration.ofSeconds(30), () -> Files.isRegularFile(portFile))) {
        throw new IllegalStateException("chromium opened no DevTools port");
      }
      String port = Files.readAllLines(portFile).get(0).trim();
      JsonNode pages = null;
      for (int i = 0; i < 100 && (pages == null || !hasPage(pages)); i++) {
        Thread.sleep(100);
        pages =
            JSON.readTree(
                http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body());
      }
      String ws = null;
      for (JsonNode n : pages) {
        if ("page".equals(n.path("type").asText())) {
          ws = n.path("webSocketDebuggerUrl").asText();
        }
      }
      try (Cdp cdp = new Cdp(http, ws)) {
        waitFor(cdp, "document.readyState === 'complete' && !!document.forms.length");
        String sel = "form[action=\"" + action + "\"]";
        cdp.eval(
            "(() => { const f = document.querySelector('"
                + sel.replace("'", "\\'")
                + "'); f.querySelector('input[name=token]').value = "
                + JSON.writeValueAsString(token)
                + "; f.querySelector('button').click(); return true; })()");
        waitFor(
            cdp,
            "location.pathname + location.search !== '/' && document.readyState === 'complete'");
        return cdp.eval("location.pathname + location.search + '\\n' + document.body.innerText");
      }
    } finally {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private static boolean hasPage(JsonNode pages) {
    for (JsonNode n : pages) {
      if ("page".equals(n.path("type").asText()) && n.has("webSocketDebuggerUrl")) {
        return true;
      }
    }
    return false;
  }

  private static void waitFor(Cdp cdp, String condition) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!"true".equals(cdp.eval("String(" + condition + ")"))) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("the page never met: " + condition);
      }
      Thread.sleep(100);
    }
  }

  /** A minimal DevTools protocol client: one request at a time, answers matched by id. */
  private static final class Cdp implements AutoCloseable {
    private final WebSocket ws;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, LinkedBlockingQueue<JsonNode>> answers = new ConcurrentHashMap<>();

    Cdp(HttpClient http, String url) {
      this.ws =
          http.newWebSocketBuilder()
              .buildAsync(
                  URI.create(url),
                  new WebSocket.Listener() {
                    private final StringBuilder part = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                      part.append(data);
                      if (last) {
                        try {
                          JsonNode n = JSON.readTree(part.toString());
                          if (n.has("id")) {
                            answers
                                .computeIfAbsent(
                                    n.get("id").asInt(), k -> new LinkedBlockingQueue<>())
                                .add(n);
                          }
                        } catch (IOException e) {
                          // not an answer of ours
                        }
                        part.setLength(0);
                      }
                      w.request(1);
                      return null;
                    }
                  })
              .join();
    }

    /** {@code Runtime.evaluate} of {@code expression}: its value as a string ("" on errors). */
    String eval(String expression) throws Exception {
      int id = ids.incrementAndGet();
      var q = answers.computeIfAbsent(id, k -> new LinkedBlockingQueue<>());
      String msg =
          JSON.writeValueAsString(
              Map.of(
                  "id",
                  id,
                  "method",
                  "Runtime.evaluate",
                  "params",
                  Map.of("expression", expression, "returnByValue", true)));
      ws.sendText(msg, true).join();
      JsonNode a = q.poll(30, TimeUnit.SECONDS);
      answers.remove(id);
      if (a == null) {
        throw new IllegalStateException("no answer from chromium to " + expression);
      }
      JsonNode v = a.path("result").path("result").path("value");
      return v.isMissingNode() || v.isNull() ? "" : v.asText();
    }

    @Override
    public void close() {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
    }
  }
}
