package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.plan.Plan;
import dev.stackback.port.ResticException;
import dev.stackback.port.Snapshot;
import dev.stackback.state.PauseFile;
import dev.stackback.state.RunRecord;
import java.io.PrintWriter;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
      "hooks per stage in execution order, warnings, last run, whether scheduled runs are paused.",
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
    Config config;
    try {
      config = Session.config(app, err);
    } catch (Session.Exit e) {
      return e.code;
    }
    // restic, the run records and Docker side by side (see StatusWork)
    StatusWork work = StatusWork.take(app, config);
    try (Session s = work.session(err)) {
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
      Map<String, DatabasePings.Ping> pings = DatabasePings.check(s.runtime, plan);
      Optional<RunRecord> lastRun = work.last.join();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("config", StatusModel.config(s.config, ZonedDateTime.now(app.clock())));
      m.put("repository", repository(work.snapshots, plan.host()));
      m.putAll(StatusModel.plan(plan, lastRun, pings));
      m.put("warnings", StatusModel.problems(plan.warnings()));
      m.put("lastRun", lastRun.map(StatusModel::run).orElse(null));
      m.put(
          "pause",
          ScheduledPause.model(new PauseFile(config.stateDir()).state(app.clock().instant())));
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

  /** The repository's state and our host's snapshots, from the background {@code snapshots}. */
  private static Map<String, Object> repository(
      CompletableFuture<List<Snapshot>> snapshots, String host) {
    Map<String, Object> m = new LinkedHashMap<>();
    try {
      List<Snapshot> snaps =
          snapshots.join().stream().filter(x -> host.equals(x.hostname())).toList();
      m.put("state", "ok");
      m.put("snapshots", snaps.size());
      m.put("services", perService(snaps));
      m.put("latest", latest(snaps));
    } catch (CompletionException c) {
      if (!(c.getCause() instanceof RuntimeException e)) {
        throw c;
      }
      return repositoryError(m, e);
    }
    return m;
  }

  /** The newest snapshot's time, or null when there is none. */
  private static String latest(List<Snapshot> snaps) {
    return snaps.stream()
        .map(Snapshot::time)
        .max(Comparator.naturalOrder())
        .map(Object::toString)
        .orElse(null);
  }

  /** Per {@code service=} tag: how many snapshots, and the latest one's time. */
  static Map<String, Object> perService(List<Snapshot> snaps) {
    Map<String, List<Snapshot>> by = new TreeMap<>();
    for (Snapshot s : snaps) {
      String service = s.tagValue("service");
      if (service != null) {
        by.computeIfAbsent(service, k -> new ArrayList<>()).add(s);
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    by.forEach(
        (service, list) -> {
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("count", list.size());
          e.put("latest", latest(list));
          m.put(service, e);
        });
    return m;
  }

  private static Map<String, Object> repositoryError(Map<String, Object> m, RuntimeException x) {
    if (x instanceof ResticException e) {
      m.put(
          "state",
          switch (e.kind()) {
            case NO_REPOSITORY -> "not initialised (the first backup initialises it)";
            case DAMAGED -> "gone or damaged";
            case WRONG_PASSWORD -> "wrong password";
            case LOCKED -> "locked";
            case UNREACHABLE -> "unreachable";
            default -> "error";
          });
      m.put("message", e.getMessage());
    } else {
      m.put("state", "error");
      m.put("message", x.getMessage());
    }
    return m;
  }
}
