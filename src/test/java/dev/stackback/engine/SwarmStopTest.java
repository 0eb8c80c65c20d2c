package dev.stackback.engine;

import static dev.stackback.plan.SwarmDiscovery.REPLICAS_LABEL;
import static dev.stackback.plan.SwarmDiscovery.RUN_LABEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.SwarmNode;
import dev.stackback.port.SwarmRuntime;
import dev.stackback.port.SwarmService;
import dev.stackback.port.SwarmTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Scale to 0 and back with the count in the service's labels (issue 11), on a fake swarm. */
class SwarmStopTest {

  /** One service whose tasks follow its replica count at once; updates are journaled. */
  static final class FakeSwarm implements SwarmRuntime {
    SwarmService service;
    final List<String> updates = new ArrayList<>();
    int refuseUpdates;
    int lag; // polls after an update that still see the old task count
    long shownReplicas;

    FakeSwarm(boolean global, long replicas, Map<String, String> labels) {
      service =
          new SwarmService(
              "s1", "st_app", 7, global, replicas, labels, Map.of(), List.of(), List.of());
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
      return id.equals(service.id()) ? Optional.of(service) : Optional.empty();
    }

    @Override
    public List<SwarmTask> runningTasks() {
      return tasksOf(service.id());
    }

    @Override
    public List<SwarmTask> tasksOf(String serviceId) {
      List<SwarmTask> out = new ArrayList<>();
      long n = service.replicas();
      if (lag > 0) {
        lag--;
        n = shownReplicas;
      }
      for (int i = 0; i < n; i++) {
        out.add(new SwarmTask("t" + i, serviceId, "n1", "running", "running", "c" + i));
      }
      return out;
    }

    @Override
    public Map<String, String> nodeHostnames() {
      return Map.of("n1", "node1");
    }

    @Override
    public void updateService(
        String id,
        long version,
        OptionalLong replicas,
        Map<String, String> addLabels,
        Set<String> removeLabels) {
      if (version != service.version()) {
        throw new ContainerRuntimeException("update out of sequence");
      }
      if (refuseUpdates > 0) {
        refuseUpdates--;
        service = with(service.replicas(), service.labels()); // someone else's update
        throw new ContainerRuntimeException("update out of sequence");
      }
      Map<String, String> labels = new HashMap<>(service.labels());
      removeLabels.forEach(labels::remove);
      labels.putAll(addLabels);
      updates.add(
          "v"
              + version
              + " replicas="
              + replicas
              + " +"
              + new java.util.TreeMap<>(addLabels)
              + " -"
              + new java.util.TreeSet<>(removeLabels));
      shownReplicas = service.replicas();
      service = with(replicas.orElse(service.replicas()), labels);
    }

    private SwarmService with(long replicas, Map<String, String> labels) {
      return new SwarmService(
          service.id(),
          service.name(),
          service.version() + 1,
          service.global(),
          replicas,
          labels,
          Map.of(),
          List.of(),
          List.of());
    }
  }

  private static final Duration T = Duration.ofSeconds(5);

  @Test
  void scaleToZero_storesCountAndRunInTheSameUpdate_restoreScalesBackAndRemovesThem() {
    FakeSwarm swarm = new FakeSwarm(false, 2, Map.of("keep", "me"));
    SwarmStop stop = new SwarmStop(swarm);
    assertEquals(2, stop.scaleToZero("s1", "run-1", T));
    assertEquals(0, swarm.service.replicas());
    assertEquals(
        Map.of("keep", "me", REPLICAS_LABEL, "2", RUN_LABEL, "run-1"), swarm.service.labels());
    assertEquals(OptionalLong.of(2), stop.restore("s1", T));
    assertEquals(2, swarm.service.replicas());
    assertEquals(Map.of("keep", "me"), swarm.service.labels());
    assertEquals(
        List.of(
            "v7 replicas=OptionalLong[0] +{" + REPLICAS_LABEL + "=2, " + RUN_LABEL + "=run-1} -[]",
            "v8 replicas=OptionalLong[2] +{} -[" + REPLICAS_LABEL + ", " + RUN_LABEL + "]"),
        swarm.updates);
  }

  @Test
  void restore_withoutLabel_leavesTheServiceAlone() {
    FakeSwarm swarm = new FakeSwarm(false, 3, Map.of());
    assertEquals(OptionalLong.empty(), new SwarmStop(swarm).restore("s1", T));
    assertEquals(List.of(), swarm.updates);
  }

  @Test
  void scaleToZero_ofAServiceADeadRunLeftAtZero_keepsTheStoredCount() {
    FakeSwarm swarm = new FakeSwarm(false, 0, Map.of(REPLICAS_LABEL, "3", RUN_LABEL, "dead"));
    SwarmStop stop = new SwarmStop(swarm);
    assertEquals(3, stop.scaleToZero("s1", "run-2", T));
    assertEquals("run-2", swarm.service.labels().get(RUN_LABEL));
    stop.restore("s1", T);
    assertEquals(3, swarm.service.replicas());
  }

  @Test
  void globalService_isRefusedClearly_andNothingIsChanged() {
    FakeSwarm swarm = new FakeSwarm(true, 0, Map.of());
    ContainerRuntimeException e =
        assertThrows(
            ContainerRuntimeException.class,
            () -> new SwarmStop(swarm).scaleToZero("s1", "run-1", T));
    assertTrue(e.getMessage().contains("'st_app' runs in global mode"), e.getMessage());
    assertEquals(List.of(), swarm.updates);
  }

  @Test
  void restore_retriesWhenAConcurrentUpdateChangedTheVersion() {
    FakeSwarm swarm = new FakeSwarm(false, 1, Map.of());
    SwarmStop stop = new SwarmStop(swarm);
    stop.scaleToZero("s1", "run-1", T);
    swarm.refuseUpdates = 1;
    assertEquals(OptionalLong.of(1), stop.restore("s1", T));
    assertEquals(1, swarm.service.replicas());
  }

  @Test
  void restore_isNotCutShortByAnInterrupt_andKeepsTheFlag() {
    FakeSwarm swarm = new FakeSwarm(false, 1, Map.of());
    SwarmStop stop = new SwarmStop(swarm);
    stop.scaleToZero("s1", "run-1", T);
    swarm.lag = 3; // the wait polls (and sleeps) a few times
    Thread.currentThread().interrupt();
    try {
      assertEquals(OptionalLong.of(1), stop.restore("s1", T));
      assertTrue(Thread.currentThread().isInterrupted());
      assertEquals(0, swarm.lag);
    } finally {
      Thread.interrupted();
    }
    assertEquals(1, swarm.service.replicas());
  }
}
