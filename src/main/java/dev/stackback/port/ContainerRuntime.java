package dev.stackback.port;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Port to the container engine. Every call is bounded: the adapter applies its own connect/read
 * timeouts, and the methods that take a {@link Duration} never wait longer than that.
 */
public interface ContainerRuntime extends AutoCloseable {

  /** Label that marks our worker containers; they are never backup targets. */
  String WORKER_LABEL = "stack-back.worker";

  /**
   * Label of a worker spec and its container: the swarm node id it must run on (SWARM_MODE, a
   * target on another node); absent: the engine we talk to.
   */
  String WORKER_NODE_LABEL = "stack-back.worker.node";

  /**
   * All containers, running or not, with labels and mounts filled in; env is filled in for every
   * container that carries a {@code stack-back.} / {@code restic-compose-backup.} label or runs a
   * database image (the only ones whose env the planner reads), and may be empty for the others.
   */
  List<ContainerInfo> listContainers();

  /** One container by id or name, or empty if it does not exist. */
  Optional<ContainerInfo> inspect(String idOrName);

  /**
   * The id of the container this process runs in, found from the inside (cgroup, mountinfo,
   * hostname matched against the engine), or empty when we run on a host.
   */
  Optional<String> findOwnContainerId();

  /**
   * Runs a command in a running container; each output line goes to {@code output} as it arrives.
   * On timeout the command is killed (best effort) and the result says so.
   */
  ExecResult exec(ExecRequest request, OutputLine output);

  /**
   * Runs a command in a running container and copies its stdout, byte for byte as it arrives, to
   * {@code stdout} (not closed); stderr lines go to {@code stderr}. For database dumps: no
   * buffering of the whole stream.
   */
  ExecResult execStreaming(ExecRequest request, OutputStream stdout, OutputLine stderr);

  /**
   * Runs a command in a running container with {@code stdin} copied to the command's stdin; each
   * output line goes to {@code output}. The command never sees EOF on its stdin (the Docker API
   * cannot half-close it), so it must stop reading by itself, e.g. {@code head -c <bytes>}.
   * Interrupting the calling thread kills the command.
   */
  ExecResult execWithInput(ExecRequest request, InputStream stdin, OutputLine output);

  /** Stops a container, waiting up to {@code timeout} before Docker kills it. */
  void stop(String containerId, Duration timeout);

  /**
   * Starts a container and returns as soon as the engine reports it running (no settle time), up to
   * {@code timeout}. A container that has already exited or died right after the start is a failed
   * start at once, with its exit code in the message.
   *
   * @return the start as the engine saw it, for {@link #confirmRunning}
   */
  StartedContainer start(String containerId, Duration timeout);

  /**
   * Checks that started containers stayed up: waits until {@code minUptime} has passed since the
   * LAST of them was started (one wait for all, not one per container), then looks at each once. A
   * container that is gone, not running, or was started again meanwhile (a restart policy brought
   * it back) is a problem; the rest are fine.
   *
   * @return one problem per container that did not stay up, in the order given
   */
  default List<StartedContainer.Problem> confirmRunning(
      List<StartedContainer> started, Duration minUptime) {
    return confirmRunning(started, minUptime, Duration.ZERO);
  }

  /**
   * As {@link #confirmRunning(List, Duration)}, and then, for every container that stayed up and
   * has a healthcheck, waits (all of them together, never one after the other) until it is healthy,
   * unhealthy, or {@code healthTimeout} has passed since its start. Unhealthy or still not healthy
   * at its deadline is a problem whose message names the health status and the last health-log
   * entry. Containers without a healthcheck are not waited for. When some were waited for, the
   * others are looked at once more at the end (a service that died while its database was still
   * starting is caught). {@code healthTimeout} zero: no health wait at all.
   *
   * @return one problem per container that did not stay up or did not become healthy, in the order
   *     given
   */
  List<StartedContainer.Problem> confirmRunning(
      List<StartedContainer> started, Duration minUptime, Duration healthTimeout);

