package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.notify.Messages;
import dev.stackback.notify.Notifier;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code stack-back alert}: a test notification to every configured channel. */
@Command(
    name = "alert",
    mixinStandardHelpOptions = true,
    description = {
      "Sends a test notification to every configured channel (EMAIL_*, DISCORD_WEBHOOK,",
      "NOTIFY_URLS) and prints ok/failed per channel.",
      "Exit 0 all ok, 1 a channel failed or none is configured, 2 invalid configuration."
    })
final class AlertCommand implements Callable<Integer> {
  private final App app;

  @Spec CommandSpec spec;

  AlertCommand(App app) {
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
    Notifier notifier = app.notifier(config);
    if (!notifier.configured()) {
      err.println(
          "error: no notification channel is configured; set EMAIL_HOST and EMAIL_SEND_TO,"
              + " DISCORD_WEBHOOK or NOTIFY_URLS");
      err.flush();
      return 1;
    }
    String host = config.backupHost().orElse("stack-back");
    List<Notifier.Result> results = notifier.send(Messages.test(host, app.clock().instant()));
    for (Notifier.Result r : results) {
      out.println(r.channel() + ": " + (r.ok() ? "ok" : "failed: " + r.error()));
    }
    long failed = results.stream().filter(r -> !r.ok()).count();
    out.println(
        failed == 0
            ? "all " + results.size() + " channel(s) ok"
            : failed + " of " + results.size() + " channel(s) failed");
    out.flush();
    return failed == 0 ? 0 : 1;
  }
}
