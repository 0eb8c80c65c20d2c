package dev.stackback.engine;

import dev.stackback.config.Redaction;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine;
import dev.stackback.port.Restic;
import dev.stackback.port.WorkerSpec;
import dev.stackback.util.OutputTail;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the repository locks of dead worker containers of one backup host. Every worker has the
 * hostname {@link WorkerSpec#hostnameFor}; restic's own {@code unlock} removes a lock of its own
 * hostname whose pid does not exist, so {@code restic unlock} (stale locks only, never {@code
 * --remove-all}) runs in a fresh one-shot worker with that hostname, where no process of a dead
 * worker exists. Two details make the pids line up: a worker's restic is never PID 1 (the worker's
 * idle shell is), and restic 0.14 tests a pid with {@code kill}, which also reaches its own threads
 * (whose ids in a fresh pid namespace are the small numbers the dead restic had), so the one-shot
 * container first uses up pids up to the largest pid in our workers' locks and then {@code exec}s
 * restic as PID 1: its threads get larger ids, every pid of those locks is free. Locks of other
 * hostnames (other machines, stack-back itself, other backup hosts' workers) are judged as restic
 * always does; locks older than 30 minutes go as always.
 *
 * <p>Safe only while no worker of this host runs: a live worker's restic would look dead from the
 * fresh container. The caller arms it ({@link Restic#sweepLocksWith}) only while it holds the run
 * lock and the engine lock of the host (so no other run of this host starts a worker), and {@link
 * #sweep} looks first: any worker of the host that is not exited/dead/created (a live orphan of a
 * killed run, or this run's own worker) means nothing is done. On a swarm it looks on every node
 * with an agent (the workers there share the hostname, so their dead locks go too); when a node's
 * agent does not answer, or the agents are not known yet, nothing is done either.
 */
public final class DeadWorkerLocks implements Restic.LockSweeper {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.restic");
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final Set<String> NO_PROCESSES = Set.of("exited", "dead", "created");

  /**
   * Locks with larger pids are left to restic's 30 minutes (using up more pids takes too long), as
   * are pids at the kernel's {@code pid_max} (no pid above them can be had).
   */
  static final long MAX_PID = Math.min(50_000, pidMax(Path.of("/proc/sys/kernel/pid_max")) - 2);

  /**
   * Forks no-op children until one gets a pid above {@code $1} (or the pids wrap around), then
   * execs the rest ({@code restic unlock}) as PID 1. The children are reaped at once, so every pid
   * up to {@code $1} but 1 is free.
   */
  static final String USE_UP_PIDS =
      "max=$1; shift; p=0; while [ \"$p\" -le \"$max\" ]; do : & q=$!; wait \"$q\";"
          + " [ \"$q\" -lt \"$p\" ] && break; p=$q; done; exec \"$@\"";

  /** The kernel's {@code pid_max} (Linux's default 32768 when it cannot be read). */
  static long pidMax(Path file) {
    // a stream, not Files.readString: that trusts the size /proc reports and returned "3" here
    try (InputStream in = Files.newInputStream(file)) {
      return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }

  private final ContainerRuntime runtime;
  private final Restic restic;
  private final ContainerInfo self;
  private final String host;
  private final Map<String, String> env;

  /**
   * @param self the stack-back container (its image and mounts, like a worker's)
   * @param host the backup host whose workers' locks are removed
   * @param env the workers' environment (restic's repository settings)
   */
  public DeadWorkerLocks(
      ContainerRuntime runtime,
      Restic restic,
      ContainerInfo self,
      String host,
      Map<String, String> env) {
    this.runtime = runtime;
    this.restic = restic;
    this.self = self;
    this.host = host;
    this.env = Map.copyOf(env);
  }

  /** The one-shot worker that runs {@code restic unlock} with the workers' hostname. */
  WorkerSpec spec(long maxPid) {
    List<String> argv = new ArrayList<>(List.of("sh", "-c", USE_UP_PIDS, "sh"));
    argv.add(Long.toString(maxPid));
    argv.addAll(restic.unlockCommand());
    return new WorkerSpec(
            self.exactImage(),
            argv,
            WorkerEnv.of(env, self),
            SnapshotWorker.mounts(self),
            Map.of(BackupPhase.WORKER_HOST_LABEL, host),
            TIMEOUT)
        .withHostname(WorkerSpec.hostnameFor(host))
        .withNetworksOf(self.id());
  }

  /** Workers of our host that may still have processes. */
  List<String> liveWorkers() {
    return runtime.listAllWorkers().stream()
        .filter(w -> host.equals(w.labels().get(BackupPhase.WORKER_HOST_LABEL)))
        .filter(w -> w.running() || !NO_PROCESSES.contains(w.state()))
        .map(ContainerInfo::shortId)
        .toList();
  }

  /**
   * Runs the unlock when {@code locks} has a lock of our workers and no worker of the host is
   * alive; logs what happened, throws when the worker cannot run.
   */
  @Override
  public synchronized void sweep(List<Restic.LockInfo> locks) {
    String hostname = WorkerSpec.hostnameFor(host);
    List<Restic.LockInfo> ours =
        locks.stream().filter(l -> l.hostname().equals(hostname) && l.pid() > 1).toList();
    if (ours.isEmpty()) {
      return;
    }
    long maxPid = ours.stream().mapToLong(Restic.LockInfo::pid).max().orElseThrow();
    if (maxPid > MAX_PID) {
      LOG.warn(
          "a lock of a worker of host '{}' has pid {}: left to restic (removed once 30 minutes old)",
          host,
          maxPid);
      return;
    }
    List<String> live;
    try {
      live = liveWorkers();
    } catch (RuntimeException e) {
      // a worker we cannot see (a swarm node whose agent does not answer) may be alive
      LOG.warn(
          "not removing locks of dead workers of host '{}': cannot see every worker: {}",
          host,
          e.getMessage());
      return;
    }
    if (!live.isEmpty()) {
      LOG.info(
          "not removing locks of dead workers of host '{}': worker(s) {} still exist",
          host,
          String.join(", ", live));
      return;
    }
    WorkerSpec spec = spec(maxPid);
    OutputTail said = new OutputTail();
    ExecResult r =
        runtime.runWorker(
            spec,
            (stream, line) -> {
              if (stream == OutputLine.Stream.STDOUT) {
                said.add(line);
              }
            });
    if (r.succeeded()) {
      LOG.info(
          "restic unlock as a fresh worker (hostname {}) for {} lock(s) of dead workers: {}",
          hostname,
          ours.size(),
          redact(String.join(" ", said.snapshot()).strip()));
    } else {
      LOG.warn(
          "restic unlock as a fresh worker (hostname {}) failed (exit {}): {}",
          hostname,
          r.exitCode(),
          redact(String.join(" ", r.tail()).strip()));
    }
  }

  /** {@code text} with secret values of the environment and URL credentials hidden. */
  String redact(String text) {
    return Redaction.text(text, env);
  }
}
