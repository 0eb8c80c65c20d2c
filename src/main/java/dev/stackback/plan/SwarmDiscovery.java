package dev.stackback.plan;

import dev.stackback.config.Config;
import dev.stackback.label.ContainerLabels;
import dev.stackback.label.LabelKeys;
import dev.stackback.label.LabelParser;
import dev.stackback.label.Problem;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.SwarmService;
import dev.stackback.port.SwarmTask;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code SWARM_MODE=true} plans from (issue 11): the manager's services and tasks, not only
 * one node's containers. Pure.
 *
 * <ul>
 *   <li>Containers of this node that are tasks get their service's labels (compose {@code
 *       deploy.labels}) added; a container label of the same key wins.
 *   <li>Task containers the swarm no longer wants running (task history) are left out: no "not
 *       running" warning for them.
 *   <li>A service is stack-back's when it carries stack-back labels or, with {@code
 *       AUTO_BACKUP_ALL}, has something that variable backs up (a named volume, a bind mount unless
 *       {@code EXCLUDE_BIND_MOUNTS}, a database image): never skipped silently on another node.
 *   <li>An unlabelled service that a hook names as its {@code context} and whose task runs on
 *       another node is inspected through that node's agent too, so the hook runs there.
 *   <li>A labelled service in scope with a task on another node is planned from that task's
 *       container, inspected through the node's stack-back agent ({@link Remote}); when that node
 *       has no agent (or it fails), it is an error naming the service and the node: a run must
 *       never succeed having skipped it.
 *   <li>A labelled replicated service whose tasks run on two or more nodes is an error when its
 *       named volumes are backed up (each node has its own volume of that name: one snapshot cannot
 *       hold them) or it is stopped during the backup.
 *   <li>A labelled replicated service with volumes and no placement constraint gets a warning:
 *       after a scale-up its task may land on another node, with an empty volume.
 * </ul>
 */
public final class SwarmDiscovery {
  /** Label of a swarm task container: its task id. */
  public static final String TASK_ID = "com.docker.swarm.task.id";

  /** Label of a swarm task container: its service id. */
  public static final String SERVICE_ID = "com.docker.swarm.service.id";

  /** Service labels stack-back itself sets while a service is scaled to 0 (never user labels). */
  public static final String REPLICAS_LABEL = LabelKeys.PREFIX + "replicas-before-stop";

  /** Service label naming the run that scaled the service to 0 (or stopped a global one). */
  public static final String RUN_LABEL = LabelKeys.PREFIX + "stopped-by-run";

  /**
   * Service label of a global service stopped by stack-back: the placement constraint (no node
   * meets it) that stack-back added, and removes again.
   */
  public static final String CONSTRAINT_LABEL = LabelKeys.PREFIX + "stop-constraint";

  /** Service label of a global service stopped by stack-back: the node ids its tasks ran on. */
  public static final String NODES_LABEL = LabelKeys.PREFIX + "nodes-before-stop";

  /** Every service label stack-back sets while a service is stopped. */
  public static final Set<String> STATE_LABELS =
      Set.of(REPLICAS_LABEL, RUN_LABEL, CONSTRAINT_LABEL, NODES_LABEL);

  /**
   * The containers to plan from, and the problems found.
   *
   * @param containers this node's containers, task containers with their service labels
   * @param errors labelled services stack-back cannot back up (exit 2)
   * @param warnings worth showing
   */
  public record View(List<ContainerInfo> containers, List<Problem> errors, List<Problem> warnings) {
    public View {
      containers = List.copyOf(containers);
      errors = List.copyOf(errors);
      warnings = List.copyOf(warnings);
    }
  }

  private SwarmDiscovery() {}

  /** The other nodes, as far as stack-back's agents reach them. */
  public interface Remote {
    /** No agents: every other node is out of reach. */
    Remote NONE =
        new Remote() {
          @Override
          public boolean hasAgent(String nodeId) {
            return false;
          }

          @Override
          public Optional<ContainerInfo> container(String nodeId, String containerId) {
            return Optional.empty();
          }
        };

