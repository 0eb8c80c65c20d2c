package dev.stackback.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code stack-back maintenance}: what the Python tool's {@code rcb maintenance} does and SPEC 2
 * calls maintenance: forget per {@code RESTIC_KEEP_*} (scoped), prune, then check.
 */
@Command(
    name = "maintenance",
    mixinStandardHelpOptions = true,
    description = {
      "Forgets old snapshots per RESTIC_KEEP_* (this host's, tag stack-back, grouped by host and"
          + " paths), prunes, then checks the repository (restic check; CHECK_WITH_CACHE).",
      "What the daemon runs on MAINTENANCE_SCHEDULE. Exit 0, 1 failed, 5 a run is in progress."
    })
final class MaintenanceCommand implements Callable<Integer> {
  private final App app;

  @Spec CommandSpec spec;

  MaintenanceCommand(App app) {
    this.app = app;
  }

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    try {
      var config = Session.config(app, err);
      return Maintenance.run(app, config, spec.commandLine().getOut(), err);
    } catch (Session.Exit e) {
      return e.code;
    }
  }
}
