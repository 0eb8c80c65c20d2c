package dev.stackback.engine;

import static dev.stackback.plan.SwarmDiscovery.CONSTRAINT_LABEL;
import static dev.stackback.plan.SwarmDiscovery.NODES_LABEL;
import static dev.stackback.plan.SwarmDiscovery.REPLICAS_LABEL;
import static dev.stackback.plan.SwarmDiscovery.RUN_LABEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.SwarmTask;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Stop-during-backup of swarm services (issue 11) on a fake swarm: scale to 0 and back, the
 * constraint of a global service, the labels that let recovery undo both, and someone else's change
 * meanwhile.
 */
class SwarmStopTest {
  private static final Duration T = Duration.ofSeconds(5);
  private static final String PIN = "node.hostname==node1";
  private static final String STOPPED = "node.id==stack-back-stopped-run-1";

  private static List<String> nodesRunning(FakeSwarm swarm) {
    return swarm.tasksOf("s1").stream().map(SwarmTask::nodeId).sorted().toList();
  }

  // ---- replicated ------------------------------------------------------------------------------

  @Test
  void scaleToZero_storesCountAndRunInTheSameUpdate_restoreScalesBackAndRemovesThem() {
    FakeSwarm swarm = new FakeSwarm(false, 2, Map.of("keep", "me"), List.of(PIN));
    SwarmStop stop = new SwarmStop(swarm);
    SwarmStop.Stopped done = stop.stop("s1", "run-1", T);
    assertEquals("scaled service to 0 (from 2)", done.message());
    assertEquals(0, swarm.service.replicas());
    assertEquals(
        Map.of("keep", "me", REPLICAS_LABEL, "2", RUN_LABEL, "run-1"), swarm.service.labels());
    assertEquals(
        Optional.of(new SwarmStop.Restored("scaled service back to 2", false)),
        stop.restore("s1", done, T));
    assertEquals(2, swarm.service.replicas());
    assertEquals(Map.of("keep", "me"), swarm.service.labels());
    assertEquals(
        List.of(
            "v7 replicas=0 +{"
                + REPLICAS_LABEL
                + "=2, "
                + RUN_LABEL
                + "=run-1} -[] constraints=["
                + PIN
                + "]",
            "v8 replicas=2 +{} -["
                + REPLICAS_LABEL
                + ", "
                + RUN_LABEL
                + "] constraints=["
                + PIN
                + "]"),
        swarm.updates);
  }

  @Test
  void scaleBack_ofAnUnpinnedServiceTheSwarmPutOnAnotherNode_namesTheNewNode() {
    FakeSwarm swarm = new FakeSwarm(false, 1, Map.of(), List.of());
    swarm.scheduleOn = "n2";
    SwarmStop stop = new SwarmStop(swarm);
    SwarmStop.Stopped done = stop.stop("s1", "run-1", T);
    assertEquals(List.of("n2"), done.nodes(), "where its task (and volume) was");
    swarm.scheduleOn = "n3"; // the scheduler's choice after the scale to 0

    SwarmStop.Restored r = stop.restore("s1", done, T).orElseThrow();

    assertEquals(List.of("node3"), r.movedTo());
    assertFalse(r.changedByOthers());
    assertEquals(
        "service 'st_app' was scaled back, but the swarm started its task on node3 (it ran on"
            + " node2): a named volume there is another volume than the one backed up, so it may"
            + " run without its data; pin the service to node2"
            + " (deploy.placement.constraints: [node.hostname == node2]) and redeploy",
        stop.movedMessage(done, r.movedTo()));
  }

  @Test
  void scaleBack_onTheSameNode_orInRecovery_movesNothing() {
    FakeSwarm swarm = new FakeSwarm(false, 2, Map.of(), List.of(PIN));
    SwarmStop stop = new SwarmStop(swarm);
    SwarmStop.Stopped done = stop.stop("s1", "run-1", T);
    assertEquals(List.of("n1"), done.nodes());
    assertEquals(List.of(), stop.restore("s1", done, T).orElseThrow().movedTo());

    swarm.scheduleOn = "n1";
    SwarmStop.Stopped again = stop.stop("s1", "run-2", T);
    swarm.scheduleOn = "n3";
    // recovery knows no nodes: nothing to compare with
    assertEquals(List.of(), stop.restore("s1", null, T).orElseThrow().movedTo());
    assertEquals(List.of("n1"), again.nodes());
  }

