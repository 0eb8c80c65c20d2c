package dev.stackback.notify;

import dev.stackback.config.Redaction;
import dev.stackback.state.Anomaly;
import dev.stackback.state.DecisiveStep;
import dev.stackback.state.FailureReport;
import dev.stackback.state.FailureReport.ContainerReport;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import dev.stackback.util.Durations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Builds notifications from run records: what failed, and the tail of the output of the step that
 * decided the run's outcome ({@link #decisiveStep}). Pure; URLs with credentials in step output are
 * redacted.
 */
public final class Messages {
  /** Lines of output a message quotes from the step that decided the run. */
  public static final int TAIL_LINES = 20;

  /** Discord's limit for a message's {@code content}. */
  public static final int DISCORD_LIMIT = 2000;

  private static final int LINE_LIMIT = 400;

  private Messages() {}

  /** The notification for a finished run. */
  public static Notification forRun(RunRecord r) {
    return new Notification(subject(r), text(r), discord(r), document(r));
  }

  /** The notification {@code stack-back alert} sends. */
  public static Notification test(String host, Instant at) {
    String text =
        "This is a test notification from stack-back on host '"
            + host
            + "' (stack-back alert), sent at "
            + at
            + ". If you read this, notifications reach you.";
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("event", "test");
    doc.put("host", host);
    doc.put("sentAt", at.toString());
    doc.put("summary", text);
    return new Notification(
        "[stack-back] test notification from " + host,
        text + "\n",
        "**stack-back: test notification** from `" + host + "`\n" + text,
        doc);
  }

  /** Steps that went wrong: failed, timed out or incomplete. */
  public static List<StepRecord> failedSteps(RunRecord r) {
    return DecisiveStep.wrong(r);
  }

  /** What the run was, for people: a backup, an in-place restore or a restore drill. */
  static String what(RunRecord r) {
    return switch (r.trigger() == null ? "" : r.trigger()) {
      case "restore" -> "restore";
      case "verify" -> "restore drill";
      default -> "backup";
    };
  }

  static String subject(RunRecord r) {
    return "[stack-back] "
        + what(r)
        + " "
        + r.state()
        + withAnomalies(r)
        + " on "
        + r.host()
        + " (run "
        + r.id()
        + ")";
  }

  /** {@code " with 2 anomalies"}, or "" for a run without. */
  static String withAnomalies(RunRecord r) {
    int n = r.anomalies().size();
    return n == 0 ? "" : " with " + n + (n == 1 ? " anomaly" : " anomalies");
  }

  /** One line: state, host, exit code and the first error. */
  static String summary(RunRecord r) {
    return "stack-back "
        + what(r)
        + " "
        + r.state()
        + withAnomalies(r)
        + " on host '"
        + r.host()
        + "' (run "
        + r.id()
        + ", exit "
        + r.exitCode()
        + ")"
        + (r.error() == null ? "" : ": " + clean(r.error()));
  }

  static String text(RunRecord r) {
    StringBuilder b = new StringBuilder();
    b.append(summary(r)).append("\n\n");
    b.append("Run:       ").append(r.id()).append('\n');
    b.append("State:     ").append(r.state()).append(" (exit ").append(r.exitCode()).append(")\n");
    b.append("Trigger:   ").append(r.trigger()).append('\n');
    b.append("Host:      ").append(r.host()).append('\n');
    b.append("Started:   ").append(r.startedAt()).append('\n');
    b.append("Ended:     ").append(r.endedAt()).append('\n');
    b.append("Duration:  ").append(Durations.format(r.duration())).append('\n');
    if (r.error() != null) {
      b.append("Error:     ").append(clean(r.error())).append('\n');
    }
    if (!r.anomalies().isEmpty()) {
      b.append("\nAnomalies (much smaller or slower than usual):\n");
      r.anomalies().forEach(a -> b.append("  - ").append(clean(a.message())).append('\n'));
    }
    List<StepRecord> failed = failedSteps(r);
    if (!failed.isEmpty()) {
      b.append("\nFailed steps:\n");
      failed.forEach(s -> b.append("  - ").append(describe(s)).append('\n'));
    }
    decisiveTail(r)
        .ifPresent(
            s -> {
              b.append("\nOutput of ").append(s.name()).append(" (last lines):\n");
              tail(s).forEach(l -> b.append("  ").append(l).append('\n'));
            });
    if (r.failure() != null && !r.failure().containers().isEmpty()) {
      b.append("\nContainers of ").append(r.failure().step()).append(":\n");
      b.append(containers(r.failure()).replaceFirst("^\n", "")).append('\n');
    }
    if (!r.steps().isEmpty()) {
      b.append("\nAll steps:\n");
      for (StepRecord s : r.steps()) {
        b.append(
            String.format(
                Locale.ROOT,
                "  %-11s %-10s %-30s %8s  %s%n",
                s.kind(),
                s.outcome(),
                s.name(),
                Durations.formatMillis(s.durationMs()),
                s.message() == null ? "" : clean(s.message())));
      }
    }
    return b.toString();
  }

