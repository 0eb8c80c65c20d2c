package dev.stackback.cli;

import dev.stackback.engine.RunEngine;
import dev.stackback.plan.Plan;
import dev.stackback.plan.Target;
import dev.stackback.state.RunLock;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stack-back verify}: a restore drill of the latest backups, recorded as a run. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Restore drill: proves that the latest backups restore, without touching the stack.",
      "",
      "Volumes: each service's latest volume snapshot is restored with",
      "'restic restore --verify' into a scratch directory (removed afterwards),",
      "every file of 'restic ls' must be there with its size, and the 3 largest",
      "files must hash (sha256) like 'restic dump' of them.",
      "",
      "Databases: each service's latest dump is loaded into a scratch container",
      "made from the database container's own image (fresh credentials, no",
      "network, named stack-back-verify-<run id>-<service>, removed afterwards,",
      "also on failure or SIGTERM); it must load without error, then its tables",
      "and rows are counted. The real database container is never touched.",
      "",
      "Recorded as a run (trigger 'verify') with one step per drill; notified",
      "like a backup. The daemon runs it on VERIFY_SCHEDULE. It takes the same",
      "run lock as a backup: the two never overlap.",
      "",
      "Exit 0 every drill passed, 1 a drill failed, 2 invalid configuration,",
      "labels or --service, 5 another run is in progress."
    })
final class VerifyCommand implements Callable<Integer> {
  private final App app;

  @Spec CommandSpec spec;

  @Option(
      names = "--service",
      paramLabel = "SERVICE",
      description = "Only this compose service (repeatable); default: every backup target.")
  List<String> services = new ArrayList<>();

  VerifyCommand(App app) {
    this.app = app;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (Session s = Session.open(app, err)) {
      Plan plan = s.validPlan(err, "invalid labels");
      Set<String> wanted = new LinkedHashSet<>(services);
      Optional<String> unknown = unknownService(plan, wanted);
      if (unknown.isPresent()) {
        err.println("error: --service " + unknown.get());
        err.flush();
        return 2;
      }
      plan.warnings().forEach(w -> err.println("warning: " + w));
      BackupRunner runner = new BackupRunner(app);
      Path scratch = Path.of(System.getProperty("java.io.tmpdir"));
      // the lock is taken and released inside the SIGTERM guard: the JVM exits once the guarded
      // body returns, and a lock released after that would be left behind
      return BackupCommand.guarded(
          runner,
          () -> {
            // the same lock as a backup: a drill reads the repository the whole time
            Optional<RunLock> lock = BackupRunner.tryLock(s, "verify", err);
            if (lock.isEmpty()) {
              return BackupRunner.BUSY;
            }
            RunLock held = lock.get();
            try (held) {
              return runner.runLocked(
                  s, plan, (RunEngine e) -> e.verify(plan, wanted, scratch), out, err);
            }
          });
    } catch (Session.Exit e) {
      return e.code;
    }
  }

  /** Why a wanted service cannot be verified, or empty when all can. */
  static Optional<String> unknownService(Plan plan, Set<String> wanted) {
    for (String name : wanted) {
      Optional<Target> t = plan.targets().stream().filter(x -> x.name().equals(name)).findFirst();
      if (t.isEmpty()) {
        return Optional.of(
            "'"
                + name
                + "' is not a backup target (targets: "
                + String.join(", ", plan.targets().stream().map(Target::name).toList())
                + ")");
      }
      if (t.get().volumes().isEmpty() && t.get().dump().isEmpty()) {
        return Optional.of("'" + name + "' has no volumes or database dump to verify");
      }
    }
    return Optional.empty();
  }
}
