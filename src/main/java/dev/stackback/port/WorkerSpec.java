package dev.stackback.port;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
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
 * @param hostname the container's hostname (restic writes it into its locks, see {@link
 *     #hostnameFor}); empty: Docker's default (the short container id)
 * @param networksOf id of a container whose networks the worker joins (the stack-back container's,
 *     so restic in the worker reaches the repository by the same names and routes as stack-back);
 *     empty: Docker's default bridge; {@link #NO_NETWORK}: no network at all
 */
public record WorkerSpec(
    String image,
    List<String> entrypoint,
    Map<String, String> env,
    List<WorkerMount> mounts,
    Map<String, String> labels,
    Duration timeout,
    String hostname,
    String networksOf) {

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
    hostname = hostname == null ? "" : hostname;
    networksOf = networksOf == null ? "" : networksOf;
  }

  /** A worker with Docker's default hostname. */
  public WorkerSpec(
      String image,
      List<String> entrypoint,
      Map<String, String> env,
      List<WorkerMount> mounts,
      Map<String, String> labels,
      Duration timeout) {
    this(image, entrypoint, env, mounts, labels, timeout, "", "");
  }

  /** This spec with {@code hostname} as the container's hostname. */
  public WorkerSpec withHostname(String hostname) {
    return new WorkerSpec(image, entrypoint, env, mounts, labels, timeout, hostname, networksOf);
  }

  /**
   * {@link #networksOf} of a worker without any network ({@code --network none}); no container name
   * can be this.
   */
  public static final String NO_NETWORK = ":none";

  /**
   * This spec without any network: for restic with a repository on a mounted path, which a worker
   * reaches without one (its start is also faster: no network namespace to wire to a bridge).
   */
  public WorkerSpec withoutNetwork() {
    return withNetworksOf(NO_NETWORK);
  }

  /** Whether this worker has no network ({@link #withoutNetwork}). */
  public boolean noNetwork() {
    return networksOf.equals(NO_NETWORK);
  }

  /** This spec joining the networks of container {@code containerId}. */
  public WorkerSpec withNetworksOf(String containerId) {
    return new WorkerSpec(image, entrypoint, env, mounts, labels, timeout, hostname, containerId);
  }

  /**
   * The hostname of every worker container of backup host {@code host}: {@code sbworker-}, the host
   * reduced to {@code [a-z0-9-]} (at most 40 characters), {@code -} and 8 hex digits of its SHA-256
   * (so two hosts that reduce alike differ); at most 58 characters, a valid hostname. restic writes
   * it into the locks a worker's restic takes, so a later container with the same hostname can tell
   * which of them belong to dead processes.
   */
  public static String hostnameFor(String host) {
    String reduced =
        host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("-+", "-");
    reduced = reduced.substring(0, Math.min(40, reduced.length())).replaceAll("^-+|-+$", "");
    return "sbworker-" + (reduced.isEmpty() ? "" : reduced + "-") + hash(host);
  }

  private static String hash(String host) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(host.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256", e);
    }
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
