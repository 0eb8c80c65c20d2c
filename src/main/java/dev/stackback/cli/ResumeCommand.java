package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.state.PauseFile;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code stack-back resume}: end the pause of scheduled runs. */
@Command(
    name = "resume",
    mixinStandardHelpOptions = true,
    description = {
      "Ends the pause of scheduled runs (removes STATE_DIR/pause.json); the next scheduled backup"
          + " runs. Not paused is fine too.",
      "Exit 0, 1 when the file cannot be removed, 2 on invalid configuration."
    })
final class ResumeCommand implements Callable<Integer> {
  private final App app;

  @Spec CommandSpec spec;

  ResumeCommand(App app) {
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
    PauseFile file = new PauseFile(config.stateDir());
    try {
      PauseFile.State st = file.state(app.clock().instant());
      file.remove();
      out.println(
          switch (st) {
            case PauseFile.Active a ->
                "Resumed scheduled runs (was paused " + a.pause().describe() + ").";
            case PauseFile.Ended e ->
                "Scheduled runs were not paused: the pause "
                    + e.pause().describe()
                    + " had ended; removed it.";
            case PauseFile.Unreadable u ->
                "Removed an unreadable pause file (" + u.message() + "); scheduled runs go on.";
            case PauseFile.None n -> "Scheduled runs were not paused; nothing to do.";
          });
      out.flush();
      return 0;
    } catch (UncheckedIOException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 1;
    }
  }
}
