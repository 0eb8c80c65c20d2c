package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.config.Redaction;
import dev.stackback.label.HookSpec.Stage;
import dev.stackback.plan.BackupStep;
import dev.stackback.plan.BackupSteps;
import dev.stackback.plan.HookStep;
import dev.stackback.plan.Plan;
import dev.stackback.plan.Target;
import dev.stackback.plan.VolumeSnapshot;
import java.util.ArrayList;
import java.util.List;

/** The ordered steps of a run as text lines, from the same plan and step list the engine runs. */
final class DryRun {
  private DryRun() {}

  static List<String> lines(Plan plan, Config config) {
    List<String> out = new ArrayList<>();
    int[] n = {1};
    out.add(
        "Dry run: nothing is touched. Host '"
            + plan.host()
            + "', stop scope "
            + StatusModel.lower(plan.stopScope())
            + ".");
    add(
        out,
        n,
        "check repository "
            + Redaction.url(config.resticRepository())
            + " (initialise it if missing)");
    hooks(out, n, plan, Stage.PRE);
    for (BackupStep step : BackupSteps.of(plan)) {
      add(out, n, describe(step, plan));
    }
    out.add("if everything above succeeded:");
    hooks(out, n, plan, Stage.POST);
    out.add("if anything failed:");
    hooks(out, n, plan, Stage.ERROR);
    out.add("always:");
    hooks(out, n, plan, Stage.FINALLY);
    if (config.maintenanceSchedule().isEmpty()) {
      add(
          out,
          n,
          "maintenance: forget (host '"
              + plan.host()
              + "', tag stack-back, keep daily "
              + config.keep().daily()
              + " weekly "
              + config.keep().weekly()
              + " monthly "
              + config.keep().monthly()
              + " yearly "
              + config.keep().yearly()
              + ") + prune, if all succeeded");
    }
    return out;
  }

  private static void hooks(List<String> out, int[] n, Plan plan, Stage stage) {
    List<HookStep> hooks = plan.hooks(stage);
    if (hooks.isEmpty()) {
      out.add("      (no " + stage.word() + " hooks)");
    }
    for (HookStep h : hooks) {
      add(
          out,
          n,
          "hook "
              + stage.word()
              + " "
              + h.from()
              + "#"
              + h.spec().index()
              + " in "
              + h.whereText()
              + ": "
              + h.spec().cmd()
              + "  [on-error "
              + h.spec().onError().word()
              + (h.spec().mode() == dev.stackback.label.HookSpec.Mode.ASYNC ? ", async" : "")
              + (h.spec().retries() > 0 ? ", retries " + h.spec().retries() : "")
              + "]");
    }
  }

  private static String describe(BackupStep step, Plan plan) {
    Target t = step.target();
    String containers = String.join(", ", t.service().refs().stream().map(r -> r.name()).toList());
    return switch (step) {
      case BackupStep.Stop s -> "stop " + t.name() + " (" + containers + ")";
      case BackupStep.Start s -> "start " + t.name() + " (" + containers + ")";
      case BackupStep.Dump d -> {
        var dump = t.dump().orElseThrow();
        yield "dump "
            + t.name()
            + " ("
            + StatusModel.dumpTool(dump)
            + ") -> "
            + dump.snapshotPath();
      }
      case BackupStep.Snapshot s -> {
        List<String> parts = new ArrayList<>();
        for (VolumeSnapshot v : t.volumes()) {
          parts.add(v.mount().displayName() + " -> " + v.snapshotPath());
        }
        yield "snapshot " + t.name() + " via worker container: " + String.join(", ", parts);
      }
    };
  }

  private static void add(List<String> out, int[] n, String line) {
    out.add(String.format("%3d. %s", n[0]++, line));
  }
}
