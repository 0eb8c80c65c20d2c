package dev.stackback.label;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The stack-back labels of one container, parsed and validated.
 *
 * @param volumes the explicit {@code stack-back.volumes} value, if set
 * @param include include tokens ({@code volumes.include})
 * @param exclude exclude tokens ({@code volumes.exclude})
 * @param stopDuringBackup {@code volumes.stop-during-backup}
 * @param database the database label that is true, if any
 * @param postgresAll {@code stack-back.postgres.all}
 * @param hooks every hook, sorted by stage then index
 * @param ordered {@code stack-back.ordered} (meaningful on the stack-back container)
 * @param order {@code stack-back.order.<N>} entries by N (meaningful on the stack-back container)
 */
public record ContainerLabels(
    Optional<Boolean> volumes,
    List<String> include,
    List<String> exclude,
    boolean stopDuringBackup,
    Optional<DatabaseKind> database,
    boolean postgresAll,
    List<HookSpec> hooks,
    boolean ordered,
    SortedMap<Integer, String> order) {

  public ContainerLabels {
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
    hooks = List.copyOf(hooks);
    order = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(order));
  }

  /** Labels of a container that carries none of ours. */
  public static ContainerLabels none() {
    return new ContainerLabels(
        Optional.empty(),
        List.of(),
        List.of(),
        false,
        Optional.empty(),
        false,
        List.of(),
        false,
        new TreeMap<>(Map.of()));
  }

  /** The hooks of one stage, in ascending N. */
  public List<HookSpec> hooks(HookSpec.Stage stage) {
    return hooks.stream().filter(h -> h.stage() == stage).toList();
  }
}
