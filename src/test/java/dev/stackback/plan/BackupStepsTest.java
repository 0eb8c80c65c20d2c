package dev.stackback.plan;

import static dev.stackback.plan.Containers.config;
import static dev.stackback.plan.Containers.ok;
import static dev.stackback.plan.Containers.self;
import static dev.stackback.plan.Containers.svc;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackback.port.ContainerInfo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The step sequence of a plan, and its waves for {@code BACKUP_CONCURRENCY}. */
class BackupStepsTest {
  private final ContainerInfo me = self().build();

  private static ContainerInfo running(String service) {
    return svc("app", service).sb("volumes", "true").volume(service + "_data", "/data").build();
  }

  private static ContainerInfo stopped(String service) {
    return svc("app", service)
        .sb("volumes", "true")
        .sb("volumes.stop-during-backup", "true")
        .volume(service + "_data", "/data")
        .build();
  }

  private static ContainerInfo database(String service) {
    return svc("app", service).sb("postgres", "true").build();
  }

  /** "kind target" per step. */
  private static List<String> names(List<BackupStep> steps) {
    return steps.stream().map(BackupStepsTest::name).toList();
  }

  private static String name(BackupStep s) {
    String kind = s.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    return kind + " " + s.target().service().name();
  }

  /** Waves as lists of units as lists of step names. */
  private static List<List<List<String>>> waves(Plan p) {
    List<List<List<String>>> out = new ArrayList<>();
    for (var wave : BackupSteps.waves(BackupSteps.of(p))) {
      out.add(wave.stream().map(BackupStepsTest::names).toList());
    }
    return out;
  }

  @Test
  void serviceScope_stopsAndStartsAreWavesOfTheirOwn_runningTargetsShareOne() {
    Plan p =
        ok(config(), me, stopped("a"), running("b"), database("c"), running("d"), stopped("e"));
    assertEquals(
        List.of(
            List.of(List.of("stop a")),
            List.of(List.of("snapshot a")),
            List.of(List.of("start a")),
            List.of(List.of("snapshot b"), List.of("dump c"), List.of("snapshot d")),
            List.of(List.of("stop e")),
            List.of(List.of("snapshot e")),
            List.of(List.of("start e"))),
        waves(p));
  }

  @Test
  void runScope_snapshotsBetweenAllStopsAndAllStartsShareOneWave() {
    Plan p =
        ok(
            config("STOP_SCOPE", "run"),
            me,
            stopped("a"),
            running("b"),
            stopped("c"),
            database("d"));
    assertEquals(
        List.of(
            List.of(List.of("stop a")),
            List.of(List.of("stop c")),
            List.of(
                List.of("snapshot a"),
                List.of("snapshot b"),
                List.of("snapshot c"),
                List.of("dump d")),
            List.of(List.of("start a")),
            List.of(List.of("start c"))),
        waves(p));
  }

  @Test
  void waves_keepEveryStepOnce_andEachTargetsStepsInOrder() {
    Plan p = ok(config(), me, running("a"), database("b"), stopped("c"), running("d"));
    List<BackupStep> steps = BackupSteps.of(p);
    List<BackupStep> flat = new ArrayList<>();
    BackupSteps.waves(steps).forEach(w -> w.forEach(flat::addAll));
    assertEquals(names(steps), names(flat)); // one unit per target: nothing reordered here
  }

  @Test
  void noSteps_noWaves() {
    assertEquals(List.of(), BackupSteps.waves(List.of()));
  }
}