  /** Markdown for Discord, at most {@link #DISCORD_LIMIT} characters. */
  static String discord(RunRecord r) {
    StringBuilder head = new StringBuilder();
    head.append("**stack-back: ")
        .append(what(r))
        .append(" ")
        .append(r.state())
        .append(withAnomalies(r))
        .append("** on `")
        .append(r.host())
        .append("` (run `")
        .append(r.id())
        .append("`, exit ")
        .append(r.exitCode())
        .append(", ")
        .append(Durations.format(r.duration()))
        .append(")\n");
    if (r.error() != null) {
      head.append("Error: ").append(clean(r.error())).append('\n');
    }
    r.anomalies().forEach(a -> head.append("- anomaly: ").append(clean(a.message())).append('\n'));
    List<StepRecord> failed = failedSteps(r);
    for (StepRecord s : failed) {
      head.append("- ").append(describe(s)).append('\n');
    }
    if (r.failure() != null) {
      for (ContainerReport c : r.failure().containers()) {
        head.append("- container ").append(clean(containerLine(c))).append('\n');
      }
    }
    Optional<StepRecord> withTail = decisiveTail(r);
    if (withTail.isEmpty()) {
      return cap(head.toString().stripTrailing(), DISCORD_LIMIT);
    }
    String intro = "Output of `" + withTail.get().name() + "`:\n```\n";
    String close = "```";
    int budget = DISCORD_LIMIT - head.length() - intro.length() - close.length();
    List<String> lines = tail(withTail.get());
    // keep the last lines that fit: the end of the output is where the error is
    List<String> kept = new ArrayList<>();
    int used = 0;
    for (int i = lines.size() - 1; i >= 0; i--) {
      String l = lines.get(i).replace("```", "'''") + "\n";
      if (used + l.length() > budget) {
        break;
      }
      kept.add(0, l);
      used += l.length();
    }
    if (kept.isEmpty()) {
      return cap(head.toString().stripTrailing(), DISCORD_LIMIT);
    }
    return head + intro + String.join("", kept) + close;
  }