  @Test
  void restore_withoutLabel_leavesTheServiceAlone() {
    FakeSwarm swarm = new FakeSwarm(false, 3, Map.of(), List.of());
    assertEquals(Optional.empty(), new SwarmStop(swarm).restore("s1", null, T));
    assertEquals(List.of(), swarm.updates);
  }

  @Test
  void scaleToZero_ofAServiceADeadRunLeftAtZero_keepsTheStoredCount() {
    FakeSwarm swarm =
        new FakeSwarm(false, 0, Map.of(REPLICAS_LABEL, "3", RUN_LABEL, "dead"), List.of());
    SwarmStop stop = new SwarmStop(swarm);
    SwarmStop.Stopped done = stop.stop("s1", "run-2", T);
    assertEquals(3, done.replicas());
    assertEquals("run-2", swarm.service.labels().get(RUN_LABEL));
    stop.restore("s1", done, T);
    assertEquals(3, swarm.service.replicas());
  }

  @Test
  void recovery_scalesBackFromTheLabelsAlone() {
    FakeSwarm swarm =
        new FakeSwarm(false, 0, Map.of(REPLICAS_LABEL, "2", RUN_LABEL, "dead"), List.of());
    Optional<SwarmStop.Restored> r = new SwarmStop(swarm).restore("s1", null, T);
    assertEquals(Optional.of(new SwarmStop.Restored("scaled service back to 2", false)), r);
    assertEquals(2, swarm.service.replicas());
    assertEquals(Map.of(), swarm.service.labels());
    assertEquals(2, swarm.tasksOf("s1").size());
  }

  @Test
  void restore_retriesWhenAConcurrentUpdateChangedTheVersion() {
    FakeSwarm swarm = new FakeSwarm(false, 1, Map.of(), List.of());
    SwarmStop stop = new SwarmStop(swarm);
    stop.stop("s1", "run-1", T);
    swarm.refuseUpdates = 1;
    // without what the stop did: only the labels count (a refused update keeps the spec the same)
    assertEquals(
        Optional.of(new SwarmStop.Restored("scaled service back to 1", false)),
        stop.restore("s1", null, T));
    assertEquals(1, swarm.service.replicas());
  }

  @Test
  void restore_isNotCutShortByAnInterrupt_andKeepsTheFlag() {
    FakeSwarm swarm = new FakeSwarm(false, 1, Map.of(), List.of());
    SwarmStop stop = new SwarmStop(swarm);
    SwarmStop.Stopped done = stop.stop("s1", "run-1", T);
    Thread.currentThread().interrupt();
    try {
      swarm.lag = 3; // the wait polls (and sleeps) a few times after the update
      assertTrue(stop.restore("s1", done, T).isPresent());
      assertTrue(Thread.currentThread().isInterrupted());
      assertEquals(0, swarm.lag);
    } finally {
      Thread.interrupted();
    }
    assertEquals(1, swarm.service.replicas());
  }

  @Test
  void stop_waitsUntilTheTasksAreGone_andTimesOutClearly() {
    FakeSwarm swarm = new FakeSwarm(false, 2, Map.of(), List.of());
    swarm.lag = Integer.MAX_VALUE; // the tasks never go
    ContainerRuntimeException e =
        assertThrows(
            ContainerRuntimeException.class,
            () -> new SwarmStop(swarm).stop("s1", "run-1", Duration.ofMillis(300)));
    assertTrue(
        e.getMessage().contains("the tasks of service 'st_app' did not stop"), e.getMessage());
    assertEquals("2", swarm.service.labels().get(REPLICAS_LABEL), "labels set: recovery can undo");
  }

  // ---- global ----------------------------------------------------------------------------------

  @Test
  void globalService_getsAConstraintNoNodeMeets_keepsTheUsersOwn_andLosesItAgain() {
    FakeSwarm swarm = new FakeSwarm(true, 0, Map.of("keep", "me"), List.of("node.role==worker"));
    assertEquals(List.of("n1", "n2", "n3"), nodesRunning(swarm));
    SwarmStop stop = new SwarmStop(swarm);

    SwarmStop.Stopped done = stop.stop("s1", "run-1", T);

    assertEquals(List.of(), nodesRunning(swarm), "tasks gone");
    assertEquals(List.of("node.role==worker", STOPPED), swarm.service.constraints());
    assertEquals(
        Map.of(
            "keep", "me", RUN_LABEL, "run-1", CONSTRAINT_LABEL, STOPPED, NODES_LABEL, "n1,n2,n3"),
        swarm.service.labels(),
        "what to undo is stored in the same update");
    assertEquals(1, swarm.updates.size());
    assertEquals(
        "stopped global service: added placement constraint '"
            + STOPPED
            + "' (its tasks ran on node1, node2, node3)",
        done.message());

    Optional<SwarmStop.Restored> r = stop.restore("s1", done, T);

    assertEquals(
        Optional.of(
            new SwarmStop.Restored(
                "removed placement constraint '"
                    + STOPPED
                    + "': tasks run again on node1, node2, node3",
                false)),
        r);
    assertEquals(List.of("node.role==worker"), swarm.service.constraints());
    assertEquals(Map.of("keep", "me"), swarm.service.labels());
    assertEquals(List.of("n1", "n2", "n3"), nodesRunning(swarm));
  }