    /** Whether node {@code nodeId} runs a stack-back agent the coordinator can reach. */
    boolean hasAgent(String nodeId);

    /**
     * Container {@code containerId} of node {@code nodeId}, inspected through its agent; empty when
     * it is gone.
     *
     * @throws RuntimeException when the agent fails
     */
    Optional<ContainerInfo> container(String nodeId, String containerId);
  }

  /** {@link #discover(Config, ContainerInfo, List, String, List, List, Map, Remote)}, no agents. */
  public static View discover(
      Config config,
      ContainerInfo self,
      List<ContainerInfo> local,
      String nodeId,
      List<SwarmService> services,
      List<SwarmTask> running,
      Map<String, String> hostnames) {
    return discover(config, self, local, nodeId, services, running, hostnames, Remote.NONE);
  }

  /**
   * @param self the stack-back container
   * @param local the containers of this node
   * @param nodeId this node's swarm id
   * @param services every service of the swarm
   * @param running every task the swarm wants running
   * @param hostnames node id to hostname
   * @param remote the agents of the other nodes
   */
  public static View discover(
      Config config,
      ContainerInfo self,
      List<ContainerInfo> local,
      String nodeId,
      List<SwarmService> services,
      List<SwarmTask> running,
      Map<String, String> hostnames,
      Remote remote) {
    Map<String, SwarmService> byId = new HashMap<>();
    services.forEach(s -> byId.put(s.id(), s));
    Set<String> wanted = new LinkedHashSet<>();
    running.forEach(t -> wanted.add(t.id()));
    List<ContainerInfo> containers = new ArrayList<>();
    // every container listed here runs on this node: its snapshots get tag node=<hostname>
    Map<String, String> here = Map.of(LabelKeys.SWARM_NODE, hostnames.getOrDefault(nodeId, nodeId));
    for (ContainerInfo c : local) {
      String task = c.label(TASK_ID);
      if (task == null || c.id().equals(self.id())) {
        containers.add(withLabels(c, Map.of(), here));
      } else if (wanted.contains(task)) {
        SwarmService s = byId.get(c.label(SERVICE_ID));
        containers.add(withLabels(c, s == null ? Map.of() : serviceLabels(s), here));
      }
    }
    Scope scope = new Scope(config, self);
    Set<String> contexts = hookContexts(self, services);
    List<Problem> errors = new ArrayList<>();
    List<Problem> warnings = new ArrayList<>();
    Map<String, Set<String>> taskNodes = new LinkedHashMap<>();
    Map<String, Set<String>> unreached = new LinkedHashMap<>();
    for (SwarmTask t : running) {
      SwarmService s = byId.get(t.serviceId());
      if (s == null
          || t.serviceId().equals(self.label(SERVICE_ID))
          || !scope.inProject(asContainer(s))) {
        continue; // gone meanwhile, stack-back's own service, or not ours to back up
      }
      String node =
          t.nodeId().isEmpty()
              ? "(not assigned yet)"
              : hostnames.getOrDefault(t.nodeId(), t.nodeId());
      if (!ours(config, s)) {
        if (contexts.contains(s.name())
            && !t.nodeId().isEmpty()
            && !t.nodeId().equals(nodeId)
            && remote.hasAgent(t.nodeId())
            && !t.containerId().isEmpty()) {
          // a hook's context: its container, so that the hook runs there through the agent (if
          // it cannot be inspected the hook fails naming its context, as for a missing one)
          try {
            remote
                .container(t.nodeId(), t.containerId())
                .ifPresent(
                    c ->
                        containers.add(
                            withLabels(c, serviceLabels(s), Map.of(LabelKeys.SWARM_NODE, node))));
          } catch (RuntimeException e) {
            warnings.add(
                onNode(
                    s,
                    node,
                    "a hook names it as its context, but its task's container cannot be inspected"
                        + " through the node's stack-back agent: "
                        + e.getMessage()));
          }
        }
        continue;
      }
      if (!s.global() && !t.nodeId().isEmpty()) {
        taskNodes.computeIfAbsent(s.id(), k -> new LinkedHashSet<>()).add(node);
      }
      if (t.nodeId().equals(nodeId)) {
        continue;
      }
      if (t.nodeId().isEmpty() || !remote.hasAgent(t.nodeId())) {
        unreached.computeIfAbsent(s.name(), k -> new LinkedHashSet<>()).add(node);
        continue;
      }
      if (t.containerId().isEmpty()) {
        errors.add(
            onNode(s, node, "its task " + t.id() + " has no container yet (" + t.state() + ")"));
        continue;
      }
      try {
        remote
            .container(t.nodeId(), t.containerId())
            .ifPresentOrElse(
                // its snapshots get tag node=<its node's hostname>
                c ->
                    containers.add(
                        withLabels(c, serviceLabels(s), Map.of(LabelKeys.SWARM_NODE, node))),
                () ->
                    errors.add(
                        onNode(s, node, "its task's container " + t.containerId() + " is gone")));
      } catch (RuntimeException e) {
        errors.add(
            onNode(
                s,
                node,
                "cannot inspect its task's container through the node's stack-back agent: "
                    + e.getMessage()));
      }
    }
    taskNodes.forEach(
        (id, nodes) -> {
          SwarmService s = byId.get(id);
          if (nodes.size() > 1 && perNodeState(config, s)) {
            errors.add(spreadAcrossNodes(s, nodes));
            unreached.remove(s.name()); // one error per service is enough
          }
        });
    String own = hostnames.getOrDefault(nodeId, nodeId);
    unreached.forEach(
        (service, nodes) ->
            errors.add(
                new Problem(
                    "service '" + service + "'",
                    "node " + String.join(", ", nodes),
                    "its task runs on "
                        + (nodes.size() == 1 ? "a node" : "nodes")
                        + " other than stack-back's ("
                        + own
                        + ") where no stack-back agent runs: deploy stack-back as a global"
                        + " service (deploy.mode: global, with AGENT_TOKEN) so every node has"
                        + " an agent, pin the service to stack-back's node"
                        + " (deploy.placement.constraints) or remove its stack-back labels")));
    for (SwarmService s : services) {
      if (!s.global()
          && ours(config, s)
          && !s.volumes().isEmpty()
          && s.constraints().isEmpty()
          && !s.id().equals(self.label(SERVICE_ID))
          && scope.inProject(asContainer(s))) {
        warnings.add(
            new Problem(
                "service '" + s.name() + "'",
                "deploy.placement.constraints",
                "it has volumes ("
                    + String.join(", ", s.volumes())
                    + ") and no placement constraint: after a scale-up (stop-during-backup, a"
                    + " restart) its task may land on another node, with an empty volume"));
      }
    }
    return new View(containers, errors, warnings);
  }

