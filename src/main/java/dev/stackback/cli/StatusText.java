package dev.stackback.cli;

import dev.stackback.state.Anomaly;
import dev.stackback.util.Bytes;
import java.io.PrintWriter;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/** Renders the {@link StatusModel} maps as text for people. */
final class StatusText {
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

  private StatusText() {}

  /** {@code 2026-12-03 02:00 Europe/Berlin} from the model's ISO time and zone id. */
  static String when(Object iso, Object zone) {
    if (iso == null) {
      return "none";
    }
    return WHEN.format(OffsetDateTime.parse(iso.toString())) + " " + zone;
  }

  @SuppressWarnings("unchecked")
  static void render(PrintWriter out, Map<String, Object> m) {
    Map<String, Object> c = (Map<String, Object>) m.get("config");
    out.println("stack-back status");
    out.println();
    out.println("Configuration");
    row(out, "repository", c.get("repository"));
    row(out, "backup host", m.get("host"));
    row(out, "project", blank(m.get("project")));
    row(out, "backup container", m.get("backupContainer"));
    Object zone = c.get("timeZone");
    row(
        out,
        "schedule",
        c.get("cronSchedule") + "  (next: " + when(c.get("nextBackup"), zone) + ")");
    row(
        out,
        "maintenance",
        c.get("maintenanceSchedule")
            + (c.get("nextMaintenance") == null
                ? ""
                : "  (next: " + when(c.get("nextMaintenance"), zone) + ")"));
    if (c.get("verifySchedule") != null) {
      row(
          out,
          "restore drill",
          c.get("verifySchedule")
              + (c.get("nextVerify") == null
                  ? ""
                  : "  (next: " + when(c.get("nextVerify"), zone) + ")"));
    }
    if (m.get("pause") instanceof Map<?, ?> pause) {
      row(out, "paused", ScheduledPause.text((Map<String, Object>) pause));
    }
    row(out, "keep", c.get("keep"));
    row(out, "stop scope", c.get("stopScope") + ", stop timeout " + c.get("stopTimeout"));
    if (!Integer.valueOf(1).equals(c.get("backupConcurrency"))) {
      row(
          out,
          "concurrency",
          c.get("backupConcurrency") + " dumps/snapshots at once (BACKUP_CONCURRENCY)");
    }
    row(out, "hook timeout", c.get("hookTimeout"));
    List<?> notify = (List<?>) c.get("notifications");
    row(out, "notifications", notify.isEmpty() ? "none" : notify);
    Map<String, Object> repo = (Map<String, Object>) m.get("repository");
    out.println();
    out.println("Repository");
    row(out, "state", repo.get("state"));
    if (repo.containsKey("snapshots")) {
      row(
          out,
          "our snapshots",
          repo.get("snapshots")
              + (repo.get("latest") == null ? "" : " (latest " + repo.get("latest") + ")"));
    }
    if (repo.get("message") != null) {
      row(out, "message", repo.get("message"));
    }
    out.println();
    out.println("Targets in backup order: " + m.get("order"));
    List<Map<String, Object>> targets = (List<Map<String, Object>>) m.get("targets");
    if (targets.isEmpty()) {
      out.println("  (none: label containers with stack-back.volumes=true or a database label)");
    }
    int i = 1;
    for (Map<String, Object> t : targets) {
      target(out, i++, t);
    }
    List<String> hookOnly = (List<String>) m.get("hookOnly");
    if (!hookOnly.isEmpty()) {
      out.println("  hooks only: " + String.join(", ", hookOnly));
    }
    out.println();
    out.println("Hooks in execution order");
    Map<String, List<Map<String, Object>>> hooks =
        (Map<String, List<Map<String, Object>>>) m.get("hooks");
    hooks.forEach((stage, list) -> stage(out, stage, list));
    List<String> warnings = (List<String>) m.get("warnings");
    if (!warnings.isEmpty()) {
      out.println();
      out.println("Warnings");
      warnings.forEach(w -> out.println("  - " + w));
    }
    out.println();
    Map<String, Object> last = (Map<String, Object>) m.get("lastRun");
    out.println(
        last == null
            ? "Last run: none"
            : "Last run: "
                + last.get("state")
                + " at "
                + last.get("startedAt")
                + " ("
                + last.get("durationSeconds")
                + "s, exit "
                + last.get("exitCode")
                + (last.get("bytesAdded") instanceof Number n
                    ? ", " + Bytes.format(n.longValue()) + " added"
                    : "")
                + ")"
                + (last.get("error") == null ? "" : ": " + last.get("error"))
                + (last.get("reason") == null ? "" : ": " + last.get("reason")));
    if (last != null && last.get("anomalies") instanceof List<?> anomalies) {
      for (Object a : anomalies) {
        if (a instanceof Anomaly an) {
          out.println("  anomaly: " + an.message());
        }
      }
    }
    out.flush();
  }

  @SuppressWarnings("unchecked")
  private static void target(PrintWriter out, int i, Map<String, Object> t) {
    out.printf(
        "  %d. %s  [%s]%s%n",
        i,
        t.get("service"),
        String.join(", ", (List<String>) t.get("containers")),
        Boolean.TRUE.equals(t.get("stopDuringBackup")) ? "  stopped during its snapshot" : "");
    for (Map<String, Object> v : (List<Map<String, Object>>) t.get("volumes")) {
      out.printf(
          "       %-6s %s:%s -> %s%n",
          v.get("type"), v.get("name"), v.get("destination"), v.get("snapshotPath"));
    }
    Map<String, Object> db = (Map<String, Object>) t.get("database");
    if (db != null) {
      out.printf(
          "       %-6s %s (%s) -> %s  [%s]%n",
          "dump", db.get("kind"), db.get("dump"), db.get("snapshotPath"), db.get("detectedBy"));
      if (db.get("answers") != null) {
        out.printf(
            "       %-6s %s%s%n",
            "ping",
            Boolean.TRUE.equals(db.get("answers")) ? "answers" : "DOES NOT ANSWER",
            db.get("answer") == null || db.get("answer").toString().isEmpty()
                ? ""
                : " (" + db.get("answer") + ")");
      }
    }
    for (Map<String, Object> s : (List<Map<String, Object>>) t.get("skippedMounts")) {
      out.printf("       skip   %s: %s%n", s.get("destination"), s.get("reason"));
    }
  }

  private static void stage(PrintWriter out, String stage, List<Map<String, Object>> list) {
    out.println("  " + stage + ":" + (list.isEmpty() ? " (none)" : ""));
    int i = 1;
    for (Map<String, Object> h : list) {
      out.printf("    %d. %-22s %s%n", i++, h.get("hook"), h.get("cmd"));
      out.printf(
          "       runs in %s; on-error %s, %s, retries %s, timeout %s%s%s%n",
          h.get("runsIn"),
          h.get("onError"),
          h.get("mode"),
          h.get("retries"),
          h.get("timeout"),
          h.get("user") == null ? "" : ", user " + h.get("user"),
          h.get("lastOutcome") == null ? "" : "; last: " + h.get("lastOutcome"));
    }
  }

  private static void row(PrintWriter out, String key, Object value) {
    out.printf("  %-17s %s%n", key + ":", value);
  }

  private static Object blank(Object o) {
    return o == null || o.toString().isEmpty() ? "(none)" : o;
  }
}
