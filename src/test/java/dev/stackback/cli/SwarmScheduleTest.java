package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.SwarmLocks.SwarmNodeStatus;
import dev.stackback.port.SwarmNode;
import dev.stackback.port.SwarmTask;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which manager's daemon runs the schedule: the leader's, when our service has a task there. */
class SwarmScheduleTest {
  static final List<SwarmNodeStatus> NODES =
      List.of(
          new SwarmNodeStatus("n1", "node1", "ready", true, true),
          new SwarmNodeStatus("n2", "node2", "ready", true, false),
          new SwarmNodeStatus("n3", "node3", "ready", false, false));

  static SwarmTask task(String node, String state) {
    return new SwarmTask("t-" + node, "svc", node, "running", state, "c-" + node);
  }

  @Test
  void globalServiceOnTwoManagers_onlyTheLeaderRunsIt() {
    List<SwarmTask> tasks = List.of(task("n1", "running"), task("n2", "running"));

    Optional<String> onNode2 = SwarmSchedule.deferral(new SwarmNode("n2", true), NODES, tasks);
    Optional<String> onNode1 = SwarmSchedule.deferral(new SwarmNode("n1", true), NODES, tasks);

    assertTrue(onNode2.isPresent());
    assertEquals(
        "this node (node2) is not the swarm leader; the stack-back on the leader (node1) runs the"
            + " schedule",
        onNode2.get());
    assertEquals(Optional.empty(), onNode1);
  }

  @Test
  void noRunningTaskOfOursOnTheLeader_thisManagerRunsIt() {
    // one replica pinned to a manager that does not lead; or the leader's task has failed
    assertEquals(
        Optional.empty(),
        SwarmSchedule.deferral(new SwarmNode("n2", true), NODES, List.of(task("n2", "running"))));
    assertEquals(
        Optional.empty(),
        SwarmSchedule.deferral(
            new SwarmNode("n2", true),
            NODES,
            List.of(task("n1", "failed"), task("n2", "running"))));
  }

  @Test
  void noLeaderKnown_orNoManager_runsIt_theRunThenSaysWhatIsWrong() {
    List<SwarmTask> tasks = List.of(task("n1", "running"), task("n2", "running"));
    assertEquals(
        Optional.empty(),
        SwarmSchedule.deferral(new SwarmNode("n2", true), NODES.subList(1, 3), tasks));
    assertEquals(
        Optional.empty(), SwarmSchedule.deferral(new SwarmNode("n3", false), NODES, tasks));
  }
}