  /** A problem of service {@code s} on node {@code node} (its hostname). */
  private static Problem onNode(SwarmService s, String node, String message) {
    return new Problem("service '" + s.name() + "'", "node " + node, message);
  }

  /**
   * Whether what stack-back does to service {@code s} depends on the node its task runs on: its
   * named volumes are backed up (each node has its own volume of that name), or it is stopped
   * during the backup.
   */
  private static boolean perNodeState(Config config, SwarmService s) {
    ContainerInfo c = asContainer(s);
    ContainerLabels labels = LabelParser.parse(c.name(), c.labels()).labels();
    boolean volumes = labels.volumes().orElse(config.autoBackupAll()) && !s.volumes().isEmpty();
    return volumes || labels.stopDuringBackup();
  }

  private static Problem spreadAcrossNodes(SwarmService s, Set<String> nodes) {
    return new Problem(
        "service '" + s.name() + "'",
        "node " + String.join(", ", nodes),
        "its replicas run on "
            + nodes.size()
            + " nodes, and "
            + (s.volumes().isEmpty()
                ? "stop-during-backup scales it to 0 and back, which may move them to other nodes"
                : "a named volume ("
                    + String.join(", ", s.volumes())
                    + ") is a different volume on each node: one snapshot cannot hold them")
            + "; pin the service to one node (deploy.placement.constraints: [node.hostname =="
            + " <node>]) or remove its stack-back volume/stop labels");
  }

