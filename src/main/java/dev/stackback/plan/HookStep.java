package dev.stackback.plan;

import dev.stackback.label.HookSpec;
import java.time.Duration;

/**
 * A hook placed in the plan: where it was declared and where it runs.
 *
 * @param spec the hook's labels
 * @param from the service whose container carries the label ({@code stack-back} container included)
 * @param fromBackupContainer whether it is declared on the stack-back container
 * @param where where it runs
 * @param timeout its own timeout, or HOOK_TIMEOUT
 */
public record HookStep(
    HookSpec spec, String from, boolean fromBackupContainer, HookTarget where, Duration timeout) {

  /** Where a hook runs. */
  public sealed interface HookTarget {
    /** {@code sh -c} where stack-back runs. */
    record Local() implements HookTarget {}

    /** {@code docker exec} into a running container of {@code service}. */
    record InContainer(String service, ContainerRef container) implements HookTarget {}

    /** The {@code context} names no running container in scope: the hook fails when run. */
    record Unresolved(String context) implements HookTarget {}
  }

  /** How the target is shown to people. */
  public String whereText() {
    return switch (where) {
      case HookTarget.Local l -> "local";
      case HookTarget.InContainer c -> "exec " + c.service() + " (" + c.container().name() + ")";
      case HookTarget.Unresolved u -> "unresolved context '" + u.context() + "'";
    };
  }
}
