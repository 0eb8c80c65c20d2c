package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.config.Redaction;
import dev.stackback.notify.Messages;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import dev.stackback.state.StepRecord;
import dev.stackback.util.Durations;
import java.io.PrintWriter;
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
      b.append('\n').append(Messages.failureReport(r.failure()));
    }
    return b.toString();
  }

  private static String clean(String s) {
    return Redaction.url(s).replace('\r', ' ').replace('\n', ' ');
  }
}
