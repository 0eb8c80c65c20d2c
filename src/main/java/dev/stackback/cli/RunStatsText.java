package dev.stackback.cli;

import dev.stackback.history.Distribution;
import dev.stackback.history.RunStats;
import dev.stackback.util.Bytes;
import dev.stackback.util.Durations;
import java.io.PrintWriter;
import java.util.Locale;

/** {@code runs --stats} as text. */
final class RunStatsText {
  private RunStatsText() {}

  static void render(PrintWriter out, RunStats s) {
    out.printf(
        "Last %d run(s): %d successful backup run(s) analysed, %d other(s) ignored"
            + " (failed, incomplete, skipped, restores)%n",
        s.runs(), s.used(), s.runs() - s.used());
    if (s.run() == null) {
      out.println("No successful backup run to analyse.");
    } else {
      out.println("Run duration: " + durations(s.run()));
      out.println();
      out.printf(
          "%-24s %4s %9s %9s %7s %11s %11s %11s%n",
          "SERVICE", "RUNS", "MEDIAN", "P95", "TREND", "ADDED", "ADDED/RUN", "LAST READ");
      for (RunStats.ServiceStats v : s.services()) {
        out.printf(
            "%-24s %4d %9s %9s %7s %11s %11s %11s%n",
            v.service(),
            v.durationMs().count(),
            Durations.formatMillis(v.durationMs().median()),
            Durations.formatMillis(v.durationMs().p95()),
            trend(v.durationMs()),
            Bytes.format(v.bytesAddedTotal()),
            v.bytesAdded() == null ? "-" : Bytes.format(v.bytesAdded().median()),
            v.lastBytesRead() == null ? "-" : Bytes.format(v.lastBytesRead()));
      }
      out.println();
      out.printf(
          "%-32s %-11s %4s %9s %9s %9s %7s %11s%n",
          "STEP", "KIND", "RUNS", "MEDIAN", "P95", "MAX", "TREND", "READ");
      for (RunStats.StepStats t : s.steps()) {
        out.printf(
            "%-32s %-11s %4d %9s %9s %9s %7s %11s%n",
            t.step(),
            t.kind(),
            t.durationMs().count(),
            Durations.formatMillis(t.durationMs().median()),
            Durations.formatMillis(t.durationMs().p95()),
            Durations.formatMillis(t.durationMs().max()),
            trend(t.durationMs()),
            t.bytesRead() == null ? "-" : Bytes.format(t.bytesRead().median()));
      }
      out.println();
      out.println("Slowest steps (by median duration):");
      int i = 1;
      for (RunStats.StepStats t : s.slowest()) {
        out.printf("  %d. %s: %s%n", i++, t.step(), durations(t.durationMs()));
      }
    }
    out.println();
    if (s.anomalies().isEmpty()) {
      out.println("Anomalies: none");
    } else {
      out.println("Anomalies:");
      for (RunStats.Flagged f : s.anomalies()) {
        out.println("  run " + f.runId() + ": " + f.anomaly().message());
      }
    }
    out.println();
    out.println(
        "READ and LAST READ: what snapshots and dumps read (a dump's size); TREND: the newer half of"
            + " the runs against the older half (median).");
    out.flush();
  }

  private static String durations(Distribution d) {
    return "median "
        + Durations.formatMillis(d.median())
        + ", p95 "
        + Durations.formatMillis(d.p95())
        + ", max "
        + Durations.formatMillis(d.max())
        + ", trend "
        + trend(d)
        + " over "
        + d.count()
        + " run(s)";
  }

  /** {@code +12%}, or {@code -} below 4 measurements. */
  static String trend(Distribution d) {
    return d.trendPercent() == null ? "-" : String.format(Locale.ROOT, "%+.0f%%", d.trendPercent());
  }
}
