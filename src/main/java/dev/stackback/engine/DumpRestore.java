package dev.stackback.engine;

import dev.stackback.label.DatabaseKind;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine;
import dev.stackback.port.Restic;
import dev.stackback.port.Snapshot;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Streams a database dump from the repository back into a running database container.
 *
 * <p>Docker's exec stdin never reaches EOF, so a client cannot read the dump from it directly.
 * Instead: (1) {@code restic dump} is streamed into an exec that reads exactly the file's size
 * ({@code head -c N}, the size from {@code restic ls}) into a temporary file inside the container
 * and checks that all of it arrived; (2) a second exec feeds that file to {@code psql} / {@code
 * mariadb} with credentials read inside the container, and removes the file whatever happens. A cut
 * transfer is never applied. Memory stays flat (a 1 MiB pipe); the container needs room for one
 * copy of the dump in {@code /tmp}.
 */
public final class DumpRestore {
  private static final int PIPE_BUFFER = 1 << 20;
  private static final Duration JOIN_WAIT = Duration.ofSeconds(30);
  private static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(30);

  private final ContainerRuntime runtime;
  private final Restic restic;
  private final Duration timeout;

  /** Thrown when a restore fails; the message says which step and why. */
  public static final class Failed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * @param timeout bound of each of the two execs (and of restic, through the adapter)
   */
  public DumpRestore(ContainerRuntime runtime, Restic restic, Duration timeout) {
    this.runtime = runtime;
    this.restic = restic;
    this.timeout = timeout;
  }

  /** What a restore did: the bytes transferred and the client's exit. */
  public record Result(long bytes, ExecResult apply) {}

  /**
   * The dump snapshot to restore: {@code latest} or an id (full or short prefix) among {@code
   * snapshots}, limited to those holding one file under {@code /databases/}.
   */
  public static Optional<Snapshot> pick(List<Snapshot> snapshots, String idOrLatest) {
    List<Snapshot> dumps = snapshots.stream().filter(s -> dumpPath(s).isPresent()).toList();
    if (idOrLatest == null || idOrLatest.isBlank() || idOrLatest.equals("latest")) {
      return dumps.stream().filter(s -> s.time() != null).max(Comparator.comparing(Snapshot::time));
    }
    return dumps.stream().filter(s -> s.id().startsWith(idOrLatest)).findFirst();
  }

  /** The dump file of a dump snapshot ({@code /databases[/<project>]/<service>/<file>}). */
  public static Optional<String> dumpPath(Snapshot s) {
    return s.paths().size() == 1 && s.paths().get(0).startsWith("/databases/")
        ? Optional.of(s.paths().get(0))
        : Optional.empty();
  }

  /**
   * Restores {@code path} of {@code snapshotId} into the {@code kind} database of {@code
   * containerId}; the client's output goes to {@code log}.
   */
  public Result run(
      String containerId, DatabaseKind kind, String snapshotId, String path, OutputLine log) {
    long size = restic.fileSize(snapshotId, path);
    String file = "/tmp/stack-back-restore-" + UUID.randomUUID() + ".sql";
    boolean applied = false;
    try {
      receive(containerId, snapshotId, path, size, file, log);
      boolean all = path.endsWith("/all_databases.sql");
      ExecResult r =
          runtime.exec(
              new ExecRequest(
                  containerId, DumpCommands.restore(kind, all, file), null, Map.of(), timeout),
              log);
      applied = true;
      if (!r.succeeded()) {
        throw new Failed(
            "the "
                + kind.labelSuffix()
                + " client in the container failed ("
                + HookRunner.describe(r)
                + "): "
                + String.join(" | ", r.tail()),
            null);
      }
      return new Result(size, r);
    } finally {
      if (!applied) {
        removeQuietly(containerId, file);
      }
    }
  }

  private void receive(
      String containerId, String snapshotId, String path, long size, String file, OutputLine log) {
    PipedInputStream in = new PipedInputStream(PIPE_BUFFER);
    PipedOutputStream out;
    try {
      out = new PipedOutputStream(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    AtomicReference<RuntimeException> dumpError = new AtomicReference<>();
    Thread caller = Thread.currentThread();
    Object lock = new Object();
    boolean[] receiving = {true};
    Thread dumper =
        Thread.ofPlatform()
            .name("restic-dump")
            .daemon()
            .start(
                () -> {
                  try (out) {
                    restic.dump(snapshotId, path, out);
                  } catch (RuntimeException | IOException e) {
                    dumpError.set(
                        e instanceof RuntimeException re ? re : new IllegalStateException(e));
                    synchronized (lock) {
                      if (receiving[0]) {
                        caller.interrupt(); // the exec would wait for bytes that never come
                      }
                    }
                  }
                });
    ExecResult r;
    try {
      r =
          runtime.execWithInput(
              new ExecRequest(
                  containerId, DumpCommands.receive(file, size), null, Map.of(), timeout),
              endQuietly(in),
              log);
    } catch (ContainerRuntimeException e) {
      if (dumpError.get() != null) {
        Thread.interrupted(); // our own wake-up call
        throw new Failed("restic dump failed: " + dumpError.get().getMessage(), dumpError.get());
      }
      throw e;
    } finally {
      synchronized (lock) {
        receiving[0] = false;
      }
      closeQuietly(in); // a dumper still writing gets "pipe closed" instead of blocking
      join(dumper);
    }
    if (!r.succeeded()) {
      throw new Failed(
          "receiving the dump in the container failed ("
              + HookRunner.describe(r)
              + "): "
              + String.join(" | ", r.tail()),
          dumpError.get());
    }
    if (dumpError.get() != null) {
      throw new Failed("restic dump failed: " + dumpError.get().getMessage(), dumpError.get());
    }
  }

  private void removeQuietly(String containerId, String file) {
    try {
      runtime.exec(
          new ExecRequest(containerId, List.of("rm", "-f", file), null, Map.of(), CLEANUP_TIMEOUT),
          OutputLine.discard());
    } catch (RuntimeException e) {
      // best effort: the container may be gone
    }
  }

  private static void join(Thread t) {
    try {
      t.join(JOIN_WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The pipe as the Docker transport's copy thread reads it: a pipe that broke or was closed reads
   * as end of stream instead of an exception that thread would print as uncaught. Nothing is lost:
   * the receiving command counts the bytes ({@code head -c N}) and we check them.
   */
  private static InputStream endQuietly(PipedInputStream in) {
    return new FilterInputStream(in) {
      @Override
      public int read() {
        try {
          return super.read();
        } catch (IOException e) {
          return -1;
        }
      }

      @Override
      public int read(byte[] b, int off, int len) {
        try {
          return super.read(b, off, len);
        } catch (IOException e) {
          return -1;
        }
      }
    };
  }

  private static void closeQuietly(PipedInputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
