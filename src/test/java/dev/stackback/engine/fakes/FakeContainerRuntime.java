package dev.stackback.engine.fakes;

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
import dev.stackback.port.WorkerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A container runtime that journals every call by container name:
 *
 * <ul>
 *   <li>{@code exec web sh -c echo pre}
 *   <li>{@code stream db pg_dumpall} (a streaming exec: the program its script finally execs)
 *   <li>{@code stop web}, {@code start web}
 *   <li>{@code confirm running files web} (the one check at the end that restarts held)
 *   <li>{@code await health web} (in that check, for a container given a {@link #healthcheck}, when
 *       the health timeout is not zero)
 *   <li>{@code worker start /volumes/files/data /volumes/web/data} (the run's worker: its mounts
 *       under /volumes), {@code worker backup web /volumes/web/data} (restic backup exec'd in it
 *       for service web), {@code worker interrupt SIGINT} (that exec interrupted), {@code remove
 *       worker}
 *   <li>{@code worker web restic restore snap1 --target / --include /volumes/web/data} (a
 *       one-command worker: its command)
 * </ul>
 *
 * and answers as its {@link Journal} scripts say (default: exit 0, one line of output).
 */
public final class FakeContainerRuntime implements ContainerRuntime {
  private static final Pattern EXEC = Pattern.compile("exec (\\S+)");

  /** The snapshot gate script's line when restic waits at the gate (SnapshotGate.REACHED). */
  public static final String GATE_REACHED = "stack-back-gate: restic waits at the gate";

  /** The id of the run's worker container. */
  public static final String WORKER_ID = "worker-id";

  private final Journal journal;
  private final List<ContainerInfo> containers;
  private final List<ExecRequest> execs = new ArrayList<>();
  private final List<WorkerSpec> workers = new ArrayList<>();
  private final Map<String, String> notStayingUp = new HashMap<>();
  private final Map<String, Optional<String>> health = new HashMap<>();

  public FakeContainerRuntime(Journal journal, List<ContainerInfo> containers) {
    this.journal = journal;
    this.containers = List.copyOf(containers);
  }

  private final Map<String, String> failsBeforeGate = new HashMap<>();
  private final java.util.Set<String> atGate = new java.util.HashSet<>();
  private Duration gateDelay = Duration.ZERO;

  /** A gated restic backup takes {@code delay} to reach the gate (default: none). */
  public synchronized FakeContainerRuntime gateDelay(Duration delay) {
    gateDelay = delay;
    return this;
  }

  /** True once the gated restic backup of {@code service} has reached the gate. */
  public synchronized boolean atGate(String service) {
    return atGate.contains(service);
  }

  /**
   * The gated restic backup of {@code service} ends before it reaches the gate, printing {@code
   * why} (a wrong password, a locked repository).
   */
  public synchronized FakeContainerRuntime failsBeforeGate(String service, String why) {
    failsBeforeGate.put(service, why);
    return this;
  }

  /** Every exec and streaming exec request, in order. */
  public synchronized List<ExecRequest> execs() {
    return List.copyOf(execs);
  }

  /** {@code name} will not stay up after its start: {@link #confirmRunning} says {@code why}. */
  public synchronized FakeContainerRuntime notStayingUp(String name, String why) {
    notStayingUp.put(name, why);
    return this;
  }

  /**
   * {@code name} has a healthcheck: after its start {@link #confirmRunning} awaits it (journal
   * {@code await health name}); it becomes healthy when {@code unhealthy} is empty, else the
   * confirmation reports that message as an unhealthy problem.
   */
  public synchronized FakeContainerRuntime healthcheck(String name, Optional<String> unhealthy) {
    health.put(name, unhealthy);
    return this;
  }

  /** Every worker started, in order. */
  public synchronized List<WorkerSpec> workers() {
    return List.copyOf(workers);
  }

  @Override
  public List<ContainerInfo> listContainers() {
    return containers;
  }

  @Override
  public Optional<ContainerInfo> inspect(String idOrName) {
    if (idOrName.equals(SCRATCH_ID)) {
      synchronized (this) {
        return scratchRunning
            ? Optional.of(
                new ContainerInfo(
                    SCRATCH_ID, "scratch", "", Map.of(), Map.of(), List.of(), true, "running"))
            : Optional.empty();
      }
    }
    Optional<ContainerInfo> marker = marker(idOrName);
    if (marker.isPresent()) {
      return marker;
    }
    return containers.stream()
        .filter(c -> c.id().equals(idOrName) || c.name().equals(idOrName))
        .findFirst();
  }

  @Override
  public Optional<String> findOwnContainerId() {
    return Optional.empty();
  }

  @Override
  public ExecResult exec(ExecRequest request, OutputLine output) {
    synchronized (this) {
      execs.add(request);
    }
    if (request.containerId().equals(WORKER_ID)) {
      return workerExec(request, output);
    }
    if (request.containerId().equals(SCRATCH_ID)) {
      return scratchExec(request, output);
    }
    Script.Reply r =
        journal.call(
            "exec " + name(request.containerId()) + " " + String.join(" ", request.command()));
    r.throwIfError();
    output.line(OutputLine.Stream.STDOUT, "out of " + request.command().getLast());
    return result(r);
  }

  @Override
  public ExecResult execWithInput(ExecRequest request, InputStream stdin, OutputLine output) {
    // a dump restore's transfer (DumpRestoreRunTest fakes its details): reads stdin to its end
    synchronized (this) {
      execs.add(request);
    }
    if (request.containerId().equals(WORKER_ID)) {
      String failure;
      synchronized (this) {
        failure = failsBeforeGate.get(service(request.command()));
      }
      if (failure != null) {
        // restic ended before it reached the gate: the script never reads its stdin
        journal.add("worker failed before the gate " + service(request.command()));
        output.line(OutputLine.Stream.STDERR, failure);
        return new ExecResult(1, false, Duration.ZERO, List.of(failure));
      }
      Duration delay;
      synchronized (this) {
        delay = gateDelay;
      }
      if (delay.isPositive()) {
        try {
          Thread.sleep(delay.toMillis()); // restic's start-up, key derivation, lock settle
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ContainerRuntimeException("exec in container 'worker' was interrupted");
        }
      }
      synchronized (this) {
        atGate.add(service(request.command()));
      }
      // the gate script's line: restic opened the repository and waits for the engine's answer
      output.line(OutputLine.Stream.STDERR, GATE_REACHED);
    }
    byte[] data;
    try {
      data = stdin.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (request.containerId().equals(WORKER_ID)) {
      return gatedWorkerExec(request, new String(data, StandardCharsets.US_ASCII), output);
    }
    Script.Reply r =
        journal.call("receive " + name(request.containerId()) + " " + data.length + " bytes");
    r.throwIfError();
    return result(r);
  }

  // ---- scratch containers of restore drills

  /** The id of a scratch container. */
  public static final String SCRATCH_ID = "scratch-id";

  private final List<ScratchSpec> scratches = new ArrayList<>();
  private boolean scratchRunning;

  /** Every scratch container started, in order. */
  public synchronized List<ScratchSpec> scratches() {
    return List.copyOf(scratches);
  }

  @Override
  public String startScratch(ScratchSpec spec) {
    synchronized (this) {
      scratches.add(spec);
    }
    journal.call("scratch start").throwIfError();
    synchronized (this) {
      scratchRunning = true;
    }
    return SCRATCH_ID;
  }

  /**
   * An exec in the scratch container, journaled by what it does: {@code scratch ready}, {@code
   * scratch load}, {@code scratch count} (answers {@code app|2|5}) or {@code scratch rm}. An
   * interrupted call (the run was cancelled) throws, like the real adapter.
   */
  private ExecResult scratchExec(ExecRequest request, OutputLine output) {
    String script = String.join(" ", request.command());
    String what =
        script.contains("listen_addresses") || script.contains("skip_networking")
            ? "ready"
            : script.contains("trap 'rm")
                ? "load"
                : script.contains("count(*)") || script.contains("COUNT(*)") ? "count" : "rm";
    Script.Reply r = journal.call("scratch " + what);
    if (Thread.currentThread().isInterrupted()) {
      throw new ContainerRuntimeException("exec in container 'scratch' was interrupted");
    }
    r.throwIfError();
    if (what.equals("count")) {
      output.line(OutputLine.Stream.STDOUT, "app|2|5");
    }
    if (what.equals("load") && r.exitCode() != 0) {
      output.line(OutputLine.Stream.STDERR, "ERROR:  syntax error at or near \"this\"");
    }
    return result(r);
  }

  @Override
  public ExecResult execStreaming(ExecRequest request, OutputStream stdout, OutputLine stderr) {
    synchronized (this) {
      execs.add(request);
    }
    Script.Reply r = journal.call("stream " + name(request.containerId()) + " " + program(request));
    r.throwIfError();
    try {
      stdout.write(
          ("-- dump of " + name(request.containerId()) + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!r.timedOut() && r.exitCode() != 0) {
      stderr.line(OutputLine.Stream.STDERR, "dump failed");
    }
    return result(r);
  }

  @Override
  public void stop(String containerId, Duration timeout) {
    journal.call("stop " + name(containerId)).throwIfError();
  }

  @Override
  public StartedContainer start(String containerId, Duration timeout) {
    journal.call("start " + name(containerId)).throwIfError();
    return new StartedContainer(containerId, name(containerId), "started", 0, 0);
  }

  @Override
  public List<StartedContainer.Problem> confirmRunning(
      List<StartedContainer> started, Duration minUptime, Duration healthTimeout) {
    journal
        .call(
            "confirm running "
                + started.stream().map(StartedContainer::name).collect(Collectors.joining(" ")))
        .throwIfError();
    List<StartedContainer.Problem> problems = new ArrayList<>();
    for (StartedContainer c : started) {
      String down;
      Optional<String> h;
      synchronized (this) {
        down = notStayingUp.get(c.name());
        h = health.get(c.name());
      }
      if (down != null) {
        problems.add(new StartedContainer.Problem(c, down));
      } else if (h != null && healthTimeout.isPositive()) {
        journal.call("await health " + c.name()).throwIfError();
        h.ifPresent(why -> problems.add(new StartedContainer.Problem(c, why, true)));
      }
    }
    return problems;
  }

  @Override
  public String startWorker(WorkerSpec spec) {
    synchronized (this) {
      workers.add(spec);
    }
    journal.call("worker start " + volumePaths(spec.mounts())).throwIfError();
    return WORKER_ID;
  }

  /**
   * A restic backup behind the snapshot gate (its stdin: the gate's answer, read above, so this
   * runs once the engine decided): opened, it is the backup below; aborted, it journals {@code
   * worker gate aborted <service>} and fails like restic on the poisoned exclude file.
   */
  private ExecResult gatedWorkerExec(ExecRequest request, String answer, OutputLine output) {
    List<String> argv = request.command();
    if (argv.size() < 6 || !argv.get(3).equals("stack-back-gate")) {
      throw new IllegalStateException("not a gated worker exec: " + argv);
    }
    List<String> restic = argv.subList(5, argv.size());
    if (!restic.contains("--exclude-file=" + argv.get(4))) {
      throw new IllegalStateException("restic does not read the gate: " + argv);
    }
    if (!answer.equals("go\n")) {
      journal.add("worker gate aborted " + service(restic));
      output.line(OutputLine.Stream.STDERR, "Fatal: --exclude-file: invalid pattern(s) provided");
      return new ExecResult(1, false, Duration.ZERO, List.of());
    }
    return workerExec(request, restic, output);
  }

  private static String service(List<String> argv) {
    return argv.stream()
        .filter(a -> a.startsWith("service="))
        .map(a -> a.substring("service=".length()))
        .findFirst()
        .orElse("?");
  }

  /** restic backup in the worker: journals the service (its tag) and the paths. */
  private ExecResult workerExec(ExecRequest request, OutputLine output) {
    return workerExec(request, request.command(), output);
  }

  private ExecResult workerExec(ExecRequest request, List<String> argv, OutputLine output) {
    String service = service(argv);
    String paths =
        argv.stream().filter(a -> a.startsWith("/volumes/")).collect(Collectors.joining(" "));
    Script.Reply r = journal.call("worker " + argv.get(1) + " " + service + " " + paths);
    if (Thread.currentThread().isInterrupted()) {
      journal.add("worker interrupt SIG" + request.stopSignal());
      throw new ContainerRuntimeException("exec in container 'worker' was interrupted");
    }
    r.throwIfError();
    // a long backup's progress: more lines than any tail keeps
    for (int i = 0; i < STATUS_LINES; i++) {
      output.line(
          OutputLine.Stream.STDOUT, "{\"message_type\":\"status\",\"bytes_done\":" + i + "}");
    }
    output.line(OutputLine.Stream.STDERR, "warning from restic");
    output.line(OutputLine.Stream.STDOUT, "{\"message_type\":\"summary\"}");
    return result(r);
  }

  /** How many progress lines every worker backup prints before its summary. */
  public static final int STATUS_LINES = 200;

  private static String volumePaths(List<WorkerSpec.WorkerMount> mounts) {
    return mounts.stream()
        .map(WorkerSpec.WorkerMount::destination)
        .filter(d -> d.startsWith("/volumes/"))
        .collect(Collectors.joining(" "));
  }

  @Override
  public ExecResult runWorker(WorkerSpec spec, OutputLine output) {
    synchronized (this) {
      workers.add(spec);
    }
    String paths = volumePaths(spec.mounts());
    String what =
        spec.entrypoint().contains("backup") ? paths : String.join(" ", spec.entrypoint());
    Script.Reply r =
        journal.call("worker " + spec.labels().get("stack-back.worker.service") + " " + what);
    r.throwIfError();
    output.line(OutputLine.Stream.STDOUT, "{\"message_type\":\"summary\"}");
    return result(r);
  }

  @Override
  public synchronized List<ContainerInfo> listWorkers() {
    return existingWorkers;
  }

  /** What {@link #listWorkers} answers from now on (default: none). */
  public synchronized FakeContainerRuntime existingWorkers(List<ContainerInfo> workers) {
    existingWorkers = List.copyOf(workers);
    return this;
  }

  private List<ContainerInfo> existingWorkers = List.of();

  @Override
  public void remove(String containerId) {
    journal.call("remove " + name(containerId)).throwIfError();
    if (containerId.equals(SCRATCH_ID)) {
      synchronized (this) {
        scratchRunning = false;
      }
    }
  }

  @Override
  public void close() {}

  // ---- failure-report diagnostics: kept apart from the journal, which records what a run does

  private final Map<String, ContainerState> states = new HashMap<>();
  private final Map<String, List<String>> logs = new HashMap<>();
  private final Map<String, List<ContainerEvent>> events = new HashMap<>();
  private RuntimeException diagnosticsFailure;
  private Duration diagnosticsDelay = Duration.ZERO;
  private final List<String> diagnosticCalls = new ArrayList<>();

  /** What {@link #state}, {@link #logTail} and {@link #events} answer for {@code name}. */
  public synchronized FakeContainerRuntime diagnosis(
      String name, ContainerState state, List<String> logLines, List<ContainerEvent> evts) {
    states.put(name, state);
    logs.put(name, List.copyOf(logLines));
    events.put(name, List.copyOf(evts));
    return this;
  }

  /** Every diagnostic call from now on throws {@code e}. */
  public synchronized FakeContainerRuntime diagnosticsFail(RuntimeException e) {
    diagnosticsFailure = e;
    return this;
  }

  /** Every diagnostic call from now on takes {@code delay} (interruptible) first. */
  public synchronized FakeContainerRuntime diagnosticsDelay(Duration delay) {
    diagnosticsDelay = delay;
    return this;
  }

  /** The diagnostic calls so far: {@code state web}, {@code logs web 20}, {@code events web}. */
  public synchronized List<String> diagnosticCalls() {
    return List.copyOf(diagnosticCalls);
  }

  private void diagnose(String call) {
    Duration delay;
    RuntimeException failure;
    synchronized (this) {
      diagnosticCalls.add(call);
      delay = diagnosticsDelay;
      failure = diagnosticsFailure;
    }
    if (delay.isPositive()) {
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ContainerRuntimeException("interrupted", e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public Optional<ContainerState> state(String containerId) {
    String name = name(containerId);
    diagnose("state " + name);
    synchronized (this) {
      if (states.containsKey(name)) {
        return Optional.ofNullable(states.get(name));
      }
    }
    return containers.stream()
        .filter(c -> c.id().equals(containerId))
        .findFirst()
        .map(
            c ->
                new ContainerState(
                    c.id(), c.name(), c.state(), null, false, 0, null, null, c.env()));
  }

  @Override
  public List<String> logTail(String containerId, int lines, Duration timeout) {
    String name = name(containerId);
    diagnose("logs " + name + " " + lines);
    synchronized (this) {
      List<String> l = logs.getOrDefault(name, List.of("log of " + name));
      return l.subList(Math.max(0, l.size() - lines), l.size());
    }
  }

  @Override
  public List<ContainerEvent> events(
      String containerId, java.time.Instant since, java.time.Instant until, Duration timeout) {
    String name = name(containerId);
    diagnose("events " + name);
    synchronized (this) {
      return events.getOrDefault(name, List.of());
    }
  }

  // ---- markers (engine-wide locks): kept apart from the journal, which records what a run does

  private final java.util.Map<String, ContainerInfo> markers = new java.util.LinkedHashMap<>();

  @Override
  public synchronized Optional<String> createMarker(
      String name, String image, java.util.Map<String, String> labels) {
    if (markers.containsKey(name) || containers.stream().anyMatch(c -> c.name().equals(name))) {
      return Optional.empty();
    }
    String id = "marker-" + (markers.size() + 1) + "-" + name;
    markers.put(
        name,
        new ContainerInfo(
            id, name, image, labels, java.util.Map.of(), List.of(), false, "created", ""));
    return Optional.of(id);
  }

  @Override
  public synchronized void removeMarker(String containerId) {
    markers.values().removeIf(m -> m.id().equals(containerId));
  }

  /** The markers that exist now (e.g. a run's lock left behind, or one a test made). */
  public synchronized List<ContainerInfo> markers() {
    return List.copyOf(markers.values());
  }

  private synchronized Optional<ContainerInfo> marker(String idOrName) {
    return markers.values().stream()
        .filter(m -> m.id().equals(idOrName) || m.name().equals(idOrName))
        .findFirst();
  }

  private String name(String id) {
    if (id.equals(WORKER_ID)) {
      return "worker";
    }
    if (id.equals(SCRATCH_ID)) {
      return "scratch";
    }
    return containers.stream()
        .filter(c -> c.id().equals(id))
        .map(ContainerInfo::name)
        .findFirst()
        .orElse(id);
  }

  /** {@code pg_dumpall} for a dump script that ends in {@code exec pg_dumpall ...}. */
  private static String program(ExecRequest request) {
    Matcher m = EXEC.matcher(request.command().getLast());
    String last = null;
    while (m.find()) {
      last = m.group(1);
    }
    return last != null ? last : String.join(" ", request.command());
  }

  private static ExecResult result(Script.Reply r) {
    return new ExecResult(
        r.timedOut() ? -1 : r.exitCode(), r.timedOut(), Duration.ZERO, List.of("tail line"));
  }
}
