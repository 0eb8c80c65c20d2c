package dev.stackback.dashboard;

import static dev.stackback.dashboard.Html.esc;
import static dev.stackback.dashboard.Html.pill;

import dev.stackback.state.FailureReport;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import dev.stackback.util.Bytes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dashboard's pages as HTML strings, rendered per request from run records and the cached
 * {@code status --json}. Everything that comes from labels, records or restic goes through {@link
 * Html#esc}.
 */
final class Pages {
  private Pages() {}

  /** What the overview shows besides the plan: the schedule and the pause, computed now. */
  record Schedule(
      String cron,
      String nextBackup,
      String maintenance,
      String nextMaintenance,
      String verify,
      String nextVerify,
      String pause) {}

  /** The cached plan: the parsed {@code status --json} (or null), when, and why not. */
  record Plan(Map<String, Object> status, Instant fetchedAt, String error, boolean refreshing) {}

  // ---- overview ------------------------------------------------------------------------------

  static String overview(
      Schedule schedule, Plan plan, List<RunRecord> recent, boolean actions, String flash) {
    StringBuilder b = new StringBuilder();
    flash(b, flash);
    b.append("<section><h1>Schedule</h1><div class=\"grid kv\">");
    kv(b, "Next backup", schedule.nextBackup() + " (" + schedule.cron() + ")");
    kv(
        b,
        "Next maintenance",
        schedule.nextMaintenance() == null
            ? schedule.maintenance()
            : schedule.nextMaintenance() + " (" + schedule.maintenance() + ")");
    kv(
        b,
        "Next restore drill",
        schedule.verify() == null
            ? "none (VERIFY_SCHEDULE unset)"
            : schedule.nextVerify() + " (" + schedule.verify() + ")");
    b.append("<div><b>Scheduled runs</b>")
        .append(
            schedule.pause() == null
                ? pill("ok") + " running"
                : pill("paused") + " " + esc(schedule.pause()))
        .append("</div>");
    if (!recent.isEmpty()) {
      RunRecord last = recent.get(0);
      b.append("<div><b>Last run</b><a href=\"/runs/")
          .append(esc(Html.seg(last.id())))
          .append("\">")
          .append(esc(Html.time(last.startedAt())))
          .append("</a> ")
          .append(pill(last.state()))
          .append("</div>");
    }
    b.append("</div>");
    if (actions) {
      actions(b, schedule.pause() != null);
    } else {
      b.append(
          "<p class=\"muted\">Read-only: set DASHBOARD_TOKEN to enable \u201cback up now\u201d"
              + " and pause/resume.</p>");
    }
    b.append("</section>");
    plan(b, plan);
    return Html.page("Overview", "/", b.toString());
  }

  private static void actions(StringBuilder b, boolean paused) {
    b.append("<h2>Actions</h2>");
    form(b, "/actions/backup", "Back up now", "");
    if (paused) {
      form(b, "/actions/resume", "Resume scheduled runs", "");
    } else {
      form(
          b,
          "/actions/pause",
          "Pause scheduled runs",
          "<input name=\"for\" placeholder=\"for (e.g. 2h; empty: until resumed)\" size=\"24\""
              + " pattern=\"[0-9dhms]{1,12}\">");
    }
  }

  private static void form(StringBuilder b, String action, String label, String extra) {
    b.append("<form class=\"inline\" method=\"post\" action=\"")
        .append(action)
        .append("\"><input type=\"password\" name=\"token\" placeholder=\"dashboard token\"")
        .append(" autocomplete=\"current-password\" required>")
        .append(extra)
        .append("<button type=\"submit\">")
        .append(esc(label))
        .append("</button></form>");
  }

  private static void plan(StringBuilder b, Plan plan) {
    Map<String, Object> s = plan.status();
    b.append("<section><h1>Plan</h1><p class=\"muted\">");
    if (plan.fetchedAt() != null) {
      b.append("As of ").append(esc(Html.time(plan.fetchedAt()))).append(". ");
    }
    if (plan.refreshing()) {
      b.append("Refreshing (computed by <code>stack-back status</code>; reload in a few seconds).");
    }
    b.append(" <a href=\"/?refresh=1\">Refresh</a></p>");
    if (plan.error() != null) {
      b.append("<p class=\"warn\">").append(esc(plan.error())).append("</p>");
    }
    if (s == null) {
      b.append("</section>");
      return;
    }
    list(b, "Errors", s.get("errors"), "warn");
    if (s.get("targets") == null) {
      list(b, "Warnings", s.get("warnings"), "warn");
      b.append("</section>");
      return;
    }
    b.append("<div class=\"grid kv\">");
    kv(b, "Project", s.get("project"));
    kv(b, "Host", s.get("host"));
    kv(b, "Order", s.get("order"));
    Map<String, Object> repo = map(s.get("repository"));
    Map<String, Object> config = map(s.get("config"));
    kv(b, "Repository", config.get("repository"));
    kv(
        b,
        "Repository state",
        String.valueOf(repo.getOrDefault("state", "?"))
            + (repo.get("snapshots") == null
                ? ""
                : ", " + whole(repo.get("snapshots")) + " snapshot(s)")
            + (repo.get("latest") == null ? "" : ", latest " + repo.get("latest")));
    b.append("</div>");
    b.append("<h2>Services in backup order</h2><div class=\"scroll\"><table><tr><th>#</th>")
        .append("<th>Service</th><th>Volumes \u2192 snapshot paths</th><th>Database</th>")
        .append("<th>Stops</th><th>Snapshots</th></tr>");
    int i = 1;
    for (Object o : list(s.get("targets"))) {
      Map<String, Object> t = map(o);
      b.append("<tr><td>")
          .append(i++)
          .append("</td><td><a href=\"/services#")
          .append(esc(Html.seg(String.valueOf(t.get("service")))))
          .append("\">")
          .append(esc(t.get("service")))
          .append("</a></td><td>");
      for (Object v : list(t.get("volumes"))) {
        Map<String, Object> vm = map(v);
        b.append("<div><code>")
            .append(esc(vm.get("name")))
            .append("</code> (")
            .append(esc(vm.get("type")))
            .append(", ")
            .append(esc(vm.get("destination")))
            .append(") \u2192 <code>")
            .append(esc(vm.get("snapshotPath")))
            .append("</code></div>");
      }
      for (Object v : list(t.get("skippedMounts"))) {
        Map<String, Object> vm = map(v);
        b.append("<div class=\"muted\">skipped ")
            .append(esc(vm.get("destination")))
            .append(": ")
            .append(esc(vm.get("reason")))
            .append("</div>");
      }
      b.append("</td><td>");
      Map<String, Object> db = map(t.get("database"));
      if (!db.isEmpty()) {
        b.append(esc(db.get("kind")))
            .append(" (")
            .append(esc(db.get("dump")))
            .append(") \u2192 <code>")
            .append(esc(db.get("snapshotPath")))
            .append("</code>");
        if (db.get("answer") != null) {
          b.append("<div class=\"muted\">").append(esc(db.get("answer"))).append("</div>");
        }
      }
      b.append("</td><td>")
          .append(
              Boolean.TRUE.equals(t.get("stopDuringBackup"))
                  ? "<span class=\"pill paused\">stopped for its snapshot</span>"
                  : "no")
          .append("</td><td>")
          .append(snapshots(map(map(repo.get("services")).get(String.valueOf(t.get("service"))))))
          .append("</td></tr>");
    }
    b.append("</table></div>");
    hooks(b, map(s.get("hooks")));
    list(b, "Hook-only services", s.get("hookOnly"), "");
    list(b, "Warnings", s.get("warnings"), "warn");
    b.append("</section>");
  }

  /** A service's snapshots in the repository ({@code status --json}): count and latest. */
  private static String snapshots(Map<String, Object> s) {
    if (s.isEmpty()) {
      return "<span class=\"muted\">none</span>";
    }
    return whole(s.get("count"))
        + (s.get("latest") == null
            ? ""
            : "<div class=\"muted\">latest "
                + esc(Html.time(Instant.parse((String) s.get("latest"))))
                + "</div>");
  }

  private static void hooks(StringBuilder b, Map<String, Object> hooks) {
    boolean any = hooks.values().stream().anyMatch(v -> !list(v).isEmpty());
    if (!any) {
      return;
    }
    b.append("<h2>Hooks per stage</h2><div class=\"scroll\"><table><tr><th>Stage</th>")
        .append("<th>Hook</th><th>Command</th><th class=\"hide-s\">Runs in</th>")
        .append("<th class=\"hide-s\">On error</th><th>Last</th></tr>");
    for (Map.Entry<String, Object> e : hooks.entrySet()) {
      for (Object o : list(e.getValue())) {
        Map<String, Object> h = map(o);
        b.append("<tr><td>")
            .append(esc(e.getKey()))
            .append("</td><td>")
            .append(esc(h.get("hook")))
            .append("</td><td><code>")
            .append(esc(h.get("cmd")))
            .append("</code></td><td class=\"hide-s\">")
            .append(esc(h.get("runsIn")))
            .append("</td><td class=\"hide-s\">")
            .append(esc(h.get("onError")))
            .append("</td><td>")
            .append(h.get("lastOutcome") == null ? "" : pill(h.get("lastOutcome").toString()))
            .append("</td></tr>");
      }
    }
    b.append("</table></div>");
  }

  // ---- runs ----------------------------------------------------------------------------------

  static String runs(List<RunRecord> recent) {
    StringBuilder b = new StringBuilder("<section><h1>Recent runs</h1>");
    if (recent.isEmpty()) {
      b.append("<p class=\"muted\">No runs recorded yet.</p>");
    } else {
      timeline(b, recent);
      b.append("<div class=\"scroll\"><table><tr><th>Started</th><th>State</th><th>Trigger</th>")
          .append("<th>Duration</th><th class=\"hide-s\">Added</th><th>Failed steps</th></tr>");
      for (RunRecord r : recent) {
        Long added = r.bytesAdded();
        b.append("<tr><td><a href=\"/runs/")
            .append(esc(Html.seg(r.id())))
            .append("\">")
            .append(esc(Html.time(r.startedAt())))
            .append("</a></td><td>")
            .append(pill(r.state()))
            .append("</td><td>")
            .append(esc(r.trigger()))
            .append("</td><td>")
            .append(esc(Html.duration(r.duration())))
            .append("</td><td class=\"hide-s\">")
            .append(added == null ? "" : esc(Bytes.format(added)))
            .append("</td><td>")
            .append(
                esc(
                    String.join(
                        ", ",
                        r.steps().stream()
                            .filter(StepRecord::failed)
                            .map(StepRecord::name)
                            .toList())))
            .append("</td></tr>");
      }
      b.append("</table></div>");
    }
    b.append("</section>");
    return Html.page("Runs", "/runs", b.toString());
  }

  /** The runs as a strip of blocks, oldest left, height by duration, colour by state. */
  private static void timeline(StringBuilder b, List<RunRecord> recent) {
    List<RunRecord> old = new ArrayList<>(recent);
    java.util.Collections.reverse(old);
    long max = 1;
    for (RunRecord r : old) {
      if (r.duration() != null) {
        max = Math.max(max, r.duration().toMillis());
      }
    }
    int n = old.size();
    double w = Math.min(24, 760.0 / Math.max(n, 1)); // a few runs: narrow bars, not blocks
    b.append("<svg viewBox=\"0 0 760 70\" role=\"img\" aria-label=\"runs timeline\">");
    int i = 0;
    for (RunRecord r : old) {
      long d = r.duration() == null ? max : r.duration().toMillis();
      double h = Math.max(4, 60.0 * d / max);
      String fill =
          switch (r.state() == null ? "" : r.state()) {
            case "succeeded" -> "#38a169";
            case "failed" -> "#e53e3e";
            case "skipped" -> "#a0aec0";
            default -> "#d69e2e";
          };
      b.append("<a href=\"/runs/")
          .append(esc(Html.seg(r.id())))
          .append("\"><rect x=\"")
          .append(String.format(java.util.Locale.ROOT, "%.1f", i * w + 1))
          .append("\" y=\"")
          .append(String.format(java.util.Locale.ROOT, "%.1f", 66 - h))
          .append("\" width=\"")
          .append(String.format(java.util.Locale.ROOT, "%.1f", Math.max(1, w - 2)))
          .append("\" height=\"")
          .append(String.format(java.util.Locale.ROOT, "%.1f", h))
          .append("\" fill=\"")
          .append(fill)
          .append("\"><title>")
          .append(
              esc(
                  Html.time(r.startedAt())
                      + " "
                      + r.state()
                      + " ("
                      + r.trigger()
                      + ") "
                      + Html.duration(r.duration())))
          .append("</title></rect></a>");
      i++;
    }
    b.append("</svg>");
  }

  static String run(RunRecord r) {
    StringBuilder b = new StringBuilder("<section><h1>Run ");
    b.append(esc(r.id()))
        .append(' ')
        .append(pill(r.state()))
        .append("</h1><div class=\"grid kv\">");
    kv(b, "Trigger", r.trigger());
    kv(b, "Started", Html.time(r.startedAt()));
    kv(b, "Ended", Html.time(r.endedAt()));
    kv(b, "Duration", Html.duration(r.duration()));
    kv(b, "Exit code", r.exitCode());
    Long added = r.bytesAdded();
    kv(b, "Added", added == null ? null : Bytes.format(added));
    b.append("</div>");
    if (r.error() != null) {
      b.append("<p class=\"warn\"><b>Error:</b> ").append(esc(r.error())).append("</p>");
    }
    if (r.reason() != null) {
      b.append("<p class=\"muted\">").append(esc(r.reason())).append("</p>");
    }
    b.append("</section><section><h2>Steps</h2>")
        .append(Charts.gantt(r))
        .append("<p class=\"muted\">Shaded: a service's containers were down.</p>")
        .append("<div class=\"scroll\"><table><tr><th>Step</th><th>Outcome</th><th>Duration</th>")
        .append("<th class=\"hide-s\">Message</th></tr>");
    for (StepRecord s : r.steps()) {
      b.append("<tr><td>")
          .append(esc(s.name()))
          .append("</td><td>")
          .append(pill(s.outcome()))
          .append("</td><td>")
          .append(esc(Html.duration(java.time.Duration.ofMillis(s.durationMs()))))
          .append("</td><td class=\"hide-s\">")
          .append(esc(s.message()))
          .append("</td></tr>");
    }
    b.append("</table></div></section>");
    List<StepRecord> failed = r.steps().stream().filter(StepRecord::failed).toList();
    if (!failed.isEmpty()) {
      b.append("<section><h2>Failures</h2>");
      for (StepRecord s : failed) {
        b.append("<h3>")
            .append(esc(s.name()))
            .append(' ')
            .append(pill(s.outcome()))
            .append(s.exitCode() == null ? "" : " exit " + s.exitCode())
            .append("</h3><p>")
            .append(esc(s.message()))
            .append("</p>");
        if (!s.tail().isEmpty()) {
          b.append("<pre>").append(esc(String.join("\n", s.tail()))).append("</pre>");
        }
      }
      b.append("</section>");
    }
    if (r.failure() != null) {
      failureReport(b, r.failure());
    }
    return Html.page("Run " + r.id(), "/runs", b.toString());
  }

  /** The run's failure report: the deciding step and what the engine said of its containers. */
  private static void failureReport(StringBuilder b, FailureReport f) {
    b.append("<section><h2>Failure report</h2><p>Decided by <b>")
        .append(esc(f.step()))
        .append("</b> (")
        .append(esc(f.kind()))
        .append(", ")
        .append(esc(f.outcome()))
        .append(f.exitCode() == null ? "" : ", exit " + f.exitCode())
        .append(")</p>");
    for (FailureReport.ContainerReport c : f.containers()) {
      b.append("<h3>Container ").append(esc(c.name())).append("</h3><div class=\"grid kv\">");
      kv(b, "State", c.status());
      kv(b, "Exit code", c.exitCode());
      kv(b, "OOM killed", c.oomKilled() ? "yes" : "no");
      kv(b, "Restart count", c.restartCount());
      kv(b, "Health", c.health());
      kv(b, "Engine error", c.error());
      b.append("</div>");
      if (!c.logTail().isEmpty()) {
        b.append("<p class=\"muted\">Last log lines</p><pre>")
            .append(esc(String.join("\n", c.logTail())))
            .append("</pre>");
      }
      if (!c.events().isEmpty()) {
        b.append("<p class=\"muted\">Engine events during the run</p><pre>")
            .append(esc(String.join("\n", c.events())))
            .append("</pre>");
      }
    }
    list(b, "Not gathered", f.notes(), "muted");
    b.append("</section>");
  }

  // ---- services ------------------------------------------------------------------------------

  /**
   * Per service (by the {@code service} of its snapshot and dump steps): its latest snapshot from
   * the records, and its durations and bytes added over {@code recent} as bar charts.
   */
  static String services(List<RunRecord> recent) {
    List<RunRecord> old = new ArrayList<>(recent);
    java.util.Collections.reverse(old);
    Map<String, List<Charts.Point>> durations = new TreeMap<>();
    Map<String, List<Charts.Point>> bytes = new TreeMap<>();
    Map<String, String> latest = new LinkedHashMap<>();
    Map<String, Integer> count = new TreeMap<>();
    for (RunRecord r : old) {
      Map<String, long[]> perService = new LinkedHashMap<>();
      for (StepRecord s : r.steps()) {
        if (s.service() == null || !s.backsUp()) {
          continue;
        }
        long[] acc = perService.computeIfAbsent(s.service(), k -> new long[] {0, -1});
        acc[0] += s.durationMs();
        if (s.bytesAdded() != null) {
          acc[1] = Math.max(0, acc[1]) + s.bytesAdded();
        }
        if ("ok".equals(s.outcome())) {
          latest.put(
              s.service(),
              Html.time(s.startedAt()) + (s.message() == null ? "" : " \u2014 " + s.message()));
          count.merge(s.service(), 1, Integer::sum);
        }
      }
      perService.forEach(
          (svc, acc) -> {
            durations
                .computeIfAbsent(svc, k -> new ArrayList<>())
                .add(new Charts.Point(r.startedAt(), r.id(), acc[0]));
            bytes
                .computeIfAbsent(svc, k -> new ArrayList<>())
                .add(new Charts.Point(r.startedAt(), r.id(), acc[1] < 0 ? null : acc[1]));
          });
    }
    StringBuilder b = new StringBuilder();
    b.append("<section><h1>Services</h1><p class=\"muted\">From the last ")
        .append(recent.size())
        .append(" run records: time in snapshots and dumps, and bytes they added to the")
        .append(" repository, per run (oldest left).</p></section>");
    if (durations.isEmpty()) {
      b.append("<section><p class=\"muted\">No snapshots recorded yet.</p></section>");
    }
    for (String svc : durations.keySet()) {
      b.append("<section id=\"")
          .append(esc(Html.seg(svc)))
          .append("\"><h2>")
          .append(esc(svc))
          .append("</h2><p>Latest good snapshot: ")
          .append(esc(latest.getOrDefault(svc, "none in these runs")))
          .append("<br><span class=\"muted\">")
          .append(count.getOrDefault(svc, 0))
          .append(" good snapshot/dump steps in these runs</span></p><div class=\"grid\">")
          .append(Charts.bars("duration", durations.get(svc), false))
          .append(Charts.bars("bytes added", bytes.get(svc), true))
          .append("</div></section>");
    }
    return Html.page("Services", "/services", b.toString());
  }

  // ---- messages ------------------------------------------------------------------------------

  /** A plain page with one message (errors, refusals). */
  static String message(String title, String text) {
    return Html.page(
        title,
        "",
        "<section class=\"msg bad\"><h1>" + esc(title) + "</h1><p>" + esc(text) + "</p></section>");
  }

  private static void flash(StringBuilder b, String flash) {
    if (flash != null) {
      b.append("<section class=\"msg\"><p>").append(esc(flash)).append("</p></section>");
    }
  }

  private static void kv(StringBuilder b, String k, Object v) {
    b.append("<div><b>").append(esc(k)).append("</b>").append(esc(v)).append("</div>");
  }

  private static void list(StringBuilder b, String title, Object items, String cls) {
    List<Object> l = list(items);
    if (l.isEmpty()) {
      return;
    }
    b.append("<h2>").append(esc(title)).append("</h2><ul class=\"").append(cls).append("\">");
    for (Object o : l) {
      b.append("<li>").append(esc(o)).append("</li>");
    }
    b.append("</ul>");
  }

  /** A JSON number without a ".0" when it is whole (the small parser reads doubles). */
  static String whole(Object o) {
    return o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        ? Long.toString(n.longValue())
        : String.valueOf(o);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }
}
