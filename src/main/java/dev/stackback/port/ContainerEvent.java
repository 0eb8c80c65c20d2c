package dev.stackback.port;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One engine event about a container ({@code docker events}), for failure reports.
 *
 * @param at when the engine emitted it
 * @param action what happened: {@code start}, {@code die}, {@code oom}, {@code kill}, {@code
 *     exec_start: sh -c ...}, ...
 * @param attributes the attributes that say what happened ({@code exitCode}, {@code signal}); never
 *     the container's labels
 */
public record ContainerEvent(Instant at, String action, Map<String, String> attributes) {
  public ContainerEvent {
    Objects.requireNonNull(action, "action");
    attributes = Map.copyOf(attributes == null ? Map.of() : attributes);
  }

  /** One line: {@code 2026-12-02T14:00:00Z die (exitCode=3)}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    b.append(at == null ? "-" : at.toString()).append(' ').append(action);
    if (!attributes.isEmpty()) {
      java.util.StringJoiner j = new java.util.StringJoiner(", ", " (", ")");
      new java.util.TreeMap<>(attributes).forEach((k, v) -> j.add(k + "=" + v));
      b.append(j);
    }
    return b.toString();
  }
}
