package dev.stackback.port;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
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

  /** All containers, running or not, with labels, env and mounts filled in. */
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

  /** Starts a container and waits until Docker reports it running, up to {@code timeout}. */
  void start(String containerId, Duration timeout);

  /**
   * Creates, starts and waits for a worker container, streaming its log lines; the container is
   * removed afterwards whatever happens. The exit code is the worker's.
   */
  ExecResult runWorker(WorkerSpec spec, OutputLine output);

  /** Worker containers (carrying {@link #WORKER_LABEL}) that still exist, e.g. after a crash. */
  List<ContainerInfo> listWorkers();

  /**
   * Removes an orphan worker: a running one first gets SIGINT (restic then releases its repository
   * lock) and a bounded wait, then the container is removed forcibly.
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

  @Override
  void close();
}
