package dev.stackback.engine;

import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.SwarmNode;
import dev.stackback.port.SwarmRuntime;
import dev.stackback.port.SwarmService;
import dev.stackback.port.SwarmTask;
import dev.stackback.port.SwarmUpdate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One swarm service on a fake swarm of nodes n1..n3 (hostnames node1..node3) whose tasks follow its
 * spec at once: a replicated service runs its replicas on the nodes its constraints allow, a global
 * one a task on each. Constraints understood: {@code node.id==X}, {@code node.hostname==X}. Updates
 * are journaled; the spec digest covers every field, so any change shows.
 */
final class FakeSwarm implements SwarmRuntime {
  static final Map<String, String> NODES = Map.of("n1", "node1", "n2", "node2", "n3", "node3");

  SwarmService service;
  String image = "app:1";
  final List<String> updates = new ArrayList<>();
  int refuseUpdates; // the next N updates lose against someone else's
  int lag; // polls after an update that still see the tasks of before it
  Runnable onPoll; // someone else's action at the next look at the tasks
  String scheduleOn; // when set, the node the scheduler puts a replicated service's tasks on
  private List<SwarmTask> before = List.of();

  FakeSwarm(boolean global, long replicas, Map<String, String> labels, List<String> constraints) {
    service =
        new SwarmService(
            "s1", "st_app", 7, global, replicas, labels, Map.of(), constraints, List.of("data"));
    service = digested(service);
  }

  @Override
  public Optional<SwarmNode> localNode() {
    return Optional.of(new SwarmNode("n1", true));
  }

  @Override
  public List<SwarmService> services() {
    return List.of(service);
  }

  @Override
  public Optional<SwarmService> service(String id) {
    return service != null && id.equals(service.id()) ? Optional.of(service) : Optional.empty();
  }

  @Override
  public List<SwarmTask> runningTasks() {
    return tasksOf("s1");
  }

  @Override
  public List<SwarmTask> tasksOf(String serviceId) {
    if (onPoll != null) {
      Runnable r = onPoll;
      onPoll = null;
      r.run();
    }
    if (lag > 0) {
      lag--;
      return before;
    }
    return current();
  }

  private List<SwarmTask> current() {
    List<SwarmTask> out = new ArrayList<>();
    if (service == null) {
      return out;
    }
    List<String> allowed =
        new TreeSet<>(NODES.keySet()).stream().filter(n -> allows(service, n)).toList();
    long n = service.global() ? allowed.size() : allowed.isEmpty() ? 0 : service.replicas();
    for (int i = 0; i < n; i++) {
      String node =
          scheduleOn != null && !service.global() ? scheduleOn : allowed.get(i % allowed.size());
      out.add(new SwarmTask("t" + i, service.id(), node, "running", "running", "c" + i));
    }
    return out;
  }

  private static boolean allows(SwarmService s, String node) {
    for (String c : s.constraints()) {
      String[] kv = c.split("==", 2);
      String want = kv[1].strip();
      switch (kv[0].strip()) {
        case "node.id" -> {
          if (!node.equals(want)) {
            return false;
          }
        }
        case "node.hostname" -> {
          if (!NODES.get(node).equals(want)) {
            return false;
          }
        }
        default -> {}
      }
    }
    return true;
  }

  @Override
  public Map<String, String> nodeHostnames() {
    return NODES;
  }

  @Override
  public void updateService(String id, long version, SwarmUpdate change) {
    if (version != service.version()) {
      throw new ContainerRuntimeException("update out of sequence");
    }
    if (refuseUpdates > 0) {
      refuseUpdates--;
      service = with(service.replicas(), service.labels(), service.constraints()); // version+1
      throw new ContainerRuntimeException("update out of sequence");
    }
    if (change.replicas().isPresent() && service.global()) {
      throw new ContainerRuntimeException("not replicated");
    }
    Map<String, String> labels = new LinkedHashMap<>(service.labels());
    change.removeLabels().forEach(labels::remove);
    labels.putAll(change.addLabels());
    List<String> constraints = new ArrayList<>(service.constraints());
    constraints.removeAll(change.removeConstraints());
    change.addConstraints().stream()
        .filter(c -> !constraints.contains(c))
        .forEach(constraints::add);
    updates.add(
        "v"
            + version
            + " replicas="
            + (change.replicas().isPresent() ? change.replicas().getAsLong() : "-")
            + " +"
            + new TreeMap<>(change.addLabels())
            + " -"
            + new TreeSet<>(change.removeLabels())
            + " constraints="
            + constraints);
    before = current();
    service = with(change.replicas().orElse(service.replicas()), labels, constraints);
  }

  /** Someone else's {@code docker service scale}. */
  void userScales(long replicas) {
    service = with(replicas, service.labels(), service.constraints());
  }

  /**
   * Someone else's {@code docker stack deploy} with a new image: the stack file's labels,
   * constraints and replicas replace stack-back's.
   */
  void userRedeploys(long replicas, Map<String, String> labels, List<String> constraints) {
    image = "app:2";
    service = with(replicas, labels, constraints);
  }

  /** Someone else's {@code docker service update --image}: nothing else changes. */
  void userUpdatesImage() {
    image = "app:2";
    service = with(service.replicas(), service.labels(), service.constraints());
  }

  private SwarmService with(long replicas, Map<String, String> labels, List<String> constraints) {
    return digested(
        new SwarmService(
            service.id(),
            service.name(),
            service.version() + 1,
            service.global(),
            replicas,
            labels,
            Map.of(),
            constraints,
            service.volumes()));
  }

  private SwarmService digested(SwarmService s) {
    String digest =
        image + "|" + s.replicas() + "|" + new TreeMap<>(s.labels()) + "|" + s.constraints();
    return new SwarmService(
        s.id(),
        s.name(),
        s.version(),
        s.global(),
        s.replicas(),
        s.labels(),
        s.containerLabels(),
        s.constraints(),
        s.volumes(),
        digest);
  }
}
