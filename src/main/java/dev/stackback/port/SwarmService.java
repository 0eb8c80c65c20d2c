package dev.stackback.port;

import java.util.List;
import java.util.Map;

/**
 * A swarm service as the manager reports it.
 *
 * @param id service id
 * @param name service name ({@code <stack>_<service>} for a stack)
 * @param version spec version (an update must name it)
 * @param global whether the service runs in global mode (one task per node: it cannot be scaled)
 * @param replicas the replica count of a replicated service (0 for a global one)
 * @param labels the service's own labels (compose {@code deploy.labels})
 * @param containerLabels the labels its task containers get (compose {@code labels})
 * @param constraints placement constraints
 * @param volumes the sources of its volume mounts
 * @param specDigest a digest of its whole spec as the manager reports it: equal digests mean an
 *     unchanged spec (the version moves on for other reasons too), "" when unknown
 * @param image the image of its containers ("" when unknown)
 * @param binds the sources of its bind mounts
 */
public record SwarmService(
    String id,
    String name,
    long version,
    boolean global,
    long replicas,
    Map<String, String> labels,
    Map<String, String> containerLabels,
    List<String> constraints,
    List<String> volumes,
    String specDigest,
    String image,
    List<String> binds) {
  public SwarmService {
    specDigest = specDigest == null ? "" : specDigest;
    image = image == null ? "" : image;
    binds = List.copyOf(binds);
    labels = Map.copyOf(labels);
    containerLabels = Map.copyOf(containerLabels);
    constraints = List.copyOf(constraints);
    volumes = List.copyOf(volumes);
  }

  /** A service without image and bind mounts. */
  public SwarmService(
      String id,
      String name,
      long version,
      boolean global,
      long replicas,
      Map<String, String> labels,
      Map<String, String> containerLabels,
      List<String> constraints,
      List<String> volumes,
      String specDigest) {
    this(
        id,
        name,
        version,
        global,
        replicas,
        labels,
        containerLabels,
        constraints,
        volumes,
        specDigest,
        "",
        List.of());
  }

  /** A service whose spec digest is not known. */
  public SwarmService(
      String id,
      String name,
      long version,
      boolean global,
      long replicas,
      Map<String, String> labels,
      Map<String, String> containerLabels,
      List<String> constraints,
      List<String> volumes) {
    this(id, name, version, global, replicas, labels, containerLabels, constraints, volumes, "");
  }
}
