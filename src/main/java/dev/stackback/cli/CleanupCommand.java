package dev.stackback.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

  /** The daemon's scheduled maintenance in its child process: cleanup, then check. */
  @Option(names = "--maintenance", hidden = true, description = "cleanup, then check")
  boolean maintenance;

  CleanupCommand(App app) {
    this.app = app;
  }

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    try {
      var config = Session.config(app, err);
      var out = spec.commandLine().getOut();
      return maintenance
          ? Maintenance.run(app, config, out, err)
          : Maintenance.cleanup(app, config, out, err);
    } catch (Session.Exit e) {
      return e.code;
    }
  }
}
