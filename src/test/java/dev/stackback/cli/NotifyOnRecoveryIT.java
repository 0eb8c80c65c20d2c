package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stackback.config.Config;
import dev.stackback.config.ConfigLoader;
import dev.stackback.notify.LocalHttp;
import dev.stackback.notify.SampleRuns;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine;
import dev.stackback.port.WorkerSpec;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run that crash recovery closes is notified like any failed run (real HTTP on 127.0.0.1). */
class NotifyOnRecoveryIT {
  @TempDir Path stateDir;

  /** An engine with no containers and no workers. */
  static final class EmptyRuntime implements ContainerRuntime {
    @Override
    public List<ContainerInfo> listContainers() {
      return List.of();
    }

    @Override
    public Optional<ContainerInfo> inspect(String idOrName) {
      return Optional.empty();
    }

    @Override
    public Optional<String> findOwnContainerId() {
      return Optional.empty();
    }

    @Override
    public ExecResult exec(ExecRequest request, OutputLine output) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ExecResult execStreaming(ExecRequest r, OutputStream stdout, OutputLine stderr) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ExecResult execWithInput(ExecRequest r, java.io.InputStream stdin, OutputLine output) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void stop(String containerId, Duration timeout) {
      throw new UnsupportedOperationException();
    }

    @Override
    public dev.stackback.port.StartedContainer start(String containerId, Duration timeout) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<dev.stackback.port.StartedContainer.Problem> confirmRunning(
        List<dev.stackback.port.StartedContainer> started,
        Duration minUptime,
        Duration healthTimeout) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String startWorker(WorkerSpec spec) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ExecResult runWorker(WorkerSpec spec, OutputLine output) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<ContainerInfo> listWorkers() {
      return List.of();
    }

    @Override
    public void remove(String containerId) {}

    @Override
    public Optional<String> createMarker(
        String name, String image, java.util.Map<String, String> labels) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void removeMarker(String containerId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  @Test
  void recoveredRun_isNotifiedAsFailed() throws Exception {
    try (LocalHttp http = new LocalHttp()) {
      Config config =
          ConfigLoader.load(
                  Map.of(
                      "RESTIC_REPOSITORY",
                      "/tmp/repo",
                      "RESTIC_PASSWORD",
                      "x",
                      "STATE_DIR",
                      stateDir.toString(),
                      "NOTIFY_URLS",
                      http.url("/hook")))
              .config()
              .orElseThrow();
      RunRecord running =
          new RunRecord(
              "20250301-0200",
              "schedule",
              RunRecord.RUNNING,
              999_999,
              "demo",
              SampleRuns.T0,
              null,
              null,
              List.of(),
              List.of(),
              null);
      new RunStore(stateDir).save(running);

      new BackupRunner(new RealApp(Map.of())).recover(new EmptyRuntime(), config, "demo");

      assertEquals(1, http.to("/hook").size());
      JsonNode doc = new ObjectMapper().readTree(http.to("/hook").get(0).body());
      assertEquals("20250301-0200", doc.get("runId").asText());
      assertEquals("failed", doc.get("state").asText());
      assertTrue(doc.get("error").asText().contains("stopped mid-run"), doc.get("error").asText());
    }
  }
}
