package dev.stackback.port;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A short-lived worker container (e.g. the one that reads a target's volumes for restic).
 *
 * @param image image to run (stack-back's own image, so the same restic)
 * @param entrypoint argv that replaces the image's entrypoint and command
 * @param env environment (restic's repository settings; secrets travel here only)
 * @param mounts mounts to give the worker
 * @param labels labels; the worker marker label is always added by the adapter
 * @param timeout bound for the whole run; past it the worker is killed
 */
public record WorkerSpec(
    String image,
    List<String> entrypoint,
    Map<String, String> env,
    List<WorkerMount> mounts,
    Map<String, String> labels,
    Duration timeout) {

  /** One mount of a worker: a named volume or a host path, at {@code destination}. */
  public record WorkerMount(
      MountInfo.Type type, String source, String destination, boolean readOnly) {
    public WorkerMount {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(destination, "destination");
    }
  }

  public WorkerSpec {
    Objects.requireNonNull(image, "image");
    entrypoint = List.copyOf(entrypoint);
    env = Map.copyOf(env == null ? Map.of() : env);
    mounts = List.copyOf(mounts == null ? List.of() : mounts);
    labels = Map.copyOf(labels == null ? Map.of() : labels);
    Objects.requireNonNull(timeout, "timeout");
  }
}
