package dev.stackback.port;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A container as the runtime reports it, in our own types.
 *
 * @param id full container id
 * @param name container name without the leading slash
 * @param image image reference the container was created from (as given, e.g. {@code postgres:16})
 * @param labels all labels
 * @param env environment as {@code NAME -> value} (a variable without '=' maps to "")
 * @param mounts mounts sorted by destination (Docker reports them in no stable order)
 * @param running whether the container is running (not paused, not restarting)
 * @param state Docker's state word ({@code running}, {@code exited}, ...)
 * @param imageId the id ({@code sha256:...}) of the image the container runs, "" when unknown
 */
public record ContainerInfo(
    String id,
    String name,
    String image,
    Map<String, String> labels,
    Map<String, String> env,
    List<MountInfo> mounts,
    boolean running,
    String state,
    String imageId) {

  public ContainerInfo {
    Objects.requireNonNull(id, "id");
    name = name == null ? "" : name.startsWith("/") ? name.substring(1) : name;
    image = image == null ? "" : image;
    labels = Map.copyOf(labels == null ? Map.of() : labels);
    env = Map.copyOf(env == null ? Map.of() : env);
    mounts = List.copyOf(mounts == null ? List.of() : mounts);
    state = state == null ? "" : state;
    imageId = imageId == null ? "" : imageId;
  }

  /** A container whose image id is unknown. */
  public ContainerInfo(
      String id,
      String name,
      String image,
      Map<String, String> labels,
      Map<String, String> env,
      List<MountInfo> mounts,
      boolean running,
      String state) {
    this(id, name, image, labels, env, mounts, running, state, "");
  }

  /** The exact image to start a sibling from: the image id when known, else the reference. */
  public String exactImage() {
    return imageId.isEmpty() ? image : imageId;
  }

  /** The first 12 characters of the id, as Docker prints it. */
  public String shortId() {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }

  /** The label's value, or null. */
  public String label(String key) {
    return labels.get(key);
  }
}
