package dev.stackback.plan;

import dev.stackback.config.Config.StopScope;
import java.util.ArrayList;
import java.util.List;

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
}
