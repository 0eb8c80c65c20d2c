package dev.stackback.plan;

import dev.stackback.label.ContainerLabels;
import dev.stackback.port.ContainerInfo;
import java.util.List;

/**
 * One in-scope compose service (or Swarm service, or lone container): its running containers, the
 * first of which (by name) carries the labels we read.
 *
 * @param project compose project or Swarm stack ("" when none)
 * @param name service name (the container name for a container outside compose)
 * @param containers running containers, sorted by name; never empty
 * @param labels the parsed stack-back labels of the first container
 */
public record Service(
    String project, String name, List<ContainerInfo> containers, ContainerLabels labels) {
  public Service {
    containers = List.copyOf(containers);
    if (containers.isEmpty()) {
      throw new IllegalArgumentException("a service has at least one container");
    }
  }

  /** The container whose labels, mounts and environment count. */
  public ContainerInfo primary() {
    return containers.get(0);
  }

  /** References to every container of the service. */
  public List<ContainerRef> refs() {
    return containers.stream().map(c -> new ContainerRef(c.id(), c.name())).toList();
  }

  /** {@code project/name}, or {@code name} without a project. */
  public String qualifiedName() {
    return project.isEmpty() ? name : project + "/" + name;
  }
}
