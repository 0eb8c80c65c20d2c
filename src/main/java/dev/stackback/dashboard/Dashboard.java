package dev.stackback.dashboard;

import com.sun.net.httpserver.HttpExchange;
import dev.stackback.config.Config;
import dev.stackback.config.Schedule;
import dev.stackback.label.Values;
import dev.stackback.state.Pause;
import dev.stackback.state.PauseFile;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web dashboard on the daemon's {@code METRICS_PORT}: {@code /} (schedule, pause, the plan),
 * {@code /runs}, {@code /runs/<id>}, {@code /services}; with a {@code DASHBOARD_TOKEN}, POST {@code
 * /actions/backup|pause|resume} (see {@link Access}). Pages are rendered per request from the run
 * records; the plan is {@code stack-back status --json}, computed by a child process on demand and
 * kept as text (a few KiB) for {@link #PLAN_MAX_AGE}.
 */
public final class Dashboard {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.dashboard");

  /** How long a computed plan is shown before the next view computes it again. */
  static final Duration PLAN_MAX_AGE = Duration.ofMinutes(10);

  /** The shortest time between two plans computed because someone asked. */
  static final Duration MIN_REFRESH = Duration.ofSeconds(30);

  static final int RUNS_SHOWN = 60;
  private static final int MAX_FORM = 4096;

  /** What the dashboard needs from the daemon. */
  public interface Backend {
    /** Starts a manual backup without waiting for it. */
    BackupStart backupNow();

    /** {@code stack-back status --json}'s output, computed now (slow: Docker and restic). */
    String statusJson() throws Exception;
  }

  /** What {@link Backend#backupNow()} did. */
  public enum BackupStart {
    STARTED,
    BUSY,
    STOPPING
  }

  private final Config config;
  private final Clock clock;
  private final Backend backend;
  private final RunStore store;
  private final PauseFile pause;
  private final Access access;

  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile String planText;
  private volatile Instant planAt;
  private volatile String planError;

  public Dashboard(Config config, Clock clock, Backend backend) {
    this.config = config;
    this.clock = clock;
    this.backend = backend;
    this.store = RunStore.withoutJackson(config.stateDir());
    this.pause = new PauseFile(config.stateDir());
    this.access = new Access(config.dashboardToken());
  }

  /** Serves one request under {@code /} (anything not ours is 404). */
  public void handle(HttpExchange ex) throws IOException {
    try {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (path.startsWith("/actions/")) {
        if (!"POST".equals(method)) {
          ex.getResponseHeaders().set("Allow", "POST");
          html(ex, 405, Pages.message("Method not allowed", "Actions are POST only."));
          return;
        }
        action(ex, path.substring("/actions/".length()));
        return;
      }
      if (!"GET".equals(method) && !"HEAD".equals(method)) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        html(ex, 405, Pages.message("Method not allowed", "Pages are GET only."));
        return;
      }
      Map<String, String> q = form(ex.getRequestURI().getRawQuery());
      if (path.equals("/")) {
        html(ex, 200, overview("1".equals(q.get("refresh")), flash(q.get("msg"))));
      } else if (path.equals("/runs")) {
        html(ex, 200, Pages.runs(store.recent(RUNS_SHOWN)));
      } else if (path.startsWith("/runs/")) {
        Optional<RunRecord> r = store.find(path.substring("/runs/".length()));
        if (r.isPresent()) {
          html(ex, 200, Pages.run(r.get()));
        } else {
          html(ex, 404, Pages.message("No such run", "There is no run record with this id."));
        }
      } else if (path.equals("/services")) {
        html(ex, 200, Pages.services(store.recent(RUNS_SHOWN)));
      } else {
        html(ex, 404, Pages.message("Not found", "No page here."));
      }
    } catch (RuntimeException e) {
      LOG.error("dashboard: {} {}: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
      html(ex, 500, Pages.message("Error", "The page could not be rendered; see the daemon log."));
    }
  }

  private String overview(boolean refresh, String flash) {
    Instant now = clock.instant();
    Instant at = planAt;
    List<RunRecord> last = store.recent(1);
    // a run that ended since changes the repository's state and the hooks' last outcomes
    boolean newerRun =
        at != null
            && !last.isEmpty()
            && last.get(0).endedAt() != null
            && last.get(0).endedAt().isAfter(at);
    // "Refresh" at most every MIN_REFRESH: each one is a child process (Docker, restic)
    boolean asked = refresh && (at == null || at.plus(MIN_REFRESH).isBefore(now));
    if (asked || newerRun || at == null || at.plus(PLAN_MAX_AGE).isBefore(now)) {
      refreshPlan();
    }
    return Pages.overview(
        schedule(now),
        new Pages.Plan(parsedPlan(), planAt, planError, refreshing.get()),
        last,
        access.actionsEnabled(),
        flash);
  }

  private Map<String, Object> parsedPlan() {
    String text = planText;
    if (text == null) {
      return null;
    }
    try {
      return RunStore.parseJson(text) instanceof Map<?, ?> m ? cast(m) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  /** Computes the plan on a thread of its own, unless that is under way. */
  private void refreshPlan() {
    if (!refreshing.compareAndSet(false, true)) {
      return;
    }
    Thread t =
        new Thread(
            () -> {
              try {
                String text = backend.statusJson();
                planText = text;
                planError = null;
              } catch (Exception e) {
                LOG.warn("dashboard: cannot compute the plan: {}", e.getMessage());
                planError =
                    "The plan could not be computed ("
                        + e.getMessage()
                        + "); the daemon log says why.";
              } finally {
                planAt = clock.instant();
                refreshing.set(false);
              }
            },
            "stack-back-dashboard-plan");
    t.setDaemon(true);
    t.start();
  }

  Pages.Schedule schedule(Instant now) {
    ZonedDateTime z = now.atZone(config.cronSchedule().zone());
    PauseFile.State st = pause.state(now);
    return new Pages.Schedule(
        config.cronSchedule().text(),
        next(config.cronSchedule(), z),
        config.maintenanceSchedule().map(Schedule::text).orElse("after each successful backup"),
        config.maintenanceSchedule().map(s -> next(s, z)).orElse(null),
        config.verifySchedule().map(Schedule::text).orElse(null),
        config.verifySchedule().map(s -> next(s, z)).orElse(null),
        st instanceof PauseFile.Active a ? a.pause().describe() : null);
  }

  private static String next(Schedule s, ZonedDateTime now) {
    return s.next(now).map(t -> t.toOffsetDateTime().toString()).orElse("never");
  }

  // ---- actions -------------------------------------------------------------------------------

  private void action(HttpExchange ex, String name) throws IOException {
    Map<String, String> f = form(body(ex));
    String token = f.get("token");
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (token == null && auth != null && auth.startsWith("Bearer ")) {
      token = auth.substring("Bearer ".length());
    }
    String refused =
        access.refusal(
            token,
            ex.getRequestHeaders().getFirst("Origin"),
            ex.getRequestHeaders().getFirst("Sec-Fetch-Site"),
            ex.getRequestHeaders().getFirst("Host"));
    if (refused != null) {
      LOG.warn("dashboard: {} from {} refused: {}", name, ex.getRemoteAddress(), refused);
      html(ex, 403, Pages.message("Refused", refused));
      return;
    }
    String msg;
    switch (name) {
      case "backup" -> {
        BackupStart s = backend.backupNow();
        LOG.info("dashboard: back up now from {}: {}", ex.getRemoteAddress(), s);
        msg =
            switch (s) {
              case STARTED -> "started";
              case BUSY -> "busy";
              case STOPPING -> "stopping";
            };
      }
      case "pause" -> {
        Optional<Duration> length = Optional.empty();
        String forText = f.getOrDefault("for", "").trim();
        if (!forText.isEmpty()) {
          length = Values.parseDuration(forText);
          if (length.isEmpty()) {
            html(ex, 400, Pages.message("Bad duration", "'for' is not a duration (e.g. 2h, 1d)"));
            return;
          }
        }
        Instant now = clock.instant();
        pause.write(
            new Pause(now, length.map(now::plus).orElse(null), "from the dashboard", "dashboard"));
        LOG.info("dashboard: paused scheduled runs from {}", ex.getRemoteAddress());
        msg = "paused";
      }
      case "resume" -> {
        pause.remove();
        LOG.info("dashboard: resumed scheduled runs from {}", ex.getRemoteAddress());
        msg = "resumed";
      }
      default -> {
        html(ex, 404, Pages.message("Not found", "No such action."));
        return;
      }
    }
    ex.getResponseHeaders().set("Location", "/?msg=" + msg);
    ex.sendResponseHeaders(303, -1);
    ex.close();
  }

  /** The text of a message code from a redirect (a fixed set: nothing of the URL is echoed). */
  static String flash(String code) {
    if (code == null) {
      return null;
    }
    return switch (code) {
      case "started" -> "Backup started; it shows under Runs once its first step is recorded.";
      case "busy" -> "Not started: a run is in progress (it holds the run lock).";
      case "stopping" -> "Not started: the daemon is stopping.";
      case "paused" -> "Scheduled runs are paused.";
      case "resumed" -> "Scheduled runs resumed.";
      default -> null;
    };
  }

  private static String body(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] b = in.readNBytes(MAX_FORM + 1);
      if (b.length > MAX_FORM) {
        return "";
      }
      return new String(b, StandardCharsets.UTF_8);
    }
  }

  /** {@code a=1&b=2} (URL-encoded) as a map; malformed pairs are dropped. */
  static Map<String, String> form(String raw) {
    Map<String, String> m = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return m;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        m.putIfAbsent(
            URLDecoder.decode(k, StandardCharsets.UTF_8),
            URLDecoder.decode(v, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        // a broken escape: not a field we read
      }
    }
    return m;
  }

  private static void html(HttpExchange ex, int status, String page) throws IOException {
    byte[] bytes = page.getBytes(StandardCharsets.UTF_8);
    var h = ex.getResponseHeaders();
    h.set("Content-Type", "text/html; charset=utf-8");
    h.set("Cache-Control", "no-store");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    // not no-referrer: Chromium then sends "Origin: null" with our own forms
    h.set("Referrer-Policy", "same-origin");
    // no scripts at all; styles inline; forms only to us
    h.set(
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:;"
            + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    boolean head = "HEAD".equals(ex.getRequestMethod());
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      if (!head) {
        out.write(bytes);
      }
    }
  }
}
