package dev.stackback.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import dev.stackback.port.ContainerEvent;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ContainerState;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine;
import dev.stackback.port.ScratchSpec;
import dev.stackback.port.StartedContainer;
import dev.stackback.port.SwarmLocks;
import dev.stackback.port.SwarmRuntime;
import dev.stackback.port.WorkerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/** {@link ContainerRuntime} on a Docker engine through docker-java. */
public final class DockerRuntime implements ContainerRuntime {

  /** Parallel inspects when listing: ~50 containers cost about one round trip's worth each. */
  private static final int INSPECT_PARALLELISM = 8;

  private final DockerClient client;
  private final OwnContainerFinder ownContainerFinder;
  private final ExecRunner execRunner;
  private final WorkerRunner workerRunner;
  private final ContainerStarts starts;
  private final ContainerDiagnostics diagnostics;
  private final SwarmApi swarm;
  // inspect as plain JSON (null: through docker-java, e.g. over TLS)
  private final RawInspect raw;

  DockerRuntime(DockerClient client, OwnContainerFinder.FileSource files) {
    this(client, files, null, null);
  }

  private DockerRuntime(
      DockerClient client, OwnContainerFinder.FileSource files, SwarmApi swarm, RawInspect raw) {
    this.client = client;
    this.swarm = swarm;
    this.raw = raw;
    this.ownContainerFinder = new OwnContainerFinder(files);
    this.execRunner = new ExecRunner(client);
    this.workerRunner = new WorkerRunner(client, raw);
    this.starts = new ContainerStarts(client, raw);
    this.diagnostics = new ContainerDiagnostics(client);
  }

  /**
   * A runtime for the engine named by {@code DOCKER_HOST} ({@code unix://} or {@code tcp://}, e.g.
   * a socket proxy; default {@code unix:///var/run/docker.sock}) and, for TLS, {@code
   * DOCKER_TLS_VERIFY} / {@code DOCKER_CERT_PATH}. Nothing else from the environment is read.
   *
   * @throws IllegalArgumentException when {@code DOCKER_HOST} is malformed
   */
  public static DockerRuntime fromEnvironment(Map<String, String> env) {
    DockerClient client = DockerClients.fromEnvironment(env);
    URI host = DockerClients.resolveHost(env.get("DOCKER_HOST"), p -> Files.exists(Path.of(p)));
    boolean tls = env.get("DOCKER_TLS_VERIFY") != null && !env.get("DOCKER_TLS_VERIFY").isBlank();
    RawHttp http = new RawHttp(host, tls);
    Optional<String> pinned =
        ApiVersions.fromVariable(env.get("DOCKER_API_VERSION"))
            .map(com.github.dockerjava.core.RemoteApiVersion::getVersion);
    return new DockerRuntime(
        client,
        OwnContainerFinder.FileSource.system(),
        new SwarmApi(http),
        tls
            ? null
            : new RawInspect(
                http, () -> pinned.isPresent() ? pinned : ApiVersions.versionOf(client)));
  }

  @Override
  public Optional<SwarmRuntime> swarm() {
    return Optional.ofNullable(swarm);
  }

  @Override
  public Optional<SwarmLocks> swarmLocks() {
    return Optional.ofNullable(swarm);
  }

  /**
   * All containers. Only those the planner may need more of are inspected (see {@link
   * ContainerMapper#needsInspect}); the rest are taken from the list response, without env.
   */
  @Override
  public List<ContainerInfo> listContainers() {
    return inspectWhere(
        call("list containers", () -> client.listContainersCmd().withShowAll(true).exec()),
        ContainerMapper::needsInspect);
  }

  @Override
  public List<ContainerInfo> listWorkers() {
    return inspectWhere(
        call(
            "list workers",
            () ->
                client
                    .listContainersCmd()
                    .withShowAll(true)
                    .withLabelFilter(List.of(WORKER_LABEL))
                    .exec()),
        c -> true);
  }

  /**
   * Inspects the listed containers that {@code inspect} selects, in parallel (env is only in
   * inspect), and maps the others from the list response. List order is kept; containers gone
   * before their inspect are left out.
   */
  private List<ContainerInfo> inspectWhere(
      List<Container> containers, Predicate<Container> inspect) {
    List<Container> toInspect = containers.stream().filter(inspect).toList();
    if (toInspect.isEmpty()) {
      return containers.stream().map(ContainerMapper::fromList).toList();
    }
    try (ExecutorService pool =
        Executors.newFixedThreadPool(Math.min(INSPECT_PARALLELISM, toInspect.size()))) {
      List<Future<Optional<ContainerInfo>>> futures =
          containers.stream()
              .map(
                  c ->
                      inspect.test(c)
                          ? pool.submit(() -> inspect(c.getId()))
                          : CompletableFuture.completedFuture(
                              Optional.of(ContainerMapper.fromList(c))))
              .toList();
      return futures.stream().map(DockerRuntime::join).flatMap(Optional::stream).toList();
    }
  }

  private static <T> T join(Future<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContainerRuntimeException("listing containers was interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof ContainerRuntimeException cre
          ? cre
          : new ContainerRuntimeException("listing containers failed", e.getCause());
    }
  }

