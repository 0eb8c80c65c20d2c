package dev.stackback.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.label.DatabaseKind;
import dev.stackback.port.BackupSummary;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.KeepPolicy;
import dev.stackback.port.OutputLine;
import dev.stackback.port.Restic;
import dev.stackback.port.ResticException;
import dev.stackback.port.Snapshot;
import dev.stackback.port.StdinProducer;
import dev.stackback.port.WorkerSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link DumpRestore#run} against fakes of both ports that keep a journal: the dump is received
 * whole before the client runs, a failed transfer is never applied, the temporary file goes away.
 */
class DumpRestoreRunTest {
  static final String DUMP = "CREATE TABLE t (x int);\n";
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  final List<String> journal = Collections.synchronizedList(new ArrayList<>());

  @Test
  void receivesExactlyTheDump_thenAppliesIt() {
    FakeRuntime runtime = new FakeRuntime(0);
    DumpRestore.Result r =
        new DumpRestore(runtime, new FakeRestic(DUMP, false), TIMEOUT)
            .run(
                "db",
                DatabaseKind.POSTGRES,
                "snap1",
                "/databases/db/app.sql",
                OutputLine.discard());

    assertEquals(DUMP.length(), r.bytes());
    assertEquals(DUMP, runtime.received.toString(StandardCharsets.UTF_8));
    assertEquals(List.of("ls snap1 /databases/db/app.sql", "receive", "apply psql"), ordered());
  }

  @Test
  void resticDumpFailsMidway_theTransferIsKilled_nothingIsApplied_theFileIsRemoved() {
    FakeRuntime runtime = new FakeRuntime(0);
    DumpRestore restore = new DumpRestore(runtime, new FakeRestic(DUMP, true), TIMEOUT);

    DumpRestore.Failed e =
        assertThrows(
            DumpRestore.Failed.class,
            () ->
                restore.run(
                    "db",
                    DatabaseKind.MARIADB,
                    "snap1",
                    "/databases/db/all_databases.sql",
                    OutputLine.discard()));

    assertTrue(e.getMessage().contains("restic dump failed"), e.getMessage());
    assertEquals(List.of("ls snap1 /databases/db/all_databases.sql", "receive", "rm"), ordered());
    assertTrue(!Thread.currentThread().isInterrupted(), "the interrupt must not leak");
  }

  @Test
  void clientFails_theRestoreFails_namingTheExit() {
    FakeRuntime runtime = new FakeRuntime(3);
    DumpRestore restore = new DumpRestore(runtime, new FakeRestic(DUMP, false), TIMEOUT);

    DumpRestore.Failed e =
        assertThrows(
            DumpRestore.Failed.class,
            () ->
                restore.run(
                    "db",
                    DatabaseKind.MARIADB,
                    "snap1",
                    "/databases/db/all_databases.sql",
                    OutputLine.discard()));

    assertTrue(e.getMessage().contains("exit code 3"), e.getMessage());
    // the client's own script removes the file; no extra clean-up exec
    assertEquals(
        List.of("ls snap1 /databases/db/all_databases.sql", "receive", "apply mariadb"), ordered());
  }

  /** The journal without the dump, which runs on its own thread alongside "receive". */
  private List<String> ordered() {
    assertTrue(journal.contains("dump snap1"), journal.toString());
    return journal.stream().filter(j -> !j.startsWith("dump ")).toList();
  }

  /** Reads stdin like {@code head -c N}: never sees EOF, so it blocks until interrupted. */
  final class FakeRuntime implements ContainerRuntime {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final int clientExit;

    FakeRuntime(int clientExit) {
      this.clientExit = clientExit;
    }

    @Override
    public ExecResult execWithInput(ExecRequest request, InputStream stdin, OutputLine output) {
      journal.add("receive");
      long want = Long.parseLong(request.command().get(request.command().size() - 1));
      try {
        while (received.size() < want) {
          int b = stdin.read();
          if (b < 0) {
            Thread.sleep(TIMEOUT.toMillis()); // Docker never closes an exec's stdin
          } else {
            received.write(b);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ContainerRuntimeException("exec in container 'db' was interrupted", e);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      return new ExecResult(0, false, Duration.ZERO, List.of());
    }

    @Override
    public ExecResult exec(ExecRequest request, OutputLine output) {
      String cmd = String.join(" ", request.command());
      if (request.command().get(0).equals("rm")) {
        journal.add("rm");
        return new ExecResult(0, false, Duration.ZERO, List.of());
      }
      journal.add("apply " + (cmd.contains("psql") ? "psql" : "mariadb"));
      return new ExecResult(clientExit, false, Duration.ZERO, List.of("client says no"));
    }

    @Override
    public List<ContainerInfo> listContainers() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<ContainerInfo> inspect(String idOrName) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<String> findOwnContainerId() {
      throw new UnsupportedOperationException();
    }

    @Override
    public ExecResult execStreaming(ExecRequest request, OutputStream stdout, OutputLine stderr) {
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
      throw new UnsupportedOperationException();
    }

    @Override
    public void remove(String containerId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.util.Optional<String> createMarker(
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

  /** {@code ls} gives the size; {@code dump} writes the bytes, or half of them and fails. */
  final class FakeRestic implements Restic {
    final String content;
    final boolean failHalfway;

    FakeRestic(String content, boolean failHalfway) {
      this.content = content;
      this.failHalfway = failHalfway;
    }

    @Override
    public long fileSize(String snapshotId, String path) {
      journal.add("ls " + snapshotId + " " + path);
      return content.length();
    }

    @Override
    public void dump(String snapshotId, String path, OutputStream out) {
      journal.add("dump " + snapshotId);
      byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
      try {
        out.write(bytes, 0, failHalfway ? bytes.length / 2 : bytes.length);
        out.flush();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      if (failHalfway) {
        throw new ResticException(ResticException.Kind.FAILED, 1, "restic dump failed (exit 1)");
      }
    }

    @Override
    public RepositoryState ensureRepository() {
      throw new UnsupportedOperationException();
    }

    @Override
    public BackupSummary backupStdin(
        String filename,
        String host,
        List<String> tags,
        StdinProducer producer,
        OutputLine log,
        Duration timeout) {
      throw new UnsupportedOperationException();
    }

    @Override
    public BackupSummary backupPaths(
        List<String> paths, String host, List<String> tags, OutputLine log, Duration timeout) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<String> backupCommand(String host, List<String> tags, List<String> paths) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<String> restoreCommand(String snapshotId, List<String> includes) {
      throw new UnsupportedOperationException();
    }

    @Override
    public BackupSummary parseBackupOutput(List<String> stdoutTail, int exitCode) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<Snapshot> snapshots(String host, List<String> tags) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<String> forget(
        String host, String tag, KeepPolicy keep, boolean prune, OutputLine log) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<String> forgetHostsByPaths(
        List<String> hosts, KeepPolicy keep, boolean prune, OutputLine log) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<String> forgetIds(List<String> ids, boolean prune, OutputLine log) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void check(Optional<String> readDataSubset, OutputLine log) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void restore(String snapshotId, Path target, List<String> includes, OutputLine log) {
      throw new UnsupportedOperationException();
    }
  }
}
