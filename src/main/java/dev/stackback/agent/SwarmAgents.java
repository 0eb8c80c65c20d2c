package dev.stackback.agent;

import dev.stackback.config.AgentSettings;
import dev.stackback.plan.SwarmDiscovery;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.SwarmRuntime;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the agents of the other nodes (issue 11): the tasks of stack-back's own service (a global
 * service: one per node) on nodes other than the coordinator's, each reached at its address on a
 * network it shares with the coordinator's own task (the stack's overlay network).
 */
public final class SwarmAgents implements SwarmDiscovery.Remote {
  private final RoutingRuntime routing;
  private final Map<String, ContainerRuntimeRef> agents;

  /** An agent as found: its client, or why there is none to use (no token, no shared network). */
  private record ContainerRuntimeRef(AgentClient client, String problem) {}

  private SwarmAgents(RoutingRuntime routing, Map<String, ContainerRuntimeRef> agents) {
    this.routing = routing;
    this.agents = agents;
  }

  /**
   * The agents of stack-back's service ({@code self}'s) on the nodes other than {@code localNode},
   * installed into {@code routing}.
   */
  public static SwarmAgents find(
      SwarmRuntime swarm,
      ContainerInfo self,
      String localNode,
      Map<String, String> hostnames,
      AgentSettings settings,
      RoutingRuntime routing) {
    String service = self.label(SwarmDiscovery.SERVICE_ID);
    Map<String, ContainerRuntimeRef> found = new LinkedHashMap<>();
    if (service != null) {
      Map<String, Map<String, String>> tasks = swarm.taskAddresses(service);
      Map<String, String> own = tasks.getOrDefault(localNode, Map.of());
      Optional<AgentAuth> auth = settings.token().map(t -> new AgentAuth(t, Clock.systemUTC()));
      tasks.forEach(
          (node, addresses) -> {
            if (node.equals(localNode)) {
              return;
            }
            String name = hostnames.getOrDefault(node, node);
            Optional<String> ip =
                addresses.entrySet().stream()
                    .filter(e -> own.containsKey(e.getKey()))
                    .map(Map.Entry::getValue)
                    .findFirst();
            if (auth.isEmpty()) {
              found.put(
                  node,
                  new ContainerRuntimeRef(
                      null,
                      AgentSettings.missingToken("node " + name + " is reached through its agent")
                          .toString()));
            } else if (ip.isEmpty()) {
              found.put(
                  node,
                  new ContainerRuntimeRef(
                      null,
                      "stack-back's task on node "
                          + name
                          + " shares no network with this one's: attach the service to one"
                          + " overlay network"));
            } else {
              found.put(
                  node,
                  new ContainerRuntimeRef(
                      new AgentClient(
                          name, new InetSocketAddress(ip.get(), settings.port()), auth.get()),
                      null));
            }
          });
    }
    Map<String, AgentClient> clients = new LinkedHashMap<>();
    found.forEach(
        (node, ref) -> {
          if (ref.client() != null) {
            clients.put(node, ref.client());
          }
        });
    routing.reach(localNode, clients);
    return new SwarmAgents(routing, found);
  }

  @Override
  public boolean hasAgent(String nodeId) {
    return agents.containsKey(nodeId);
  }

  @Override
  public Optional<ContainerInfo> container(String nodeId, String containerId) {
    ContainerRuntimeRef ref = agents.get(nodeId);
    if (ref == null || ref.client() == null) {
      throw new ContainerRuntimeException(
          ref == null ? "no stack-back agent on the node" : ref.problem());
    }
    return routing.inspectOn(nodeId, containerId);
  }
}
