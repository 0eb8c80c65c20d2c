package dev.stackback.port;

import java.util.Objects;

/**
 * One mount of a container as Docker reports it.
 *
 * @param type volume, bind, tmpfs or anything else
 * @param name the volume name for {@link Type#VOLUME}, else null
 * @param source the path on the host (for volumes: the volume's mount point on the host)
 * @param destination the path inside the container
 * @param readOnly whether the container mounts it read-only
 */
public record MountInfo(
    Type type, String name, String source, String destination, boolean readOnly) {
  /** The kinds of mount we tell apart. */
  public enum Type {
    VOLUME,
    BIND,
    TMPFS,
    OTHER
  }

  public MountInfo {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(destination, "destination");
    source = source == null ? "" : source;
  }

  /** Whether this mounts the Docker socket: never backed up, never given to a worker. */
  public boolean isDockerSocket() {
    return source.endsWith("docker.sock") || destination.endsWith("docker.sock");
  }

  /** The name shown to users: the volume name, or the host path of a bind mount. */
  public String displayName() {
    return name != null && !name.isEmpty() ? name : source;
  }
}
