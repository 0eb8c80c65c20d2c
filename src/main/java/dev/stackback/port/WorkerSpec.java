package dev.stackback.port;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A worker container: the one of a backup run that holds every target's volumes and runs restic in
 * it with exec ({@link ContainerRuntime#startWorker}, empty {@code entrypoint}), or one that runs a
 * single command and is gone afterwards ({@link ContainerRuntime#runWorker}, e.g. a restore).
 *
 * @param image image to run (stack-back's own image, so the same restic)
 * @param entrypoint argv that replaces the image's entrypoint and command; empty for an idle worker
 * @param env environment (restic's repository settings; secrets travel here only)
 * @param mounts mounts to give the worker
 * @param labels labels; the worker marker label is always added by the adapter
 * @param timeout bound for the whole run of a command worker; past it the worker is killed. For an
 *     idle worker: the bound of its start
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
    entrypoint = List.copyOf(entrypoint == null ? List.of() : entrypoint);
    env = Map.copyOf(env == null ? Map.of() : env);
    mounts = List.copyOf(mounts == null ? List.of() : mounts);
    labels = Map.copyOf(labels == null ? Map.of() : labels);
    Objects.requireNonNull(timeout, "timeout");
  }

  /** An idle worker for {@link ContainerRuntime#startWorker}: no entrypoint of its own. */
  public static WorkerSpec idle(
      String image,
      Map<String, String> env,
      List<WorkerMount> mounts,
      Map<String, String> labels,
      Duration startTimeout) {
    return new WorkerSpec(image, List.of(), env, mounts, labels, startTimeout);
  }
}
