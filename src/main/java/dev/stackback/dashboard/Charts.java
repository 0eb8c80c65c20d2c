package dev.stackback.dashboard;

import static dev.stackback.dashboard.Html.esc;

import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import dev.stackback.util.Bytes;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Inline SVG charts (no library, no script): a run's steps as a Gantt chart, bar series. */
final class Charts {
  private Charts() {}

  private static final int LABEL_W = 170;
  private static final int W = 760;
  private static final int ROW = 18;

  /**
   * The steps of {@code r} on a time axis, one row each, coloured by outcome; the time each
   * service's containers were down (from its {@code stop} step to its {@code start} step) is a
   * shaded band across the chart, labelled with the service.
   */
  static String gantt(RunRecord r) {
    List<StepRecord> steps = r.steps().stream().filter(s -> s.startedAt() != null).toList();
    if (steps.isEmpty()) {
      return "<p class=\"muted\">No steps recorded.</p>";
    }
    Instant t0 = r.startedAt() != null ? r.startedAt() : steps.get(0).startedAt();
    long end = 1;
    for (StepRecord s : steps) {
      end = Math.max(end, ms(t0, s.startedAt()) + s.durationMs());
    }
    if (r.endedAt() != null) {
      end = Math.max(end, ms(t0, r.endedAt()));
    }
    int h = 24 + steps.size() * ROW;
    double scale = (W - LABEL_W - 10) / (double) end;
    StringBuilder b = new StringBuilder();
    b.append("<svg viewBox=\"0 0 ")
        .append(W)
        .append(' ')
        .append(h)
        .append("\" role=\"img\" aria-label=\"steps of run ")
        .append(esc(r.id()))
        .append("\">");
    // stop windows first, under the bars
    Map<String, Instant> stoppedAt = new HashMap<>();
    for (StepRecord s : steps) {
      if ("stop".equals(s.kind()) && s.service() != null) {
        stoppedAt.putIfAbsent(s.service(), s.startedAt());
      } else if ("start".equals(s.kind()) && stoppedAt.containsKey(s.service())) {
        Instant from = stoppedAt.remove(s.service());
        window(b, s.service(), ms(t0, from), ms(t0, s.startedAt()) + s.durationMs(), scale, h);
      }
    }
    for (Map.Entry<String, Instant> e : stoppedAt.entrySet()) {
      // stopped and never started again in this record: down until the end
      window(b, e.getKey() + " (not started)", ms(t0, e.getValue()), end, scale, h);
    }
    int y = 20;
    for (StepRecord s : steps) {
      double x = LABEL_W + ms(t0, s.startedAt()) * scale;
      double w = Math.max(2, s.durationMs() * scale);
      b.append("<text x=\"4\" y=\"")
          .append(y + 12)
          .append("\">")
          .append(esc(clip(s.name(), 26)))
          .append("</text><rect x=\"")
          .append(fmt(x))
          .append("\" y=\"")
          .append(y + 2)
          .append("\" width=\"")
          .append(fmt(w))
          .append("\" height=\"")
          .append(ROW - 5)
          .append("\" rx=\"2\" fill=\"")
          .append(colour(s.outcome()))
          .append("\"><title>")
          .append(esc(s.name() + ": " + s.outcome() + ", " + Html.duration(ms(s.durationMs()))))
          .append("</title></rect>");
      y += ROW;
    }
    b.append("<text x=\"")
        .append(LABEL_W)
        .append("\" y=\"12\" fill=\"#718096\">0</text><text x=\"")
        .append(W - 4)
        .append("\" y=\"12\" text-anchor=\"end\" fill=\"#718096\">")
        .append(esc(Html.duration(ms(end))))
        .append("</text></svg>");
    return b.toString();
  }

  private static void window(
      StringBuilder b, String service, long from, long to, double scale, int h) {
    double x = LABEL_W + from * scale;
    b.append("<rect class=\"stop\" x=\"")
        .append(fmt(x))
        .append("\" y=\"16\" width=\"")
        .append(fmt(Math.max(2, (to - from) * scale)))
        .append("\" height=\"")
        .append(h - 16)
        .append("\" fill=\"#f6ad55\" fill-opacity=\"0.22\"><title>")
        .append(esc(service + " down for " + Html.duration(ms(to - from))))
        .append("</title></rect><text x=\"")
        .append(fmt(x + 2))
        .append("\" y=\"")
        .append(h - 3)
        .append("\" fill=\"#c05621\">")
        .append(esc(clip(service, 20) + " down"))
        .append("</text>");
  }

  /** One point of a per-service series: a run's start and a value (null: not measured). */
  record Point(Instant at, String runId, Long value) {}

  /**
   * Bars of {@code points} (oldest left), each linking to its run, the highest labelled; {@code
   * bytes} formats values as sizes, else as milliseconds.
   */
  static String bars(String title, List<Point> points, boolean bytes) {
    long max = 1;
    for (Point p : points) {
      if (p.value() != null) {
        max = Math.max(max, p.value());
      }
    }
    int w = 360;
    int h = 90;
    int n = Math.max(1, points.size());
    // a few runs make narrow bars, not blocks
    double bw = Math.min(24, (w - 8) / (double) n);
    StringBuilder b = new StringBuilder();
    b.append("<svg viewBox=\"0 0 ")
        .append(w)
        .append(' ')
        .append(h)
        .append("\" role=\"img\" aria-label=\"")
        .append(esc(title))
        .append("\"><text x=\"2\" y=\"11\" fill=\"#4a5568\">")
        .append(esc(title + " (max " + label(max, bytes) + ")"))
        .append("</text><line x1=\"0\" y1=\"")
        .append(h - 1)
        .append("\" x2=\"")
        .append(w)
        .append("\" y2=\"")
        .append(h - 1)
        .append("\" stroke=\"#cbd5e0\"/>");
    int i = 0;
    for (Point p : points) {
      if (p.value() != null) {
        double bh = Math.max(1, (h - 18) * p.value() / (double) max);
        b.append("<a href=\"/runs/")
            .append(esc(Html.seg(p.runId())))
            .append("\"><rect x=\"")
            .append(fmt(4 + i * bw))
            .append("\" y=\"")
            .append(fmt(h - 1 - bh))
            .append("\" width=\"")
            .append(fmt(Math.max(1, bw - 2)))
            .append("\" height=\"")
            .append(fmt(bh))
            .append("\" fill=\"#4299e1\"><title>")
            .append(esc(Html.time(p.at()) + ": " + label(p.value(), bytes)))
            .append("</title></rect></a>");
      }
      i++;
    }
    return b.append("</svg>").toString();
  }

  private static String label(long v, boolean bytes) {
    return bytes ? Bytes.format(v) : Html.duration(ms(v));
  }

  private static String colour(String outcome) {
    return switch (outcome == null ? "" : outcome) {
      case "ok" -> "#38a169";
      case "failed", "timeout" -> "#e53e3e";
      case "skipped" -> "#a0aec0";
      default -> "#d69e2e";
    };
  }

  private static long ms(Instant from, Instant to) {
    return Math.max(0, Duration.between(from, to).toMillis());
  }

  private static Duration ms(long ms) {
    return Duration.ofMillis(ms);
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  private static String clip(String s, int n) {
    if (s == null) {
      return "";
    }
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }
}
