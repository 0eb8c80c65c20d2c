package dev.stackback.agent;

import dev.stackback.port.ContainerEvent;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ContainerState;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine;
import dev.stackback.port.ScratchSpec;
import dev.stackback.port.StartedContainer;
import dev.stackback.port.SwarmLocks;
import dev.stackback.port.SwarmRuntime;
import dev.stackback.port.WorkerSpec;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's runtime in SWARM_MODE (issue 11): every call about a container goes to the
 * engine of the container's node: this node's to {@code local}, another node's to that node's agent
 * ({@link AgentClient}). A container is known to be on another node once {@link #inspectOn} found
 * it there or a worker was started there ({@link ContainerRuntime#WORKER_NODE_LABEL}); everything
 * else is local. The Swarm API, markers, stops and starts stay local (a manager's).
 */
public final class RoutingRuntime implements ContainerRuntime {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.agent");

  private final ContainerRuntime local;
  private volatile String localNode = "";
  // node id -> its agent
  private volatile Map<String, ContainerRuntime> agents = Map.of();
  // container id -> the agent of its node
  private final Map<String, ContainerRuntime> remote = new ConcurrentHashMap<>();
  // whether reach() named the other nodes' agents (discovery did)
  private volatile boolean reached;

  /** A runtime that is all local until {@link #reach} names the other nodes' agents. */
  public RoutingRuntime(ContainerRuntime local) {
    this.local = local;
  }

  /**
   * From now on, node {@code localNode} is this engine's and the others are reached through {@code
   * agents} (by node id).
   */
  public void reach(String localNode, Map<String, ? extends ContainerRuntime> agents) {
    this.localNode = localNode;
    this.agents = Map.copyOf(agents);
    this.reached = true;
  }

  /** Whether node {@code nodeId} is this one or has an agent. */
  public boolean reaches(String nodeId) {
    return localNode.equals(nodeId) || agents.containsKey(nodeId);
  }

  /**
   * A container of node {@code nodeId} (inspected there, through its agent for another node); later
   * calls about it go to that node.
   */
  public Optional<ContainerInfo> inspectOn(String nodeId, String containerId) {
    ContainerRuntime on = on(nodeId);
    Optional<ContainerInfo> c = on.inspect(containerId);
    if (on != local) {
      c.ifPresent(info -> remote.put(info.id(), on));
    }
    return c;
  }

  private ContainerRuntime on(String nodeId) {
    if (nodeId == null || nodeId.isEmpty() || nodeId.equals(localNode)) {
      return local;
    }
    ContainerRuntime agent = agents.get(nodeId);
    if (agent == null) {
      throw new ContainerRuntimeException("no stack-back agent on swarm node " + nodeId);
    }
    return agent;
  }

  private ContainerRuntime of(String containerId) {
    return remote.getOrDefault(containerId, local);
  }

  @Override
  public List<ContainerInfo> listContainers() {
    return local.listContainers();
  }

  @Override
  public Optional<ContainerInfo> inspect(String idOrName) {
    return of(idOrName).inspect(idOrName);
  }

  @Override
  public Optional<String> findOwnContainerId() {
    return local.findOwnContainerId();
  }

  @Override
  public ExecResult exec(ExecRequest request, OutputLine output) {
    return of(request.containerId()).exec(request, output);
  }

  @Override
  public ExecResult execStreaming(ExecRequest request, OutputStream stdout, OutputLine stderr) {
    return of(request.containerId()).execStreaming(request, stdout, stderr);
  }

  @Override
  public ExecResult execWithInput(ExecRequest request, InputStream stdin, OutputLine output) {
    return of(request.containerId()).execWithInput(request, stdin, output);
  }

  @Override
  public void stop(String containerId, Duration timeout) {
    of(containerId).stop(containerId, timeout);
  }

  @Override
  public StartedContainer start(String containerId, Duration timeout) {
    return of(containerId).start(containerId, timeout);
  }

  @Override
  public List<StartedContainer.Problem> confirmRunning(
      List<StartedContainer> started, Duration minUptime, Duration healthTimeout) {
    return local.confirmRunning(started, minUptime, healthTimeout);
  }

  @Override
  public String startWorker(WorkerSpec spec) {
    ContainerRuntime on = on(spec.labels().get(WORKER_NODE_LABEL));
    String id = on.startWorker(spec);
    if (on != local) {
      remote.put(id, on);
    }
    return id;
  }

  @Override
  public ExecResult runWorker(WorkerSpec spec, OutputLine output) {
    return on(spec.labels().get(WORKER_NODE_LABEL)).runWorker(spec, output);
  }

  @Override
  public String startScratch(ScratchSpec spec) {
    return local.startScratch(spec);
  }

  /** This node's workers and those of every node with an agent (an agent that fails is logged). */
  @Override
  public List<ContainerInfo> listWorkers() {
    List<ContainerInfo> all = new ArrayList<>(local.listWorkers());
    agents.forEach(
        (node, agent) -> {
          try {
            for (ContainerInfo w : agent.listWorkers()) {
              remote.put(w.id(), agent);
              all.add(w);
            }
          } catch (RuntimeException e) {
            LOG.warn("cannot list the workers of node {}: {}", node, e.getMessage());
          }
        });
    return all;
  }

  /**
   * This node's workers and those of every node with an agent; fails when the agents are not known
   * yet (before discovery) or one of them cannot list its workers, naming the node.
   */
  @Override
  public List<ContainerInfo> listAllWorkers() {
    if (!reached) {
      throw new ContainerRuntimeException(
          "the stack-back agents of the other swarm nodes are not known yet (before discovery)");
    }
    List<ContainerInfo> all = new ArrayList<>(local.listWorkers());
    for (Map.Entry<String, ContainerRuntime> a : agents.entrySet()) {
      try {
        for (ContainerInfo w : a.getValue().listWorkers()) {
          remote.put(w.id(), a.getValue());
          all.add(w);
        }
      } catch (RuntimeException e) {
        throw new ContainerRuntimeException(
            "cannot list the workers of node " + a.getKey() + ": " + e.getMessage(), e);
      }
    }
    return all;
  }

  @Override
  public void remove(String containerId) {
    of(containerId).remove(containerId);
  }

  @Override
  public Optional<String> createMarker(String name, String image, Map<String, String> labels) {
    return local.createMarker(name, image, labels);
  }

  @Override
  public void removeMarker(String containerId) {
    local.removeMarker(containerId);
  }

  @Override
  public Optional<SwarmRuntime> swarm() {
    return local.swarm();
  }

  @Override
  public Optional<SwarmLocks> swarmLocks() {
    return local.swarmLocks();
  }

  @Override
  public Optional<ContainerState> state(String containerId) {
    return of(containerId).state(containerId);
  }

  @Override
  public List<String> logTail(String containerId, int lines, Duration timeout) {
    return of(containerId).logTail(containerId, lines, timeout);
  }

  @Override
  public List<ContainerEvent> events(
      String containerId, Instant since, Instant until, Duration timeout) {
    return of(containerId).events(containerId, since, until, timeout);
  }

  @Override
  public void close() {
    agents.values().forEach(ContainerRuntime::close);
    local.close();
  }
}
