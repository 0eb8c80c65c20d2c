package dev.stackback.engine;

import dev.stackback.plan.Plan;
import dev.stackback.plan.Target;
import dev.stackback.plan.VolumeSnapshot;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.MountInfo;
import dev.stackback.port.OutputLine;
import dev.stackback.port.Restic;
import dev.stackback.port.WorkerSpec;
import dev.stackback.port.WorkerSpec.WorkerMount;
import dev.stackback.util.Uninterruptibly;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker container(s) of a backup run: one per node that holds volumes to snapshot (on one
 * host: exactly one), started at the first volume snapshot on that node (a run with nothing to
 * snapshot starts none) with stack-back's image, environment and mounts (not the Docker socket) and
 * EVERY snapshot target's volumes of that node read-only at their snapshot paths; each snapshot is
 * then an exec of {@code restic backup} in it. A target's node is its container's swarm node label
 * ({@link #NODE_LABEL} on the worker spec): the runtime (SWARM_MODE: {@code RoutingRuntime}) starts
 * the worker there, through that node's agent. {@link #interrupt()} (SIGTERM of stack-back) stops a
 * running snapshot the safe way: restic gets SIGINT and drops its lock. {@link #remove()} at the
 * end of the phase; crash recovery removes them by their labels.
 */
final class SnapshotWorker {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.backup");

  /** Label of a swarm task container: the node it runs on. */
  static final String SWARM_NODE_ID = "com.docker.swarm.node.id";

  /** Label of a worker spec (and container): the swarm node it must run on; "" for this one. */
  static final String NODE_LABEL = ContainerRuntime.WORKER_NODE_LABEL;

  private final ContainerRuntime runtime;
  private final Restic restic;
  private final EngineSettings settings;
  private final Plan plan;
  // node ("" for the local one) -> its worker, in plan order
  private final Map<String, NodeWorker> workers = new LinkedHashMap<>();

  SnapshotWorker(ContainerRuntime runtime, Restic restic, EngineSettings settings, Plan plan) {
    this.runtime = runtime;
    this.restic = restic;
    this.settings = settings;
    this.plan = plan;
    Map<String, List<VolumeSnapshot>> byNode = new LinkedHashMap<>();
    for (Target t : plan.targets()) {
      byNode.computeIfAbsent(node(t), k -> new ArrayList<>()).addAll(t.volumes());
    }
    if (byNode.isEmpty()) {
      byNode.put("", List.of());
    }
    byNode.forEach((node, volumes) -> workers.put(node, new NodeWorker(node, volumes)));
  }

  /**
   * The swarm node of {@code t}'s containers: "" when it is stack-back's own node (or no swarm
   * task).
   */
  private String node(Target t) {
    String node = t.service().primary().label(SWARM_NODE_ID);
    return node == null || node.equals(plan.self().primary().label(SWARM_NODE_ID)) ? "" : node;
  }

  /**
   * Starts the worker of {@code t}'s node unless it runs already; throws why it could not start
   * (once tried, a failed start is not tried again: every later snapshot gets the same answer).
   */
  void ensureStarted(Target t) {
    workers.get(node(t)).ensureStarted();
  }

  /**
   * Starts the workers on {@code executor} while the run does other things (the repository check,
   * pre hooks), for the nodes with volumes to snapshot; a failure is kept for {@link
   * #ensureStarted} to report at the first snapshot, as if it had happened there.
   */
  void prestart(Executor executor) {
    for (NodeWorker w : workers.values()) {
      if (w.volumes.isEmpty()) {
        continue;
      }
      executor.execute(
          () -> {
            try {
              w.ensureStarted();
            } catch (RuntimeException e) {
              LOG.debug("starting the worker ahead failed: {}", e.getMessage());
            }
          });
    }
  }

  /**
   * {@code restic backup} of {@code t}'s volumes in its node's worker (started first if need be),
   * with {@code tags}.
   */
  ExecResult backup(Target t, List<String> tags, OutputLine log) {
    return workers.get(node(t)).backup(t, tags, log, null);
  }

  /**
   * Starts the {@code restic backup} of {@code t}'s volumes on a thread of its own behind a {@link
   * SnapshotGate}: restic opens the repository while {@code t} is being stopped and reads nothing
   * before {@link Ahead#open}. Every {@code Ahead} must be opened or aborted.
   */
  Ahead backupAhead(Target t, List<String> tags, OutputLine log) {
    NodeWorker w = workers.get(node(t));
    SnapshotGate gate = new SnapshotGate();
    w.gated(gate);
    FutureTask<ExecResult> task =
        new FutureTask<>(() -> w.backup(t, tags, gate.watching(log), gate));
    Thread.ofPlatform().daemon().name("stack-back-snapshot").start(task);
    return new Ahead(gate, task);
  }

  /** A snapshot started by {@link #backupAhead}. */
  static final class Ahead {
    private final SnapshotGate gate;
    private final FutureTask<ExecResult> exec;
    private final long started = System.nanoTime();

    private Ahead(SnapshotGate gate, FutureTask<ExecResult> exec) {
      this.gate = gate;
      this.exec = exec;
    }

    /**
     * Waits until restic waits at the gate (repository open, key derived, lock taken), its exec
     * ended before (then the snapshot's result says why), or {@code maxNanos} passed; true when it
     * is at the gate. An interrupt ends the wait early and is kept.
     */
    boolean awaitReached(long maxNanos) {
      try {
        return gate.awaitReached(exec::isDone, maxNanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    /** True when restic's exec has ended (whether or not it reached the gate). */
    boolean ended() {
      return exec.isDone();
    }

    /** How long restic took from the exec to the gate, or -1 while it has not reached it. */
    long nanosToGate() {
      long at = gate.reachedAt();
      return at == 0 ? -1 : at - started;
    }

    /**
     * The container is stopped: restic may read; returns restic's result (or throws). An interrupt
     * does not cut the wait, it is kept.
     */
    ExecResult openAndAwait() {
      gate.open();
      try {
        return Uninterruptibly.get(exec);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException(e.getCause());
      }
    }

    /** No snapshot (the stop failed, the run ends): restic exits; waits for that. */
    void abort() {
      gate.abort();
      try {
        Uninterruptibly.get(exec); // an interrupt does not cut the wait, it is kept
      } catch (ExecutionException e) {
        LOG.debug("the aborted snapshot ended with {}", e.getCause().toString());
      }
    }
  }

  /** Stops a running snapshot (restic gets SIGINT) and any later one; safe from any thread. */
  void interrupt() {
    workers.values().forEach(NodeWorker::interrupt);
  }

  /**
   * Removes the workers that were started (waiting for a start in progress, {@link #prestart}), and
   * keeps later snapshots from starting another; failures are logged, never thrown.
   */
  void remove() {
    workers.values().forEach(NodeWorker::remove);
  }

  /** The worker of one node. */
  private final class NodeWorker {
    private final String node;
    private final List<VolumeSnapshot> volumes;
    // guarded by startLock: creating the worker never blocks interrupt() or remove()
    private final Object startLock = new Object();
    private RuntimeException startFailure;
    // guarded by this
    private String id;
    private final Set<Thread> execThreads = new HashSet<>();
    // gated snapshots of this worker: an interrupt aborts them (restic waits at the gate)
    private final List<SnapshotGate> gates = new ArrayList<>();
    private boolean interrupted;

    NodeWorker(String node, List<VolumeSnapshot> volumes) {
      this.node = node;
      this.volumes = List.copyOf(volumes);
    }

    void ensureStarted() {
      synchronized (startLock) {
        synchronized (this) {
          if (id != null) {
            return;
          }
        }
        if (startFailure != null) {
          throw startFailure;
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(BackupPhase.WORKER_HOST_LABEL, plan.host());
        if (!node.isEmpty()) {
          labels.put(NODE_LABEL, node);
        }
        Map<String, String> env = WorkerEnv.of(settings.workerEnv(), plan.self().primary());
        WorkerSpec spec =
            WorkerSpec.idle(
                    plan.self().primary().exactImage(),
                    env,
                    mounts(plan, volumes, true),
                    labels,
                    settings.startTimeout())
                // restic's locks from this worker carry it: DeadWorkerLocks can clear them if it
                // dies
                .withHostname(WorkerSpec.hostnameFor(plan.host()));
        // a repository on a path needs no network (and the worker starts faster without); any
        // other may be a service of stack-back's own networks (minio, sftp)
        spec =
            WorkerEnv.offline(env)
                ? spec.withoutNetwork()
                : spec.withNetworksOf(plan.self().primary().id());
        try {
          String started = runtime.startWorker(spec);
          synchronized (this) {
            id = started;
          }
          LOG.debug("worker {} started with {} volume(s)", started, volumes.size());
        } catch (RuntimeException e) {
          startFailure = e;
          throw e;
        }
      }
    }

    synchronized void gated(SnapshotGate gate) {
      gates.removeIf(g -> g.opened());
      gates.add(gate);
      if (interrupted) {
        gate.abort();
      }
    }

    ExecResult backup(Target t, List<String> tags, OutputLine log, SnapshotGate gate) {
      ensureStarted();
      String worker;
      synchronized (this) {
        worker = id;
      }
      List<String> paths = t.volumes().stream().map(VolumeSnapshot::snapshotPath).toList();
      List<String> command = restic.backupCommand(plan.host(), tags, paths);
      ExecRequest request =
          new ExecRequest(
              worker,
              gate == null ? command : SnapshotGate.command(command, SnapshotGate.fifoPath()),
              null,
              restic.backupCommandEnv(),
              settings.backupTimeout(),
              "INT");
      synchronized (this) {
        if (interrupted) {
          throw new ContainerRuntimeException("the run was interrupted before restic started");
        }
        if (worker == null) {
          throw new ContainerRuntimeException("the worker container was removed");
        }
        execThreads.add(Thread.currentThread());
      }
      try {
        return gate == null
            ? runtime.exec(request, log)
            : runtime.execWithInput(request, gate, log);
      } finally {
        synchronized (this) {
          execThreads.remove(Thread.currentThread());
          // an interrupt aimed at this exec must not hit a later call of the same thread
          Thread.interrupted();
        }
      }
    }

    synchronized void interrupt() {
      interrupted = true;
      gates.forEach(SnapshotGate::abort);
      execThreads.forEach(Thread::interrupt);
    }

    void remove() {
      String worker;
      synchronized (startLock) {
        if (startFailure == null) {
          startFailure = new ContainerRuntimeException("the worker container was removed");
        }
      }
      synchronized (this) {
        worker = id;
        id = null;
      }
      if (worker == null) {
        return;
      }
      try {
        runtime.remove(worker);
      } catch (RuntimeException e) {
        LOG.error(
            "could not remove worker container {}: {} (the next run's recovery removes it)",
            worker,
            e.getMessage());
      }
    }
  }

  /**
   * A worker's mounts: the stack-back container's (not the Docker socket, so a local repository
   * path is the same inside) and {@code volumes} at their snapshot paths.
   */
  static List<WorkerMount> mounts(Plan plan, List<VolumeSnapshot> volumes, boolean readOnly) {
    List<WorkerMount> mounts = mounts(plan.self().primary());
    for (VolumeSnapshot v : volumes) {
      mounts.add(toWorker(v.mount(), v.snapshotPath(), readOnly));
    }
    return mounts;
  }

  /**
   * The stack-back container's volume and bind mounts but the Docker socket, as a worker's (a tmpfs
   * would be a new empty one in the worker; swarm secrets and configs are no mounts Docker lists:
   * see {@link WorkerEnv}).
   */
  static List<WorkerMount> mounts(ContainerInfo self) {
    List<WorkerMount> mounts = new ArrayList<>();
    for (MountInfo m : self.mounts()) {
      if (m.isDockerSocket()
          || (m.type() != MountInfo.Type.VOLUME && m.type() != MountInfo.Type.BIND)) {
        continue;
      }
      mounts.add(toWorker(m, m.destination(), m.readOnly()));
    }
    return mounts;
  }

  private static WorkerMount toWorker(MountInfo m, String destination, boolean readOnly) {
    boolean volume = m.type() == MountInfo.Type.VOLUME && m.name() != null && !m.name().isEmpty();
    return new WorkerMount(
        volume ? MountInfo.Type.VOLUME : MountInfo.Type.BIND,
        volume ? m.name() : m.source(),
        destination,
        readOnly);
  }
}
