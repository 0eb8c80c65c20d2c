package dev.stackback.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.TmpfsOptions;
import com.github.dockerjava.api.model.VolumeOptions;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine;
import dev.stackback.port.ScratchSpec;
import dev.stackback.port.WorkerSpec;
import dev.stackback.util.Durations;
import dev.stackback.util.LineSplitter;
import dev.stackback.util.OutputTail;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker containers: {@link #startIdle} starts the long-lived one of a backup run (restic runs in
 * it with exec); {@link #run} creates, runs, follows and always removes a short-lived one.
 */
final class WorkerRunner {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerRunner.class);
  private static final Duration LOG_DRAIN_WAIT = Duration.ofSeconds(5);
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  /** restic exits within a second of SIGINT (after removing its lock); then SIGKILL. */
  private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(3);

  /**
   * The idle main process of a long-lived worker. Busybox {@code sleep} as PID 1 would ignore
   * SIGTERM; this shell ends at once on SIGTERM/SIGINT, but first passes SIGINT on to every other
   * process (an exec'd restic then removes its repository lock) and waits for them, bounded (25 s,
   * below the 30 s {@code remove} gives it). Exec'd processes are not its children, so it polls
   * /proc; zombies do not count. The sleep it idles in ignores SIGINT (a background job), so it is
   * killed first.
   */
  static final String IDLE =
      """
      trap 'kill $! 2>/dev/null; kill -INT -1 2>/dev/null; i=0; \
      while [ $i -lt 250 ]; do o=; \
      for f in /proc/[0-9]*/stat; do read -r l < "$f" 2>/dev/null || continue; \
      r=${l##*") "}; [ "${l%% *}" = 1 ] || [ "${r%% *}" = Z ] || o=1; done; \
      [ -z "$o" ] && exit 0; sleep 0.1; i=$((i + 1)); done; exit 0' TERM INT
      while :; do sleep 3600 & wait; done
      """;

  private final DockerClient client;

  // inspect as plain JSON when the transport allows it (see RawInspect), else null
  private final RawInspect raw;

  WorkerRunner(DockerClient client) {
    this(client, null);
  }

  WorkerRunner(DockerClient client, RawInspect raw) {
    this.client = client;
    this.raw = raw;
  }

  /** Creates and starts an idle worker; removes it again when the start fails. */
  String startIdle(WorkerSpec spec) {
    if (!spec.entrypoint().isEmpty()) {
      throw new IllegalArgumentException("an idle worker has no entrypoint of its own");
    }
    String name = newName();
    String id = create(spec, List.of("sh", "-c", IDLE), name);
    try {
      client.startContainerCmd(id).exec();
      return id;
    } catch (DockerException | IllegalStateException e) {
      ExecRunner.withInterruptCleared(() -> remove(id, name));
      throw new ContainerRuntimeException(
          "cannot start worker '" + name + "': " + e.getMessage(), e);
    }
  }

  /**
   * Creates and starts a scratch container: the image's own entrypoint and command, no network;
   * removes it again (with its anonymous volumes) when the start fails.
   */
  String startScratch(ScratchSpec spec) {
    Map<String, String> labels = new HashMap<>(spec.labels());
    labels.put(ContainerRuntime.WORKER_LABEL, "true");
    labels.put(ScratchSpec.SCRATCH_LABEL, "true");
    String id;
    try {
      id =
          client
              .createContainerCmd(spec.image())
              .withName(spec.name())
              .withEnv(
                  spec.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
              .withLabels(labels)
              .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none"))
              .exec()
              .getId();
    } catch (DockerException | IllegalStateException e) {
      throw new ContainerRuntimeException(
          "cannot create scratch container '"
              + spec.name()
              + "' from image '"
              + spec.image()
              + "': "
              + e.getMessage(),
          e);
    }
    try {
      client.startContainerCmd(id).exec();
      return id;
    } catch (DockerException | IllegalStateException e) {
      ExecRunner.withInterruptCleared(
          () -> {
            try {
              removeScratch(client, id);
            } catch (DockerException | IllegalStateException again) {
              e.addSuppressed(again);
            }
          });
      throw new ContainerRuntimeException(
          "cannot start scratch container '" + spec.name() + "': " + e.getMessage(), e);
    }
  }

  /** Removes a scratch container at once (its data is throwaway) with its anonymous volumes. */
  static void removeScratch(DockerClient client, String id) {
    try {
      client.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException e) {
      // already gone
    }
  }

  private static String newName() {
    return "stack-back-worker-" + UUID.randomUUID().toString().substring(0, 12);
  }

  ExecResult run(WorkerSpec spec, OutputLine output) {
    String name = newName();
    String id = create(spec, spec.entrypoint(), name);
    try {
      return startAndFollow(spec, id, name, output);
    } finally {
      ExecRunner.withInterruptCleared(() -> remove(id, name));
    }
  }

  private String create(WorkerSpec spec, List<String> entrypoint, String name) {
    Map<String, String> labels = new HashMap<>(spec.labels());
    labels.put(ContainerRuntime.WORKER_LABEL, "true");
    HostConfig host =
        HostConfig.newHostConfig()
            .withMounts(spec.mounts().stream().map(WorkerRunner::toMount).toList());
    List<String> networks = spec.noNetwork() ? List.of("none") : networksOf(spec.networksOf());
    if (!networks.isEmpty()) {
      host.withNetworkMode(networks.get(0));
    }
    try {
      CreateContainerCmd create =
          client
              .createContainerCmd(spec.image())
              .withName(name)
              .withEntrypoint(entrypoint)
              .withCmd(List.of())
              .withEnv(
                  spec.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
              .withLabels(labels)
              .withHostConfig(host);
      if (!spec.hostname().isEmpty()) {
        create.withHostName(spec.hostname());
      }
      String id = create.exec().getId();
      for (String network : networks.subList(Math.min(1, networks.size()), networks.size())) {
        connect(id, name, network);
      }
      return id;
    } catch (DockerException e) {
      throw new ContainerRuntimeException(
          "cannot create worker '"
              + name
              + "' from image '"
              + spec.image()
              + "': "
              + e.getMessage(),
          e);
    }
  }

  /**
   * The networks to give a worker so that it reaches what container {@code containerId} reaches:
   * its network mode first ({@code host}, or its first network), then its other networks. Empty
   * (Docker's default bridge) for no container, and for a container without networks of its own
   * ({@code none}, {@code container:...}: a worker cannot share them and keep its own hostname).
   */
  private List<String> networksOf(String containerId) {
    if (containerId.isEmpty()) {
      return List.of();
    }
    if (raw != null) {
      return networksOf(containerId, raw);
    }
    InspectContainerResponse self;
    try {
      self = client.inspectContainerCmd(containerId).exec();
    } catch (DockerException | IllegalStateException e) {
      throw new ContainerRuntimeException(
          "cannot read the networks of container '" + containerId + "': " + e.getMessage(), e);
    }
    String mode = self.getHostConfig() == null ? null : self.getHostConfig().getNetworkMode();
    Map<String, ?> attached =
        self.getNetworkSettings() == null || self.getNetworkSettings().getNetworks() == null
            ? Map.of()
            : self.getNetworkSettings().getNetworks();
    return networks(mode, attached.keySet());
  }

  /** {@link #networksOf(String)} from the inspect answer as JSON (the same rules). */
  private List<String> networksOf(String containerId, RawInspect raw) {
    java.util.Optional<com.fasterxml.jackson.databind.JsonNode> found;
    try {
      found = raw.json(containerId);
    } catch (ContainerRuntimeException e) {
      throw new ContainerRuntimeException(
          "cannot read the networks of container '" + containerId + "': " + e.getMessage(), e);
    }
    if (found.isEmpty()) {
      throw new ContainerRuntimeException(
          "cannot read the networks of container '" + containerId + "': no such container");
    }
    com.fasterxml.jackson.databind.JsonNode self = found.get();
    com.fasterxml.jackson.databind.JsonNode modeNode = self.path("HostConfig").path("NetworkMode");
    String mode = modeNode.isTextual() ? modeNode.asText() : null;
    List<String> attached = new java.util.ArrayList<>();
    self.path("NetworkSettings").path("Networks").fieldNames().forEachRemaining(attached::add);
    return networks(mode, attached);
  }

  /**
   * The networks to give a worker from a container's network mode and the networks it is attached
   * to (see {@link #networksOf(String)}).
   */
  private List<String> networks(String mode, java.util.Collection<String> attached) {
    if ("host".equals(mode)) {
      return List.of("host");
    }
    if (mode == null || "none".equals(mode) || mode.startsWith("container:")) {
      return List.of();
    }
    List<String> out = new java.util.ArrayList<>();
    // its network mode names the network compose made it with; the rest were connected later
    if (attached.contains(mode) || "default".equals(mode)) {
      out.add("default".equals(mode) ? "bridge" : mode);
    }
    attached.stream().sorted().filter(n -> !out.contains(n) && attachable(n)).forEach(out::add);
    return List.copyOf(out);
  }

  /**
   * Whether a container of ours may join network {@code name}: a swarm-scoped network (an overlay
   * of a {@code docker stack}, SWARM_MODE) only when it was created {@code attachable}; the engine
   * refuses the others when the worker starts. Any other network, or one that cannot be inspected,
   * counts as attachable (as before).
   */
  private boolean attachable(String name) {
    try {
      Network n = client.inspectNetworkCmd().withNetworkId(name).exec();
      boolean ok = !"swarm".equals(n.getScope()) || Boolean.TRUE.equals(n.isAttachable());
      if (!ok) {
        LOG.warn(
            "worker containers do not join swarm network '{}' (not attachable): a repository"
                + " reached only through it needs `attachable: true` on that network",
            name);
      }
      return ok;
    } catch (DockerException | IllegalStateException e) {
      return true;
    }
  }

  private void connect(String id, String name, String network) {
    try {
      client.connectToNetworkCmd().withContainerId(id).withNetworkId(network).exec();
    } catch (DockerException | IllegalStateException e) {
      ExecRunner.withInterruptCleared(() -> remove(id, name));
      throw new ContainerRuntimeException(
          "cannot connect worker '" + name + "' to network '" + network + "': " + e.getMessage(),
          e);
    }
  }

  static Mount toMount(WorkerSpec.WorkerMount m) {
    Mount mount =
        new Mount().withSource(m.source()).withTarget(m.destination()).withReadOnly(m.readOnly());
    return switch (m.type()) {
      // no copy: never write the image's files into a target's empty volume
      case VOLUME ->
          mount.withType(MountType.VOLUME).withVolumeOptions(new VolumeOptions().withNoCopy(true));
      case BIND -> mount.withType(MountType.BIND);
      case TMPFS ->
          mount.withType(MountType.TMPFS).withSource(null).withTmpfsOptions(new TmpfsOptions());
      case OTHER ->
          throw new ContainerRuntimeException(
              "worker mount at '" + m.destination() + "' has an unsupported type");
    };
  }

  private ExecResult startAndFollow(WorkerSpec spec, String id, String name, OutputLine output) {
    long started = System.nanoTime();
    OutputTail tail = new OutputTail();
    LineSplitter stdout =
        new LineSplitter(line -> deliver(output, tail, OutputLine.Stream.STDOUT, line));
    ExecCallback logs =
        new ExecCallback(
            stdout::feed,
            stdout::flush,
            line -> deliver(output, tail, OutputLine.Stream.STDERR, line),
            null);
    try (WaitContainerResultCallback exit = new WaitContainerResultCallback()) {
      client.startContainerCmd(id).exec();
      client
          .logContainerCmd(id)
          .withFollowStream(true)
          .withStdOut(true)
          .withStdErr(true)
          .exec(logs);
      client.waitContainerCmd(id).exec(exit);
      boolean done = exit.awaitCompletion(spec.timeout().toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        LOG.warn("worker {} ran past {}; killing it", name, Durations.format(spec.timeout()));
        kill(id);
      }
      drain(logs);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
      if (!done) {
        tail.add("[timed out after " + Durations.format(spec.timeout()) + "; killed]");
        return new ExecResult(-1, true, elapsed, tail.snapshot());
      }
      return new ExecResult(exit.awaitStatusCode(), false, elapsed, tail.snapshot());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContainerRuntimeException("worker '" + name + "' was interrupted", e);
    } catch (DockerException | java.io.IOException | IllegalStateException e) {
      throw new ContainerRuntimeException("worker '" + name + "' failed: " + e.getMessage(), e);
    } finally {
      logs.closeQuietly();
    }
  }

  private static void deliver(
      OutputLine output, OutputTail tail, OutputLine.Stream stream, String line) {
    tail.add(line);
    output.line(stream, line);
  }

  /** SIGINT first (restic removes its repository lock on it), SIGKILL if it does not exit. */
  private void kill(String id) throws InterruptedException {
    if (!signalAndWait(client, id, "SIGINT", INTERRUPT_GRACE)) {
      signalAndWait(client, id, "SIGKILL", KILL_WAIT);
    }
  }

  /** Sends {@code signal} and waits up to {@code wait} for the container to exit. */
  static boolean signalAndWait(DockerClient client, String id, String signal, Duration wait)
      throws InterruptedException {
    try {
      client.killContainerCmd(id).withSignal(signal).exec();
    } catch (DockerException e) {
      LOG.debug("{} to worker {}: {}", signal, id, e.getMessage());
    }
    try (WaitContainerResultCallback gone =
        client.waitContainerCmd(id).exec(new WaitContainerResultCallback())) {
      return gone.awaitCompletion(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.io.IOException | RuntimeException e) {
      LOG.debug("waiting for worker {} after {}: {}", id, signal, e.toString());
      return false;
    }
  }

  /** Lets the log stream deliver what the worker wrote last, bounded. */
  private static void drain(ExecCallback logs) throws InterruptedException {
    try {
      logs.awaitCompletion(LOG_DRAIN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      LOG.debug("worker log stream ended with {}", e.toString());
    }
    logs.closeQuietly();
    logs.flush();
  }

  private void remove(String id, String name) {
    try {
      client.removeContainerCmd(id).withForce(true).withRemoveVolumes(false).exec();
    } catch (NotFoundException e) {
      // already gone
    } catch (DockerException | IllegalStateException e) {
      LOG.warn("could not remove worker {}: {}", name, e.getMessage());
    }
  }
}