  @Test
  void globalService_recovery_removesExactlyTheConstraintInTheLabel() {
    FakeSwarm swarm =
        new FakeSwarm(
            true,
            0,
            Map.of(RUN_LABEL, "dead", CONSTRAINT_LABEL, STOPPED, NODES_LABEL, "n1"),
            List.of(PIN, STOPPED));
    assertEquals(List.of(), nodesRunning(swarm));

    Optional<SwarmStop.Restored> r = new SwarmStop(swarm).restore("s1", null, T);

    assertEquals(
        "removed placement constraint '" + STOPPED + "': tasks run again on node1",
        r.orElseThrow().message());
    assertEquals(List.of(PIN), swarm.service.constraints());
    assertEquals(Map.of(), swarm.service.labels());
    assertEquals(List.of("n1"), nodesRunning(swarm));
  }

  @Test
  void globalService_aDeadRunsConstraint_isKeptAndReused_notAddedTwice() {
    FakeSwarm swarm =
        new FakeSwarm(
            true,
            0,
            Map.of(
                RUN_LABEL,
                "dead",
                CONSTRAINT_LABEL,
                "node.id==stack-back-stopped-dead",
                NODES_LABEL,
                "n1,n2"),
            List.of("node.id==stack-back-stopped-dead"));
    SwarmStop stop = new SwarmStop(swarm);
    SwarmStop.Stopped done = stop.stop("s1", "run-2", T);
    assertEquals(List.of("node.id==stack-back-stopped-dead"), swarm.service.constraints());
    assertEquals(List.of("n1", "n2"), done.nodes(), "the nodes before the dead run's stop");
    stop.restore("s1", done, T);
    assertEquals(List.of(), swarm.service.constraints());
    assertEquals(List.of("n1", "n2", "n3"), nodesRunning(swarm));
  }

  @Test
  void globalService_tasksNotBackOnTheirNodes_failsTheScaleBackNamingThem() {
    FakeSwarm swarm = new FakeSwarm(true, 0, Map.of(), List.of(PIN));
    SwarmStop stop = new SwarmStop(swarm);
    SwarmStop.Stopped done = stop.stop("s1", "run-1", T);
    swarm.lag = Integer.MAX_VALUE; // still no task after the constraint is removed
    ContainerRuntimeException e =
        assertThrows(
            ContainerRuntimeException.class,
            () -> stop.restore("s1", done, Duration.ofMillis(300)));
    assertTrue(
        e.getMessage().contains("its tasks did not run again on node1 within"), e.getMessage());
    assertEquals(List.of(PIN), swarm.service.constraints(), "the constraint is removed anyway");
  }

  // ---- someone else's change -------------------------------------------------------------------

  @Test
  void userScalesDuringTheRun_keepsTheirCount_removesOurLabels_andSaysSo() {
    FakeSwarm swarm = new FakeSwarm(false, 2, Map.of("keep", "me"), List.of());
    SwarmStop stop = new SwarmStop(swarm);
    SwarmStop.Stopped done = stop.stop("s1", "run-1", T);
    swarm.userScales(3);

    SwarmStop.Restored r = stop.restore("s1", done, T).orElseThrow();

    assertTrue(r.changedByOthers());
    assertTrue(r.message().contains("'st_app' was changed by someone else"), r.message());
    assertTrue(r.message().contains("kept their replica count 3"), r.message());
    assertEquals(3, swarm.service.replicas());
    assertEquals(Map.of("keep", "me"), swarm.service.labels());
  }

