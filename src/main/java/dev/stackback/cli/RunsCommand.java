package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.history.RunStats;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import dev.stackback.util.Bytes;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stack-back runs}: recent runs with success rate and average duration; with {@code --stats}
 * the history analysis of those runs ({@link RunStats}).
 */
@Command(
    name = "runs",
    mixinStandardHelpOptions = true,
    description =
        "Lists recent runs (newest first) with success rate and average duration; --stats analyses"
            + " them.")
final class RunsCommand implements Callable<Integer> {
  private final App app;

  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Option(
      names = {"-n", "--limit", "--last"},
      description = "How many runs (default: ${DEFAULT-VALUE}).")
  int limit = 20;

  @Option(
      names = "--stats",
      description =
          "Durations per service and step over the runs (median, p95, trend), the slowest steps,"
              + " bytes added per service, and the anomalies recorded.")
  boolean stats;

  RunsCommand(App app) {
    this.app = app;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Config config;
    try {
      config = Session.config(app, spec.commandLine().getErr());
    } catch (Session.Exit e) {
      return e.code;
    }
    List<RunRecord> runs = new RunStore(config.stateDir()).recent(Math.max(1, limit));
    if (stats) {
      RunStats st = RunStats.of(runs);
      if (json) {
        Json.print(out, st);
      } else {
        RunStatsText.render(out, st);
      }
      return 0;
    }
    Map<String, Object> m = summary(runs);
    if (json) {
      m.put("runs", runs.stream().map(StatusModel::run).toList());
      Json.print(out, m);
      return 0;
    }
    if (runs.isEmpty()) {
      out.println("No runs recorded in " + config.stateDir() + ".");
      out.flush();
      return 0;
    }
    out.printf(
        "%-26s %-9s %-11s %-25s %9s %4s %9s  %s%n",
        "RUN", "TRIGGER", "STATE", "STARTED", "DURATION", "EXIT", "ADDED", "ERROR");
    for (RunRecord r : runs) {
      Long added = StatusModel.bytesAdded(r);
      out.printf(
          "%-26s %-9s %-11s %-25s %9s %4s %9s  %s%n",
          r.id(),
          r.trigger(),
          r.state(),
          r.startedAt(),
          r.duration() == null ? "-" : String.format("%.1fs", r.duration().toMillis() / 1000.0),
          r.exitCode() == null ? "-" : r.exitCode(),
          added == null ? "-" : Bytes.format(added),
          r.error() != null ? r.error() : r.reason() == null ? "" : r.reason());
    }
    out.printf(
        "%nLast %d run(s): success rate %s, average duration %s%n",
        runs.size(),
        m.get("successRate") == null
            ? "-"
            : String.format("%.0f%%", 100 * (double) m.get("successRate")),
        m.get("averageDurationSeconds") == null
            ? "-"
            : String.format("%.1fs", (double) m.get("averageDurationSeconds")));
    out.flush();
    return 0;
  }

  /**
   * Success rate and average duration over the ended runs; skipped runs (paused) are counted apart,
   * neither a success nor a failure.
   */
  static Map<String, Object> summary(List<RunRecord> runs) {
    long skipped = runs.stream().filter(r -> RunRecord.SKIPPED.equals(r.state())).count();
    List<RunRecord> ended =
        runs.stream()
            .filter(r -> r.endedAt() != null && !RunRecord.SKIPPED.equals(r.state()))
            .toList();
    long ok = ended.stream().filter(r -> RunRecord.SUCCEEDED.equals(r.state())).count();
    double avg =
        ended.stream()
            .map(RunRecord::duration)
            .filter(Objects::nonNull)
            .mapToLong(Duration::toMillis)
            .average()
            .orElse(Double.NaN);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", runs.size());
    m.put("ended", ended.size());
    m.put("succeeded", ok);
    m.put("skipped", skipped);
    m.put("successRate", ended.isEmpty() ? null : (double) ok / ended.size());
    m.put("averageDurationSeconds", Double.isNaN(avg) ? null : avg / 1000.0);
    return m;
  }
}
