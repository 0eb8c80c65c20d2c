package dev.stackback.port;

import java.util.Map;
import java.util.Objects;

/**
 * A scratch container for a restore drill: made from {@code image} with the image's own entrypoint
 * and command (a database server that initialises itself), no network ({@code none}), no mounts of
 * its own but the anonymous volumes the image declares, no restart policy. It carries the worker
 * label (so crash recovery removes it) and {@link #SCRATCH_LABEL}; {@link ContainerRuntime#remove}
 * removes it together with its anonymous volumes.
 *
 * @param image the image to run (the real database container's exact image)
 * @param name the container's name (unique: it carries the run id)
 * @param env its environment (scratch credentials only; secrets travel here only)
 * @param labels labels; the worker and scratch labels are always added by the adapter
 */
public record ScratchSpec(
    String image, String name, Map<String, String> env, Map<String, String> labels) {

  /** Label that marks scratch containers (their anonymous volumes go with them). */
  public static final String SCRATCH_LABEL = "stack-back.scratch";

  public ScratchSpec {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(name, "name");
    env = Map.copyOf(env == null ? Map.of() : env);
    labels = Map.copyOf(labels == null ? Map.of() : labels);
  }
}