  @Test
  void userUpdatesTheImageDuringTheRun_leftAtZero_isScaledBack_andReported() {
    FakeSwarm swarm = new FakeSwarm(false, 2, Map.of(), List.of());
    SwarmStop stop = new SwarmStop(swarm);
    SwarmStop.Stopped done = stop.stop("s1", "run-1", T);
    swarm.userUpdatesImage();

    SwarmStop.Restored r = stop.restore("s1", done, T).orElseThrow();

    assertTrue(r.changedByOthers(), "the digest moved: " + r);
    assertTrue(r.message().contains("scaled service back to 2 (they left it at 0)"), r.message());
    assertEquals(2, swarm.service.replicas(), "nothing stays stopped");
    assertEquals("app:2", swarm.image, "their image kept");
  }

  @Test
  void userRedeploysTheStack_ourLabelsAreGone_nothingOfOursLeft_stillReported() {
    FakeSwarm swarm = new FakeSwarm(false, 2, Map.of("keep", "me"), List.of(PIN));
    SwarmStop stop = new SwarmStop(swarm);
    SwarmStop.Stopped done = stop.stop("s1", "run-1", T);
    swarm.userRedeploys(2, Map.of("keep", "me"), List.of(PIN));
    int updates = swarm.updates.size();

    SwarmStop.Restored r = stop.restore("s1", done, T).orElseThrow();

    assertTrue(r.changedByOthers());
    assertEquals(updates, swarm.updates.size(), "nothing to change: no update");
    assertEquals(2, swarm.service.replicas());
    // recovery (no memory of the run) has nothing to do then
    assertEquals(Optional.empty(), stop.restore("s1", null, T));
  }

  @Test
  void userRedeploysWhileTheTasksStop_theStopEndsAtOnceSayingSo_andTheScaleBackKeepsTheirs() {
    FakeSwarm swarm = new FakeSwarm(false, 2, Map.of(), List.of());
    SwarmStop stop = new SwarmStop(swarm);
    // (the first look at the tasks is the stop's own, before its update: where they run)
    swarm.lag = 3; // the tasks are still stopping...
    swarm.onPoll =
        () -> swarm.onPoll = () -> swarm.userRedeploys(2, Map.of(), List.of()); // ...redeployed
    ContainerRuntimeException e =
        assertThrows(
            ContainerRuntimeException.class, () -> stop.stop("s1", "run-1", Duration.ofMinutes(5)));
    assertTrue(
        e.getMessage().contains("'st_app' was changed by someone else while stack-back waited"),
        e.getMessage());
    swarm.onPoll = null;
    // the stop threw before the run learnt what it did: the labels are gone too (redeploy)
    assertEquals(Optional.empty(), stop.restore("s1", null, T));
    assertEquals(2, swarm.service.replicas());
  }

  @Test
  void userRedeploysAGlobalService_constraintGone_isNotWaitedFor_andReported() {
    FakeSwarm swarm = new FakeSwarm(true, 0, Map.of(), List.of(PIN));
    SwarmStop stop = new SwarmStop(swarm);
    SwarmStop.Stopped done = stop.stop("s1", "run-1", T);
    swarm.userRedeploys(0, Map.of(), List.of("node.hostname==node2"));

    SwarmStop.Restored r = stop.restore("s1", done, T).orElseThrow();

    assertTrue(r.changedByOthers());
    assertTrue(r.message().contains("constraint was gone already"), r.message());
    assertEquals(List.of("node.hostname==node2"), swarm.service.constraints());
    assertEquals(List.of("n2"), nodesRunning(swarm));
  }

  @Test
  void recovery_ofAServiceSomeoneScaledMeanwhile_keepsTheirCount_andDropsOurLabels() {
    FakeSwarm swarm =
        new FakeSwarm(false, 4, Map.of(REPLICAS_LABEL, "2", RUN_LABEL, "dead"), List.of());
    SwarmStop.Restored r = new SwarmStop(swarm).restore("s1", null, T).orElseThrow();
    assertTrue(r.changedByOthers());
    assertEquals(4, swarm.service.replicas());
    assertEquals(Map.of(), swarm.service.labels());
  }

  @Test
  void serviceRemovedDuringTheRun_isReported_notAnError() {
    FakeSwarm swarm = new FakeSwarm(false, 2, Map.of(), List.of());
    SwarmStop stop = new SwarmStop(swarm);
    SwarmStop.Stopped done = stop.stop("s1", "run-1", T);
    swarm.service = null;
    SwarmStop.Restored r = stop.restore("s1", done, T).orElseThrow();
    assertTrue(r.changedByOthers());
    assertTrue(r.message().contains("was removed by someone else"), r.message());
    assertFalse(stop.restore("s1", null, T).isPresent());
  }
}
