package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.label.Values;
import dev.stackback.state.Pause;
import dev.stackback.state.PauseFile;
import dev.stackback.util.Durations;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stack-back pause}: skip scheduled runs until {@code resume} or for a while. */
@Command(
    name = "pause",
    mixinStandardHelpOptions = true,
    description = {
      "Pauses scheduled runs: while paused, each scheduled backup is recorded as skipped and does"
          + " nothing, scheduled maintenance does not run; a manual backup still runs.",
      "The pause is kept in STATE_DIR/pause.json and survives restarts; a new pause replaces it.",
      "Exit 0, 1 when it cannot be written, 2 on a bad option or configuration."
    })
final class PauseCommand implements Callable<Integer> {
  private final App app;

  @Spec CommandSpec spec;

  @Option(
      names = "--for",
      paramLabel = "DURATION",
      description =
          "End the pause by itself after this long (e.g. 30m, 2h, 1d12h); default: never.")
  String duration;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why; shown by status and runs.")
  String reason;

  PauseCommand(App app) {
    this.app = app;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<Duration> length = Optional.empty();
    if (duration != null) {
      length = Values.parseDuration(duration);
      if (length.isEmpty()) {
        err.println(
            "error: --for: '" + duration + "' is not a positive duration (e.g. 30m, 2h, 1d12h)");
        err.flush();
        return 2;
      }
    }
    Config config;
    try {
      config = Session.config(app, err);
    } catch (Session.Exit e) {
      return e.code;
    }
    Instant now = app.clock().instant();
    PauseFile file = new PauseFile(config.stateDir());
    Pause pause;
    try {
      pause = new Pause(now, length.map(now::plus).orElse(null), reason, by(app));
    } catch (ArithmeticException | java.time.DateTimeException e) {
      err.println("error: --for: '" + duration + "' is too long");
      err.flush();
      return 2;
    }
    try {
      PauseFile.State before = file.state(now);
      file.write(pause);
      if (before instanceof PauseFile.Active a) {
        out.println("Replaced the pause " + a.pause().describe() + ".");
      }
    } catch (UncheckedIOException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 1;
    }
    out.println(
        "Paused scheduled runs "
            + pause.describe()
            + (length.isPresent() ? ", " + Durations.format(length.get()) + " from now" : "")
            + ".");
    out.println("A manual backup still runs; 'stack-back resume' ends the pause.");
    out.flush();
    return 0;
  }

  /** {@code user@host} of whoever runs this (in a container: its hostname). */
  static String by(App app) {
    String user = System.getProperty("user.name", "?");
    String host = app.env().getOrDefault("HOSTNAME", "");
    return host.isBlank() ? user : user + "@" + host;
  }
}
