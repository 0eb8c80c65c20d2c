package dev.stackback.plan;

import dev.stackback.config.Config;
import dev.stackback.label.HookSpec.Stage;
import dev.stackback.label.Problem;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one backup run will do, decided before anything runs. Pure data: {@code status},
 * {@code backup --dry-run} and the engine all read the same plan.
 *
 * @param project the stack-back container's project ("" when none)
 * @param host restic {@code --host} of every snapshot
 * @param self the stack-back container
 * @param targets services to back up, in backup order
 * @param hookOnly in-scope services with hooks but nothing to back up, in hook order
 * @param hooks per stage, in execution order
 * @param ordered whether {@code stack-back.ordered} decided the order
 * @param stopScope service or run
 * @param warnings problems that do not stop a run
 */
public record Plan(
    String project,
    String host,
    Service self,
    List<Target> targets,
    List<Service> hookOnly,
    Map<Stage, List<HookStep>> hooks,
    boolean ordered,
    Config.StopScope stopScope,
    List<Problem> warnings) {

  public Plan {
    targets = List.copyOf(targets);
    hookOnly = List.copyOf(hookOnly);
    EnumMap<Stage, List<HookStep>> copy = new EnumMap<>(Stage.class);
    for (Stage s : Stage.values()) {
      copy.put(s, List.copyOf(hooks.getOrDefault(s, List.of())));
    }
    hooks = java.util.Collections.unmodifiableMap(copy);
    warnings = List.copyOf(warnings);
  }

  /** The hooks of one stage in execution order. */
  public List<HookStep> hooks(Stage stage) {
    return hooks.get(stage);
  }
}
