package dev.stackback.cli;

import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stack-back check}: restic check of the repository. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description =
        "Checks the repository (restic check; CHECK_WITH_CACHE uses the cache). Exit 0 or 1.")
final class CheckCommand implements Callable<Integer> {
  private final App app;

  @Spec CommandSpec spec;

  @Option(
      names = "--read-data-subset",
      paramLabel = "SUBSET",
      description = "Also read this part of the data, e.g. 10% or 1/5 (restic's syntax).")
  String subset;

  CheckCommand(App app) {
    this.app = app;
  }

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    var err = spec.commandLine().getErr();
    try {
      var config = Session.config(app, err);
      app.restic(config).check(Optional.ofNullable(subset), Maintenance.log());
      out.println("check passed");
      out.flush();
      return 0;
    } catch (Session.Exit e) {
      return e.code;
    } catch (RuntimeException e) {
      err.println("error: check failed: " + e.getMessage());
      err.flush();
      return 1;
    }
  }
}