  @Override
  public Optional<ContainerInfo> inspect(String idOrName) {
    if (raw != null) {
      return raw.inspect(idOrName);
    }
    return rawInspect(idOrName).map(ContainerMapper::toInfo);
  }

  private Optional<InspectContainerResponse> rawInspect(String idOrName) {
    try {
      return Optional.of(client.inspectContainerCmd(idOrName).exec());
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (DockerException | IllegalStateException e) {
      throw failure("inspect", idOrName, e);
    }
  }

  @Override
  public Optional<String> findOwnContainerId() {
    return ownContainerFinder.find(candidate -> inspect(candidate).map(ContainerInfo::id));
  }

  @Override
  public ExecResult exec(ExecRequest request, OutputLine output) {
    return execRunner.run(request, output);
  }

  @Override
  public ExecResult execStreaming(ExecRequest request, OutputStream stdout, OutputLine stderr) {
    return execRunner.runStreaming(request, stdout, stderr);
  }

  @Override
  public ExecResult execWithInput(ExecRequest request, InputStream stdin, OutputLine output) {
    return execRunner.runWithInput(request, stdin, output);
  }

  @Override
  public void stop(String containerId, Duration timeout) {
    int seconds = (int) Math.max(0, Math.min(Integer.MAX_VALUE, timeout.toSeconds()));
    try {
      client.stopContainerCmd(containerId).withTimeout(seconds).exec();
    } catch (NotModifiedException e) {
      // already stopped: that is what we wanted
    } catch (DockerException | IllegalStateException e) {
      throw failure("stop", containerId, e);
    }
  }

  @Override
  public StartedContainer start(String containerId, Duration timeout) {
    return starts.start(containerId, timeout);
  }

  @Override
  public List<StartedContainer.Problem> confirmRunning(
      List<StartedContainer> started, Duration minUptime, Duration healthTimeout) {
    return starts.confirmRunning(started, minUptime, healthTimeout);
  }

  /** How long an orphan worker gets to exit on SIGINT before it is removed forcibly. */
  private static final Duration ORPHAN_GRACE = Duration.ofSeconds(30);

  @Override
  public String startWorker(WorkerSpec spec) {
    return workerRunner.startIdle(spec);
  }

  @Override
  public ExecResult runWorker(WorkerSpec spec, OutputLine output) {
    return workerRunner.run(spec, output);
  }

  @Override
  public String startScratch(ScratchSpec spec) {
    return workerRunner.startScratch(spec);
  }

  @Override
  public void remove(String containerId) {
    try {
      Optional<ContainerInfo> found = inspect(containerId);
      if (found.isPresent() && found.get().label(ScratchSpec.SCRATCH_LABEL) != null) {
        WorkerRunner.removeScratch(client, containerId);
        return;
      }
      if (found.map(ContainerInfo::running).orElse(false)) {
        WorkerRunner.signalAndWait(client, containerId, "SIGINT", ORPHAN_GRACE);
      }
      client.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(false).exec();
    } catch (NotFoundException e) {
      // already gone
    } catch (DockerException | IllegalStateException e) {
      throw failure("remove", containerId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContainerRuntimeException("interrupted while stopping worker " + containerId, e);
    }
  }

  @Override
  public Optional<String> createMarker(String name, String image, Map<String, String> labels) {
    try {
      return Optional.of(
          client
              .createContainerCmd(image)
              .withName(name)
              .withLabels(labels)
              // never started; should anyone start it, it ends at once and reaches nothing
              .withEntrypoint("sh", "-c", "exit 0")
              .withCmd(List.of())
              .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none"))
              .exec()
              .getId());
    } catch (ConflictException e) {
      return Optional.empty();
    } catch (DockerException | IllegalStateException e) {
      throw failure("create", name, e);
    }
  }

  @Override
  public void removeMarker(String containerId) {
    try {
      client.removeContainerCmd(containerId).withForce(true).exec();
    } catch (NotFoundException e) {
      // already gone
    } catch (DockerException | IllegalStateException e) {
      throw failure("remove", containerId, e);
    }
  }

  @Override
  public Optional<ContainerState> state(String containerId) {
    return diagnostics.state(containerId);
  }

  @Override
  public List<String> logTail(String containerId, int lines, Duration timeout) {
    return diagnostics.logTail(containerId, lines, timeout);
  }

  @Override
  public List<ContainerEvent> events(
      String containerId, Instant since, Instant until, Duration timeout) {
    return diagnostics.events(containerId, since, until, timeout);
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (IOException e) {
      throw new ContainerRuntimeException("closing the Docker client failed", e);
    }
  }

  private static ContainerRuntimeException failure(String what, String container, Exception e) {
    return new ContainerRuntimeException(
        "cannot " + what + " container '" + container + "': " + e.getMessage(), e);
  }

  private static <T> T call(String what, java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (DockerException | IllegalStateException e) {
      throw new ContainerRuntimeException("cannot " + what + ": " + e.getMessage(), e);
    }
  }
}
