package dev.stackback.plan;

import dev.stackback.config.Config.StopScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flattens a plan's targets into the stop / snapshot / dump / start sequence (SPEC 2).
 *
 * <p>{@code STOP_SCOPE=service}: per target in backup order: dump (while running), stop, volume
 * snapshot, start — each container is down only around its own snapshot.
 *
 * <p>{@code STOP_SCOPE=run}: dumps of the targets that will be stopped first (a stopped database
 * cannot be dumped), then every stop, then per target its remaining dump and its snapshot, then
 * every start, in backup order.
 */
public final class BackupSteps {
  private BackupSteps() {}

  public static List<BackupStep> of(Plan plan) {
    return plan.stopScope() == StopScope.RUN ? runScope(plan) : serviceScope(plan);
  }

  private static List<BackupStep> serviceScope(Plan plan) {
    List<BackupStep> steps = new ArrayList<>();
    for (Target t : plan.targets()) {
      t.dump().ifPresent(d -> steps.add(new BackupStep.Dump(t)));
      if (!t.volumes().isEmpty()) {
        if (t.stops()) {
          steps.add(new BackupStep.Stop(t));
        }
        steps.add(new BackupStep.Snapshot(t));
        if (t.stops()) {
          steps.add(new BackupStep.Start(t));
        }
      }
    }
    return steps;
  }

  private static List<BackupStep> runScope(Plan plan) {
    List<BackupStep> steps = new ArrayList<>();
    List<Target> stopping = plan.targets().stream().filter(Target::stops).toList();
    stopping.stream()
        .filter(t -> t.dump().isPresent())
        .forEach(t -> steps.add(new BackupStep.Dump(t)));
    stopping.forEach(t -> steps.add(new BackupStep.Stop(t)));
    for (Target t : plan.targets()) {
      if (t.dump().isPresent() && !t.stops()) {
        steps.add(new BackupStep.Dump(t));
      }
      if (!t.volumes().isEmpty()) {
        steps.add(new BackupStep.Snapshot(t));
      }
    }
    stopping.forEach(t -> steps.add(new BackupStep.Start(t)));
    return steps;
  }

  /**
   * {@code steps} cut into waves for {@code BACKUP_CONCURRENCY}: each stop and each start is a wave
   * of its own (they keep their order exactly); the dumps and snapshots between two of them form
   * one wave, grouped into one unit per target (a target's dump before its snapshot, in step
   * order). The units of a wave may run at the same time; the waves run one after another, in
   * order. Concatenating every wave's units gives back {@code steps} reordered only within a wave.
   */
  public static List<List<List<BackupStep>>> waves(List<BackupStep> steps) {
    List<List<List<BackupStep>>> waves = new ArrayList<>();
    Map<String, List<BackupStep>> open = null;
    for (BackupStep step : steps) {
      if (step instanceof BackupStep.Stop || step instanceof BackupStep.Start) {
        if (open != null) {
          waves.add(List.copyOf(open.values()));
          open = null;
        }
        waves.add(List.of(List.of(step)));
      } else {
        if (open == null) {
          open = new LinkedHashMap<>();
        }
        open.computeIfAbsent(step.target().name(), k -> new ArrayList<>()).add(step);
      }
    }
    if (open != null) {
      waves.add(List.copyOf(open.values()));
    }
    return waves;
  }
}