  /** A container with its service's labels added (a container label of the same key wins). */
  static ContainerInfo withServiceLabels(ContainerInfo c, SwarmService s) {
    return withLabels(c, serviceLabels(s), Map.of());
  }

  /**
   * A container with {@code under} labels added (its own of the same key win) and {@code over}
   * labels set.
   */
  private static ContainerInfo withLabels(
      ContainerInfo c, Map<String, String> under, Map<String, String> over) {
    Map<String, String> labels = new LinkedHashMap<>(under);
    labels.putAll(c.labels());
    labels.putAll(over);
    return new ContainerInfo(
        c.id(),
        c.name(),
        c.image(),
        labels,
        c.env(),
        c.mounts(),
        c.running(),
        c.state(),
        c.imageId());
  }

  /** The service's own labels, without the ones stack-back sets while it is scaled to 0. */
  private static Map<String, String> serviceLabels(SwarmService s) {
    Map<String, String> labels = new LinkedHashMap<>(s.labels());
    labels.keySet().removeAll(STATE_LABELS);
    return labels;
  }

  /**
   * Whether the plan may back up something of service {@code s}: it carries stack-back labels, or
   * {@code AUTO_BACKUP_ALL} is on and it has a named volume, a bind mount (not the Docker socket;
   * none with {@code EXCLUDE_BIND_MOUNTS}) or a database image.
   */
  static boolean ours(Config config, SwarmService s) {
    if (labelled(s)) {
      return true;
    }
    if (!config.autoBackupAll()) {
      return false;
    }
    return !s.volumes().isEmpty()
        || (!config.excludeBindMounts()
            && s.binds().stream().anyMatch(b -> !b.endsWith("docker.sock")))
        || DatabaseDetector.detect(s.image()).isPresent();
  }

  /**
   * The services named as a hook {@code context} by stack-back's own labels or by a service's
   * (labels {@code stack-back.hooks.<stage>.<n>.context}).
   */
  static Set<String> hookContexts(ContainerInfo self, List<SwarmService> services) {
    Set<String> out = new HashSet<>();
    List<Map<String, String>> all = new ArrayList<>();
    all.add(self.labels());
    for (SwarmService s : services) {
      all.add(s.containerLabels());
      all.add(serviceLabels(s));
    }
    for (Map<String, String> labels : all) {
      labels.forEach(
          (k, v) -> {
            if ((k.startsWith(LabelKeys.PREFIX + LabelKeys.HOOKS)
                    || k.startsWith(LabelKeys.LEGACY_PREFIX + LabelKeys.HOOKS))
                && k.endsWith("." + LabelKeys.HOOK_CONTEXT)
                && v != null
                && !v.isBlank()) {
              out.add(v.strip());
            }
          });
    }
    return out;
  }

  /** Whether a service carries stack-back labels, on its containers or on itself. */
  static boolean labelled(SwarmService s) {
    return hasOurs(s.containerLabels()) || hasOurs(serviceLabels(s));
  }

  private static boolean hasOurs(Map<String, String> labels) {
    return labels.keySet().stream()
        .anyMatch(k -> k.startsWith(LabelKeys.PREFIX) || k.startsWith(LabelKeys.LEGACY_PREFIX));
  }

  /** A stand-in container for scope checks (project = stack) of a service without a local task. */
  private static ContainerInfo asContainer(SwarmService s) {
    Map<String, String> labels = new LinkedHashMap<>(serviceLabels(s));
    labels.putAll(s.containerLabels());
    return new ContainerInfo(s.id(), s.name(), "", labels, Map.of(), List.of(), true, "running");
  }
}
