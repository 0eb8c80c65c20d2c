package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.config.Redaction;
import dev.stackback.state.FailureReport;
import dev.stackback.state.FailureReport.ContainerReport;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import dev.stackback.state.StepRecord;
import dev.stackback.util.Durations;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code stack-back runs show <id>}: one run with its steps and its failure report. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = {
      "Shows one run: its steps and, for a run that went wrong, its failure report (the step that",
      "decided it, its output, and the state, exit code, OOM flag, restart count, last log lines",
      "and engine events of the containers it acted on).",
      "Exit codes: 0 shown, 1 no such run, 2 invalid configuration."
    })
final class RunsShowCommand implements Callable<Integer> {
  private final App app;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RUN", description = "A run id, or 'latest'.")
  String id;

  @Option(names = "--json", description = "Print the run record as JSON.")
  boolean json;

  RunsShowCommand(App app) {
    this.app = app;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Config config;
    try {
      config = Session.config(app, err);
    } catch (Session.Exit e) {
      return e.code;
    }
    RunStore store = new RunStore(config.stateDir());
    Optional<RunRecord> run = "latest".equals(id) ? store.latest() : store.find(id);
    if (run.isEmpty()) {
      err.println("error: no run '" + id + "' in " + store.directory() + " (see: stack-back runs)");
      err.flush();
      return 1;
    }
    if (json) {
      Json.print(out, run.get());
    } else {
      out.print(text(run.get()));
      out.flush();
    }
    return 0;
  }

  /** The run as people read it. */
  static String text(RunRecord r) {
    StringBuilder b = new StringBuilder();
    b.append("Run ").append(r.id()).append(": ").append(r.state());
    b.append(r.exitCode() == null ? "" : " (exit " + r.exitCode() + ")").append('\n');
    b.append("Trigger:   ").append(r.trigger()).append('\n');
    b.append("Host:      ").append(r.host()).append('\n');
    b.append("Started:   ").append(r.startedAt()).append('\n');
    b.append("Ended:     ").append(r.endedAt() == null ? "-" : r.endedAt()).append('\n');
    b.append("Duration:  ").append(Durations.format(r.duration())).append('\n');
    if (r.error() != null) {
      b.append("Error:     ").append(clean(r.error())).append('\n');
    }
    if (r.reason() != null) {
      b.append("Reason:    ").append(r.reason()).append('\n');
    }
    if (!r.steps().isEmpty()) {
      b.append("\nSteps:\n");
      for (StepRecord s : r.steps()) {
        b.append(
            String.format(
                Locale.ROOT,
                "  %-11s %-10s %-30s %8s %s %s%n",
                s.kind(),
                s.outcome(),
                s.name(),
                Durations.formatMillis(s.durationMs()),
                s.exitCode() == null
                    ? "      "
                    : String.format(Locale.ROOT, "exit %-3d", s.exitCode()),
                s.message() == null ? "" : clean(s.message())));
      }
    }
    if (r.failure() != null) {
      failure(b, r.failure());
    }
    return b.toString();
  }

  private static void failure(StringBuilder b, FailureReport f) {
    b.append("\nFailure report\n");
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
    for (ContainerReport c : f.containers()) {
      b.append("\n  Container ")
          .append(c.name())
          .append(" (")
          .append(c.id().length() > 12 ? c.id().substring(0, 12) : c.id())
          .append("), acted on by ")
          .append(c.step())
          .append('\n');
      b.append("    State:         ")
          .append(c.status() == null ? "unknown" : c.status())
          .append('\n');
      b.append("    Exit code:     ")
          .append(c.exitCode() == null ? "-" : c.exitCode())
          .append('\n');
      b.append("    OOM killed:    ").append(c.oomKilled() ? "yes" : "no").append('\n');
      b.append("    Restart count: ").append(c.restartCount()).append('\n');
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
  }

  private static void lines(StringBuilder b, String title, String indent, List<String> lines) {
    if (lines.isEmpty()) {
      return;
    }
    b.append(title).append('\n');
    lines.forEach(l -> b.append(indent).append(Redaction.url(l)).append('\n'));
  }

  private static String clean(String s) {
    return Redaction.url(s).replace('\r', ' ').replace('\n', ' ');
  }
}
