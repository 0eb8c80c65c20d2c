package dev.stackback.engine;

import static dev.stackback.engine.EngineHarness.FORGET;
import static dev.stackback.engine.EngineHarness.REPO;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackback.engine.fakes.Stack;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.WorkerSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SWARM_MODE with agents (issue 11): a run's volumes are snapshotted by one worker per node, each
 * holding only its node's volumes and marked with the node it must run on.
 */
class SnapshotWorkerNodesTest {
  @TempDir Path state;

  @Test
  void targetsOnTwoNodes_getAWorkerEach_ownNodeUnmarked() {
    Stack s = new Stack();
    s.self().label(SnapshotWorker.SWARM_NODE_ID, "n1");
    s.service("files").backsUpData().label(SnapshotWorker.SWARM_NODE_ID, "n1");
    s.service("web").backsUpData().label(SnapshotWorker.SWARM_NODE_ID, "n2");
    EngineHarness h = new EngineHarness(s, state);

    RunReport report = h.run();

    assertEquals(0, report.exitCode());
    assertEquals(
        List.of(
            REPO,
            "worker start /volumes/files/data",
            "worker backup files /volumes/files/data",
            "worker start /volumes/web/data",
            "worker backup web /volumes/web/data",
            "remove worker",
            "remove worker",
            FORGET,
            EngineHarness.CHECK),
        h.journal.entries());
    List<Map<String, String>> labels =
        h.runtime.workers().stream().map(WorkerSpec::labels).toList();
    assertEquals(null, labels.get(0).get(ContainerRuntime.WORKER_NODE_LABEL), "own node: local");
    assertEquals("n2", labels.get(1).get(ContainerRuntime.WORKER_NODE_LABEL));
  }

  @Test
  void withoutNodes_oneWorkerHoldsEveryVolume_asOnOneHost() {
    Stack s = new Stack();
    s.service("files").backsUpData();
    s.service("web").backsUpData();
    EngineHarness h = new EngineHarness(s, state);

    h.run();

    assertEquals(1, h.runtime.workers().size());
    assertEquals("worker start /volumes/files/data /volumes/web/data", h.journal.entries().get(1));
  }
}
