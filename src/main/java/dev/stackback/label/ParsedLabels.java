package dev.stackback.label;

import java.util.List;

/**
 * The result of reading one container's labels: the typed labels plus every problem found.
 *
 * @param labels what could be read (meaningless when {@code errors} is not empty)
 * @param errors label errors: the run must not start
 * @param warnings things worth telling the user that do not stop a run
 */
public record ParsedLabels(ContainerLabels labels, List<Problem> errors, List<Problem> warnings) {
  public ParsedLabels {
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
  }
}
