package dev.stackback.plan;

import dev.stackback.config.Config;
import dev.stackback.label.LabelKeys;
import dev.stackback.port.ContainerInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which containers are in scope: running, not one-off, not ours, and in our compose project
 * (or any project with {@code INCLUDE_ALL_COMPOSE_PROJECTS}). Pure.
 */
public final class Scope {
  private final Config config;
  private final ContainerInfo self;

  public Scope(Config config, ContainerInfo self) {
    this.config = config;
    this.self = self;
  }

  /** The compose project (or Swarm stack) of a container, "" when it has none. */
  public String projectOf(ContainerInfo c) {
    String p = config.swarmMode() ? c.label(LabelKeys.SWARM_STACK) : null;
    if (p == null) {
      p = c.label(LabelKeys.COMPOSE_PROJECT);
    }
    return p == null ? "" : p;
  }

  /** The service name of a container: compose (or Swarm) service, else the container name. */
  public String serviceOf(ContainerInfo c) {
    String s = config.swarmMode() ? c.label(LabelKeys.SWARM_SERVICE) : null;
    if (s == null) {
      s = c.label(LabelKeys.COMPOSE_SERVICE);
    }
    return s == null || s.isBlank() ? c.name() : s;
  }

  /** Whether a container is never a target, whatever its project: ours, a worker, a one-off. */
  public boolean isExcluded(ContainerInfo c) {
    return c.id().equals(self.id())
        || c.labels().containsKey(LabelKeys.WORKER)
        || "true".equalsIgnoreCase(c.label(LabelKeys.COMPOSE_ONEOFF));
  }

  /** Whether a container belongs to the projects we back up (running or not). */
  public boolean inProject(ContainerInfo c) {
    return config.includeAllComposeProjects() || projectOf(c).equals(projectOf(self));
  }

  /** In-scope running containers grouped by (project, service), services sorted by name. */
  public Map<String, List<ContainerInfo>> services(List<ContainerInfo> all) {
    Map<String, List<ContainerInfo>> byKey = new LinkedHashMap<>();
    all.stream()
        .filter(c -> c.running() && !isExcluded(c) && inProject(c))
        .sorted(
            Comparator.comparing(this::serviceOf)
                .thenComparing(this::projectOf)
                .thenComparing(ContainerInfo::name))
        .forEach(c -> byKey.computeIfAbsent(key(c), k -> new ArrayList<>()).add(c));
    return byKey;
  }

  /** Key of a container's service: {@code project/service}. */
  public String key(ContainerInfo c) {
    return projectOf(c) + "/" + serviceOf(c);
  }

  /** Why a container with this service name is not in scope, if one exists. */
  public Optional<String> whyOutOfScope(String service, List<ContainerInfo> all) {
    return all.stream()
        .filter(c -> serviceOf(c).equals(service) && !c.id().equals(self.id()))
        .map(
            c ->
                !inProject(c)
                    ? "it belongs to project '" + projectOf(c) + "', not ours"
                    : isExcluded(c) ? "it is a one-off or worker container" : "it is not running")
        .findFirst();
  }
}
