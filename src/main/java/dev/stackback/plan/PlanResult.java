package dev.stackback.plan;

import dev.stackback.label.Problem;
import java.util.List;
import java.util.Optional;

/**
 * A plan, or the errors that prevent one; warnings either way.
 *
 * @param plan present when there are no errors
 * @param errors label and configuration errors (exit 2)
 * @param warnings worth showing, never fatal
 */
public record PlanResult(Optional<Plan> plan, List<Problem> errors, List<Problem> warnings) {
  public PlanResult {
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
  }
}
