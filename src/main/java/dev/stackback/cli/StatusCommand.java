package dev.stackback.cli;

import dev.stackback.plan.Plan;
import dev.stackback.port.ResticException;
import dev.stackback.port.Snapshot;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.io.PrintWriter;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stack-back status}: what a backup would do, computed from the live containers. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Shows what a backup would do, computed from the running containers.",
      "Configuration (secrets redacted), repository, targets in backup order with volumes ->",
      "snapshot paths and databases (each pinged inside its container: does it answer?),",
      "hooks per stage in execution order, warnings, last run.",
      "Exit 0, or 2 on invalid configuration or labels."
    })
final class StatusCommand implements Callable<Integer> {
  private final App app;

  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  StatusCommand(App app) {
    this.app = app;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (Session s = Session.open(app, err)) {
      if (s.plan.plan().isEmpty()) {
        if (json) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("errors", StatusModel.problems(s.plan.errors()));
          m.put("warnings", StatusModel.problems(s.plan.warnings()));
          Json.print(out, m);
        }
        Session.printProblems(err, "invalid labels", s.plan.errors());
        return 2;
      }
      Plan plan = s.plan.plan().get();
      Optional<RunRecord> last = new RunStore(s.config.stateDir()).latest();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("config", StatusModel.config(s.config, ZonedDateTime.now(app.clock())));
      m.put("repository", repository(s, plan));
      m.putAll(StatusModel.plan(plan, last, DatabasePings.check(s.runtime, plan)));
      m.put("warnings", StatusModel.problems(plan.warnings()));
      m.put("lastRun", last.map(StatusModel::run).orElse(null));
      if (json) {
        Json.print(out, m);
      } else {
        StatusText.render(out, m);
      }
      return 0;
    } catch (Session.Exit e) {
      return e.code;
    }
  }

  private Map<String, Object> repository(Session s, Plan plan) {
    Map<String, Object> m = new LinkedHashMap<>();
    try {
      List<Snapshot> snaps = app.restic(s.config).snapshots(plan.host(), List.of("stack-back"));
      m.put("state", "ok");
      m.put("snapshots", snaps.size());
      m.put(
          "latest",
          snaps.stream()
              .map(Snapshot::time)
              .max(java.util.Comparator.naturalOrder())
              .map(Object::toString)
              .orElse(null));
    } catch (ResticException e) {
      m.put(
          "state",
          switch (e.kind()) {
            case NO_REPOSITORY -> "not initialised (the first backup initialises it)";
            case DAMAGED -> "gone or damaged";
            case WRONG_PASSWORD -> "wrong password";
            case LOCKED -> "locked";
            default -> "error";
          });
      m.put("message", e.getMessage());
    } catch (RuntimeException e) {
      m.put("state", "error");
      m.put("message", e.getMessage());
    }
    return m;
  }
}
