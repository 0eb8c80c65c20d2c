package dev.stackback.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.OutputLine;
import dev.stackback.port.WorkerSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Calls go to the engine of the container's node. */
class RoutingRuntimeTest {
  private final List<String> journal = Collections.synchronizedList(new ArrayList<>());
  private final FakeNode node1 = new FakeNode("node1", journal, Map.of("local1", info("local1")));
  private final FakeNode node2 = new FakeNode("node2", journal, Map.of("app2", info("app2")));
  private final RoutingRuntime routing = new RoutingRuntime(node1.runtime());

  private static ContainerInfo info(String id) {
    return FakeNode.container(id, false);
  }

  /** An idle worker's spec for node {@code node}. */
  private static WorkerSpec worker(String node) {
    return WorkerSpec.idle(
        "img",
        Map.of(),
        List.of(),
        Map.of(ContainerRuntime.WORKER_NODE_LABEL, node),
        Duration.ofSeconds(5));
  }

  private static ExecRequest echo(String container) {
    return ExecRequest.shell(container, "echo hi", null, Duration.ofSeconds(5));
  }

  @Test
  void beforeAgentsAreKnown_everythingIsLocal() {
    routing.exec(echo("app2"), OutputLine.discard());
    assertEquals(List.of("node1 exec app2 sh -c echo hi"), journal);
  }

  @Test
  void aContainerFoundOnAnotherNode_isExecutedThere_othersLocally() {
    routing.reach("n1", Map.of("n2", node2.runtime()));
    assertEquals("app2", routing.inspectOn("n2", "app2").orElseThrow().id());
    routing.exec(echo("app2"), OutputLine.discard());
    routing.exec(echo("local1"), OutputLine.discard());
    routing.inspect("app2");
    assertEquals(
        List.of(
            "node2 inspect app2",
            "node2 exec app2 sh -c echo hi",
            "node1 exec local1 sh -c echo hi",
            "node2 inspect app2"),
        journal);
  }

  @Test
  void workerWithANodeLabel_startsOnThatNode_andIsRemovedThere() {
    routing.reach("n1", Map.of("n2", node2.runtime()));
    WorkerSpec remote = worker("n2");
    WorkerSpec local = worker("n1");
    String w2 = routing.startWorker(remote);
    String w1 = routing.startWorker(local);
    routing.exec(echo(w2), OutputLine.discard());
    routing.remove(w2);
    routing.remove(w1);
    assertEquals(
        List.of(
            "node2 startWorker ",
            "node1 startWorker ",
            "node2 exec node2-worker sh -c echo hi",
            "node2 remove node2-worker",
            "node1 remove node1-worker"),
        journal);
  }

  @Test
  void allWorkers_areEveryNodes_butAnErrorBeforeTheAgentsAreKnown_orWhenOneCannotList() {
    ContainerRuntimeException early =
        assertThrows(ContainerRuntimeException.class, routing::listAllWorkers);
    assertEquals(
        "the stack-back agents of the other swarm nodes are not known yet (before discovery)",
        early.getMessage());
    routing.reach("n1", Map.of("n2", node2.runtime()));
    assertEquals(
        List.of("node1-worker", "node2-worker"),
        routing.listAllWorkers().stream().map(ContainerInfo::id).toList());

    ContainerRuntime down =
        (ContainerRuntime)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {ContainerRuntime.class},
                (p, m, a) -> {
                  throw new ContainerRuntimeException("cannot connect: Connect timed out");
                });
    routing.reach("n1", Map.of("n3", down));
    ContainerRuntimeException e =
        assertThrows(ContainerRuntimeException.class, routing::listAllWorkers);
    assertEquals(
        "cannot list the workers of node n3: cannot connect: Connect timed out", e.getMessage());
  }

  @Test
  void restoreCalls_goToTheNodeOfTheirContainerOrWorker() {
    routing.reach("n1", Map.of("n2", node2.runtime()));
    routing.inspectOn("n2", "app2");
    routing.execWithInput(
        echo("app2"), new java.io.ByteArrayInputStream(new byte[0]), (s, l) -> {});
    routing.execWithInput(
        echo("local1"), new java.io.ByteArrayInputStream(new byte[0]), (s, l) -> {});
    WorkerSpec restore =
        new WorkerSpec(
            "img",
            List.of("restic", "restore"),
            Map.of(),
            List.of(),
            Map.of(ContainerRuntime.WORKER_NODE_LABEL, "n2"),
            Duration.ofSeconds(5));
    routing.runWorker(restore, OutputLine.discard());
    routing.runWorker(
        new WorkerSpec(
            "img",
            List.of("restic", "restore"),
            Map.of(),
            List.of(),
            Map.of(),
            Duration.ofSeconds(5)),
        OutputLine.discard());
    assertEquals(
        List.of(
            "node2 inspect app2",
            "node2 input app2 sh -c echo hi",
            "node1 input local1 sh -c echo hi",
            "node2 runWorker restic restore ",
            "node1 runWorker restic restore "),
        journal);
  }

  @Test
  void workerOnANodeWithoutAgent_isAnErrorNamingTheNode() {
    routing.reach("n1", Map.of("n2", node2.runtime()));
    WorkerSpec spec = worker("n3");
    ContainerRuntimeException e =
        assertThrows(ContainerRuntimeException.class, () -> routing.startWorker(spec));
    assertEquals("no stack-back agent on swarm node n3", e.getMessage());
  }

  @Test
  void everyDefaultMethodOfThePort_isDelegated_noneIsLeftToItsDefault() throws Exception {
    for (java.lang.reflect.Method m : ContainerRuntime.class.getMethods()) {
      // a default that only calls its overload (confirmRunning) is fine when that one is ours
      boolean overload =
          java.util.Arrays.stream(RoutingRuntime.class.getDeclaredMethods())
              .anyMatch(
                  r ->
                      r.getName().equals(m.getName())
                          && r.getParameterCount() != m.getParameterCount());
      if (m.isDefault() && !overload) {
        assertEquals(
            RoutingRuntime.class,
            RoutingRuntime.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass(),
            m.getName() + " must go to the local runtime or an agent, not to the port's default");
      }
    }
  }

  @Test
  void listWorkers_ofEveryNode() {
    routing.reach("n1", Map.of("n2", node2.runtime()));
    assertEquals(
        List.of("node1-worker", "node2-worker"),
        routing.listWorkers().stream().map(ContainerInfo::id).toList());
    routing.remove("node2-worker");
    assertEquals("node2 remove node2-worker", journal.get(journal.size() - 1));
  }
}
