package dev.stackback.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code stack-back cleanup}: scoped forget + prune. */
@Command(
    name = "cleanup",
    mixinStandardHelpOptions = true,
    description = {
      "Forgets old snapshots per RESTIC_KEEP_*, then prunes.",
      "Only this host's snapshots with the stack-back tag, grouped by host and paths.",
      "Exit 0, 1 failed, 5 a run is in progress."
    })
final class CleanupCommand implements Callable<Integer> {
  private final App app;

  @Spec CommandSpec spec;

  CleanupCommand(App app) {
    this.app = app;
  }

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    try {
      return Maintenance.cleanup(app, Session.config(app, err), spec.commandLine().getOut(), err);
    } catch (Session.Exit e) {
      return e.code;
    }
  }
}