  static Map<String, Object> document(RunRecord r) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("event", "run");
    doc.put("runId", r.id());
    doc.put("state", r.state());
    doc.put("trigger", r.trigger());
    doc.put("host", r.host());
    doc.put("startedAt", r.startedAt() == null ? null : r.startedAt().toString());
    doc.put("endedAt", r.endedAt() == null ? null : r.endedAt().toString());
    doc.put("durationSeconds", r.duration() == null ? null : r.duration().toMillis() / 1000.0);
    doc.put("exitCode", r.exitCode());
    doc.put("error", r.error() == null ? null : clean(r.error()));
    doc.put("summary", summary(r));
    doc.put("decisiveStep", decisiveStep(r).map(StepRecord::name).orElse(null));
    List<Map<String, Object>> steps = new ArrayList<>();
    for (StepRecord s : failedSteps(r)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", s.name());
      m.put("kind", s.kind());
      m.put("stage", s.stage());
      m.put("service", s.service());
      m.put("outcome", s.outcome());
      m.put("exitCode", s.exitCode());
      m.put("message", s.message() == null ? null : clean(s.message()));
      m.put("tail", tail(s));
      steps.add(m);
    }
    doc.put("failedSteps", steps);
    List<Map<String, Object>> anomalies = new ArrayList<>();
    for (Anomaly a : r.anomalies()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("type", a.type());
      m.put("step", a.step());
      m.put("service", a.service());
      m.put("value", a.value());
      m.put("median", a.median());
      m.put("priorRuns", a.priorRuns());
      m.put("message", clean(a.message()));
      anomalies.add(m);
    }
    doc.put("anomalies", anomalies);
    doc.put("failure", r.failure() == null ? null : failureDocument(r.failure()));
    return doc;
  }

  private static Map<String, Object> failureDocument(FailureReport f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("step", f.step());
    m.put("kind", f.kind());
    m.put("exitCode", f.exitCode());
    m.put("tail", f.tail().stream().map(Messages::clean).toList());
    List<Map<String, Object>> containers = new ArrayList<>();
    for (ContainerReport c : f.containers()) {
      Map<String, Object> cm = new LinkedHashMap<>();
      cm.put("name", c.name());
      cm.put("id", c.id());
      cm.put("step", c.step());
      cm.put("status", c.status());
      cm.put("exitCode", c.exitCode());
      cm.put("oomKilled", c.oomKilled());
      cm.put("restartCount", c.restartCount());
      cm.put("health", c.health());
      cm.put("error", c.error() == null ? null : clean(c.error()));
      cm.put("logTail", c.logTail().stream().map(Messages::clean).toList());
      cm.put("events", c.events().stream().map(Messages::clean).toList());
      containers.add(cm);
    }
    m.put("containers", containers);
    m.put("notes", f.notes());
    return m;
  }

  /**
   * A failure report as people read it: the deciding step, its output, and each container's state,
   * exit code, OOM flag, restart count, health, last log lines and engine events.
   */
  public static String failureReport(FailureReport f) {
    StringBuilder b = new StringBuilder("Failure report\n");
    b.append("  Step:      ")
        .append(f.step())
        .append(" (")
        .append(f.kind())
        .append(", ")
        .append(f.outcome())
        .append(f.exitCode() == null ? "" : ", exit " + f.exitCode())
        .append(")\n");
    if (f.message() != null && !f.message().isBlank()) {
      b.append("  Message:   ").append(clean(f.message())).append('\n');
    }
    lines(b, "  Output (last lines):", "    ", f.tail());
    return b.append(containers(f)).toString();
  }

  /** The containers of a failure report and its notes, as people read them. */
  static String containers(FailureReport f) {
    StringBuilder b = new StringBuilder();
    for (ContainerReport c : f.containers()) {
      b.append("\n  Container ")
          .append(c.name())
          .append(" (")
          .append(c.id().length() > 12 ? c.id().substring(0, 12) : c.id())
          .append("), acted on by ")
          .append(c.step())
          .append('\n');
      b.append("    State:         ").append(c.status() == null ? "unknown" : c.status());
      b.append("\n    Exit code:     ").append(c.exitCode() == null ? "-" : c.exitCode());
      b.append("\n    OOM killed:    ").append(c.oomKilled() ? "yes" : "no");
      b.append("\n    Restart count: ").append(c.restartCount()).append('\n');
      if (c.health() != null) {
        b.append("    Health:        ").append(c.health()).append('\n');
      }
      if (c.error() != null) {
        b.append("    Engine error:  ").append(clean(c.error())).append('\n');
      }
      lines(b, "    Log (last lines):", "      ", c.logTail());
      lines(b, "    Engine events during the run:", "      ", c.events());
    }
    lines(b, "\n  Not gathered:", "    - ", f.notes());
    return b.toString();
  }

  private static void lines(StringBuilder b, String title, String indent, List<String> lines) {
    if (lines.isEmpty()) {
      return;
    }
    b.append(title).append('\n');
    lines.forEach(l -> b.append(indent).append(Redaction.url(l)).append('\n'));
  }

  /** One line per container of a failure report: {@code web: exited, exit 137, OOM killed}. */
  static String containerLine(ContainerReport c) {
    return c.name()
        + ": "
        + (c.status() == null ? "state unknown" : c.status())
        + (c.exitCode() == null ? "" : ", exit " + c.exitCode())
        + (c.oomKilled() ? ", OOM killed" : "")
        + (c.restartCount() > 0 ? ", restarted " + c.restartCount() + "x" : "")
        + (c.health() == null ? "" : ", " + c.health());
  }

  /** The step that decided the run's outcome: see {@link DecisiveStep#of}. */
  public static Optional<StepRecord> decisiveStep(RunRecord r) {
    return DecisiveStep.of(r);
  }

  /** The decisive step, when it has output to quote. */
  private static Optional<StepRecord> decisiveTail(RunRecord r) {
    return decisiveStep(r).filter(s -> !s.tail().isEmpty());
  }

  private static List<String> tail(StepRecord s) {
    List<String> t = s.tail();
    return t.subList(Math.max(0, t.size() - TAIL_LINES), t.size()).stream()
        .map(Messages::clean)
        .toList();
  }

  private static String describe(StepRecord s) {
    return s.name()
        + " ("
        + s.kind()
        + "): "
        + s.outcome()
        + (s.exitCode() == null ? "" : ", exit " + s.exitCode())
        + (s.message() == null || s.message().isBlank() ? "" : ": " + clean(s.message()));
  }

  /** One line, credentials in URLs hidden, at most {@link #LINE_LIMIT} characters. */
  private static String clean(String s) {
    return cap(Redaction.url(s).replace('\r', ' ').replace('\n', ' '), LINE_LIMIT);
  }

  static String cap(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