  /**
   * Creates and starts a long-lived worker container that idles until {@link #remove}d: the spec's
   * entrypoint must be empty (the adapter gives it an idle main process that exits at once on
   * SIGTERM/SIGINT and then first interrupts whatever runs in it). Commands run in it with {@link
   * #exec}; {@code spec.timeout()} bounds the start. A worker that cannot be created or started is
   * removed again before the exception.
   *
   * @return the worker's container id
   */
  String startWorker(WorkerSpec spec);

  /**
   * Creates, starts and waits for a worker container that runs {@code spec.entrypoint()} (e.g.
   * {@code restic restore}), streaming its log lines; the container is removed afterwards whatever
   * happens. The exit code is the worker's.
   */
  ExecResult runWorker(WorkerSpec spec, OutputLine output);

  /**
   * Creates and starts a scratch container ({@link ScratchSpec}: the image's own entrypoint, no
   * network) and returns its id once the engine reports it running; {@link #remove} removes it with
   * its anonymous volumes. One that cannot be created or started is removed again before the
   * exception.
   */
  default String startScratch(ScratchSpec spec) {
    throw new UnsupportedOperationException("this runtime cannot start scratch containers");
  }

  /** Worker containers (carrying {@link #WORKER_LABEL}) that still exist, e.g. after a crash. */
  List<ContainerInfo> listWorkers();

  /**
   * Every worker container wherever this runtime reaches, or a {@link ContainerRuntimeException}
   * when some place cannot be asked (a node whose agent does not answer, the agents not known yet):
   * for decisions that are safe only with the whole picture (removing dead workers' repository
   * locks). On one engine: {@link #listWorkers}.
   */
  default List<ContainerInfo> listAllWorkers() {
    return listWorkers();
  }

  /**
   * Removes a worker (ours at the end of a run, or an orphan): a running one first gets SIGINT
   * (restic then releases its repository lock) and a bounded wait, then the container is removed
   * forcibly. A worker that is already gone is fine.
   */
  void remove(String containerId);

  /**
   * Creates a container named {@code name} from {@code image} with {@code labels} and never starts
   * it: a marker whose name is unique on the engine (an engine-wide lock). Returns its id, or empty
   * when a container of that name exists already (the name is taken atomically by the engine).
   */
  Optional<String> createMarker(String name, String image, Map<String, String> labels);

  /** Removes a marker container by id; one that is already gone is no error. */
  void removeMarker(String containerId);

  /**
   * The Swarm API of this engine ({@code SWARM_MODE=true} only), or empty when the adapter has
   * none.
   */
  default Optional<SwarmRuntime> swarm() {
    return Optional.empty();
  }

  /**
   * The swarm configs, tasks and nodes a lock across managers needs ({@code SWARM_MODE=true} only),
   * or empty when the adapter has none.
   */
  default Optional<SwarmLocks> swarmLocks() {
    return Optional.empty();
  }

  /**
   * The container's state for a failure report (status, exit code, OOM flag, restart count), or
   * empty when it no longer exists. The default: this runtime cannot say.
   */
  default Optional<ContainerState> state(String containerId) {
    throw new UnsupportedOperationException("this runtime reports no container state");
  }

  /**
   * The last {@code lines} lines of the container's log (stdout and stderr, oldest first), waiting
   * at most {@code timeout}; what arrived by then is returned. The default: this runtime cannot
   * say.
   */
  default List<String> logTail(String containerId, int lines, Duration timeout) {
    throw new UnsupportedOperationException("this runtime reads no container logs");
  }

  /**
   * The engine's events about the container from {@code since} to {@code until}, oldest first,
   * waiting at most {@code timeout}; what arrived by then is returned. The default: this runtime
   * cannot say.
   */
  default List<ContainerEvent> events(
      String containerId, Instant since, Instant until, Duration timeout) {
    throw new UnsupportedOperationException("this runtime reads no engine events");
  }

  @Override
  void close();
}
