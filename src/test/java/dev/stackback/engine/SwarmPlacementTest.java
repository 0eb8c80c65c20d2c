package dev.stackback.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.SwarmNode;
import dev.stackback.port.SwarmRuntime;
import dev.stackback.port.SwarmService;
import dev.stackback.port.SwarmTask;
import dev.stackback.port.SwarmUpdate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Restores act on stack-back's node only: a service with a task elsewhere is named with it. */
class SwarmPlacementTest {

  /** A fixed swarm seen from node n1 (a manager unless told), read-only. */
  record Fixed(boolean manager, List<SwarmService> services, List<SwarmTask> tasks)
      implements SwarmRuntime {
    @Override
    public Optional<SwarmNode> localNode() {
      return Optional.of(new SwarmNode("n1", manager));
    }

    @Override
    public Optional<SwarmService> service(String id) {
      return services.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    @Override
    public List<SwarmTask> runningTasks() {
      return tasks.stream().filter(t -> t.desiredState().equals("running")).toList();
    }

    @Override
    public List<SwarmTask> tasksOf(String serviceId) {
      return tasks.stream().filter(t -> t.serviceId().equals(serviceId)).toList();
    }

    @Override
    public Map<String, String> nodeHostnames() {
      return Map.of("n1", "node1", "n2", "node2", "n3", "node3");
    }

    @Override
    public void updateService(String id, long version, SwarmUpdate change) {
      throw new AssertionError("a placement check never changes a service");
    }
  }

  static SwarmService service(String id, String name) {
    return new SwarmService(id, name, 1, false, 1, Map.of(), Map.of(), List.of(), List.of());
  }

  static SwarmTask task(String service, String node, String desired) {
    return new SwarmTask("t-" + service + node + desired, service, node, desired, desired, "c");
  }

  static final List<SwarmService> SERVICES =
      List.of(service("s1", "st_app"), service("s2", "st_db"));

  @Test
  void allTasksHere_orOldTasksElsewhere_nothingToRefuse() {
    Fixed swarm =
        new Fixed(
            true,
            SERVICES,
            List.of(
                task("s1", "n1", "running"),
                task("s1", "n2", "shutdown"),
                task("s2", "n2", "running")));

    assertEquals(Optional.empty(), SwarmPlacement.elsewhere(swarm, "st_app"));
  }

  @Test
  void aTaskOnAnotherNode_namesServiceAndNodeAndTheWayOut() {
    Fixed swarm =
        new Fixed(
            true, SERVICES, List.of(task("s1", "n1", "running"), task("s2", "n2", "running")));

    String why = SwarmPlacement.elsewhere(swarm, "st_db").orElseThrow().refusal();

    assertTrue(
        why.startsWith(
            "service 'st_db': node node2: its task runs on a node other than stack-back's (node1)"),
        why);
    assertTrue(why.contains("nothing was touched: pin the service to node1"), why);
  }

  @Test
  void afterRestore_saysTheTaskRunsWithoutTheRestoredVolumes() {
    Fixed swarm = new Fixed(true, SERVICES, List.of(task("s1", "n3", "running")));

    String why = SwarmPlacement.elsewhere(swarm, "st_app").orElseThrow().afterRestore();

    assertEquals(
        "service 'st_app': node node3: its task runs on a node other than stack-back's (node1)"
            + " since it was scaled back after the restore, but the restored volumes are node1's:"
            + " pin the service to node1 (deploy.placement.constraints) so that its task runs with"
            + " them",
        why);
  }

  @Test
  void tasksOnSeveralNodes_andUnassigned_allNamed() {
    Fixed swarm =
        new Fixed(
            true,
            SERVICES,
            List.of(
                task("s1", "n1", "running"),
                task("s1", "n3", "running"),
                task("s1", "", "running"),
                task("s1", "n2", "running")));

    String why = SwarmPlacement.elsewhere(swarm, "st_app").orElseThrow().refusal();

    assertTrue(
        why.startsWith(
            "service 'st_app': node node3, (not assigned yet), node2: its task runs on nodes"),
        why);
  }

  @Test
  void noSuchSwarmService_orNotAManager_leftToThePlan() {
    Fixed worker = new Fixed(false, SERVICES, List.of(task("s1", "n2", "running")));
    Fixed manager = new Fixed(true, SERVICES, List.of(task("s1", "n2", "running")));

    assertEquals(Optional.empty(), SwarmPlacement.elsewhere(worker, "st_app"));
    assertEquals(Optional.empty(), SwarmPlacement.elsewhere(manager, "web"));
  }

  @Test
  void aTaskOnANodeWithAnAgent_isReachable_oneWithoutIsRefusedNamingIt() {
    Fixed swarm =
        new Fixed(
            true, SERVICES, List.of(task("s1", "n2", "running"), task("s2", "n3", "running")));

    assertEquals(Optional.empty(), SwarmPlacement.elsewhere(swarm, "st_app", "n2"::equals));
    String why = SwarmPlacement.elsewhere(swarm, "st_db", "n2"::equals).orElseThrow().refusal();
    assertTrue(
        why.startsWith(
            "service 'st_db': node node3: its task runs on a node other than stack-back's (node1);"
                + " stack-back cannot restore into it there: no stack-back agent runs on that"
                + " node"),
        why);
  }

  @Test
  void afterARestoreOnAnAgentsNode_theTaskMustRunOnThatNode() {
    Fixed there = new Fixed(true, SERVICES, List.of(task("s1", "n2", "running")));
    Fixed moved = new Fixed(true, SERVICES, List.of(task("s1", "n3", "running")));

    assertEquals(Optional.empty(), SwarmPlacement.notOn(there, "st_app", "n2"));
    assertEquals(
        "service 'st_app': node node3: its task runs on a node other than the restored volumes'"
            + " (node2) since it was scaled back after the restore, but the restored volumes are"
            + " node2's: pin the service to node2 (deploy.placement.constraints) so that its task"
            + " runs with them",
        SwarmPlacement.notOn(moved, "st_app", "n2").orElseThrow().afterRestore());
    // restored on stack-back's node (no node label): as before
    assertTrue(
        SwarmPlacement.notOn(there, "st_app", null)
            .orElseThrow()
            .afterRestore()
            .contains("other than stack-back's (node1)"));
  }
}
