package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.notify.Pinger;
import dev.stackback.plan.Plan;
import dev.stackback.port.Restic;
import dev.stackback.state.RunRecord;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stack-back backup}: one run now. */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Runs one backup now: pre hooks, stop, back up, start, post/error/finally hooks.",
      "Exit 0 ok, 1 failed, 2 invalid configuration or labels, 3 a snapshot incomplete,",
      "4 a container could not be restarted, 5 another run is in progress.",
      "A scheduled run (the daemon's) while paused (see pause) is recorded as skipped, exit 0."
    })
final class BackupCommand implements Callable<Integer> {
  /** How long a SIGTERM waits for the run to start containers and run its hooks. */
  static final Duration SHUTDOWN_GRACE = Duration.ofMinutes(5);

  private static final Logger LOG = LoggerFactory.getLogger("stack-back.daemon");

  private final App app;

  @Spec CommandSpec spec;

  @Option(names = "--dry-run", description = "Print the ordered steps and touch nothing.")
  boolean dryRun;

  /** {@code schedule} when the daemon runs this backup in its child process. */
  @Option(
      names = "--trigger",
      hidden = true,
      defaultValue = "manual",
      description = "Who started the run: manual, or schedule (the daemon's child).")
  String trigger;

  BackupCommand(App app) {
    this.app = app;
  }

  @Override
  public Integer call() {
    try {
      return backup();
    } finally {
      EarlyBackup.discard(app); // started by Main and not taken: this command did not run
    }
  }

  private int backup() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!trigger.equals("manual") && !trigger.equals("schedule")) {
      err.println("error: --trigger is manual or schedule, not '" + trigger + "'");
      err.flush();
      return 2;
    }
    Config config;
    try {
      config = Session.config(app, err);
    } catch (Session.Exit e) {
      return e.code;
    }
    if (!dryRun) {
      // paused: a scheduled run only leaves its skipped record (no Docker, no locks, no restic)
      Optional<RunRecord> skipped = ScheduledPause.skip(config, trigger, app.clock().instant());
      if (skipped.isPresent()) {
        out.println("Run " + skipped.get().id() + ": skipped: " + skipped.get().reason());
        out.flush();
        Pinger.from(config).ended(skipped.get()); // a pause is no failure
        return 0;
      }
    }
    if (dryRun) {
      return dryRun(config, out, err);
    }
    Pinger pinger = Pinger.from(config);
    pinger.started("stack-back backup (" + trigger + ") starting");
    int code = run(config, trigger, out, err, pinger);
    if (code != 0) {
      // a run with a record has sent its end already; this is one that never got that far
      pinger.failedWithoutRecord(
          "stack-back backup ("
              + trigger
              + ") ended with exit code "
              + code
              + (code == BackupRunner.BUSY ? ": another run was in progress" : " before it ran"));
    }
    return code;
  }

  /** {@code --dry-run}: the ordered steps of the plan, nothing touched. */
  private int dryRun(Config config, PrintWriter out, PrintWriter err) {
    try (Session s = Session.connect(app, config, err)) {
      Plan plan = s.discover(err).validPlan(err, "invalid labels");
      plan.warnings().forEach(w -> err.println("warning: " + w));
      DryRun.lines(plan, s.config).forEach(out::println);
      out.flush();
      return 0;
    } catch (Session.Exit e) {
      return e.code;
    }
  }

  private int run(Config config, String trigger, PrintWriter out, PrintWriter err, Pinger pinger) {
    // restic's start-up and key derivation overlap with connecting, locking and planning; for a
    // plain backup both began before picocli
    EarlyBackup work = EarlyBackup.take(app, config);
    Restic restic = work.restic;
    try (Session s = work.session(err)) {
      BackupRunner runner = new BackupRunner(app, pinger);
      boolean scheduled = trigger.equals("schedule");
      return guarded(
          runner,
          () ->
              runner.backup(
                  s,
                  restic,
                  trigger,
                  out,
                  err,
                  w -> {
                    if (scheduled) {
                      LOG.warn("{}", w); // the daemon's log, as when it ran in-process
                    } else {
                      err.println("warning: " + w);
                      err.flush();
                    }
                  }));
    } catch (Session.Exit e) {
      return e.code;
    } finally {
      work.check.close(); // no restic process outlives the command
    }
  }

  /**
   * Runs {@code body} with a shutdown hook that cancels {@code runner}'s run on SIGTERM and waits
   * up to {@link #SHUTDOWN_GRACE} for it to restart containers and run its hooks.
   */
  static int guarded(BackupRunner runner, IntSupplier body) {
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              runner.cancel();
              try {
                done.await(SHUTDOWN_GRACE.toSeconds(), TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "stack-back-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return body.getAsInt();
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting because of a signal; the hook is already running
      }
    }
  }
}
