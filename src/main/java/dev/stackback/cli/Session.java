package dev.stackback.cli;

import dev.stackback.agent.RoutingRuntime;
import dev.stackback.agent.SwarmAgents;
import dev.stackback.config.AgentSettings;
import dev.stackback.config.Config;
import dev.stackback.config.ConfigLoader;
import dev.stackback.label.Problem;
import dev.stackback.plan.Plan;
import dev.stackback.plan.PlanResult;
import dev.stackback.plan.Planner;
import dev.stackback.plan.Scope;
import dev.stackback.plan.SwarmDiscovery;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.SwarmNode;
import dev.stackback.port.SwarmRuntime;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * What most commands start from: the configuration, the engine connection, the stack-back container
 * and the plan. Problems are reported in one vocabulary and mapped to exit 2.
 */
final class Session implements AutoCloseable {
  final Config config;
  final ContainerRuntime runtime;
  final ContainerInfo self;

  /** SWARM_MODE: the agent settings; null otherwise. */
  private final AgentSettings agents;

  /** The plan; null in a session made by {@link #connect} until {@link #discover}. */
  final PlanResult plan;

  private Session(
      Config config,
      ContainerRuntime runtime,
      ContainerInfo self,
      PlanResult plan,
      AgentSettings agents) {
    this.config = config;
    this.runtime = runtime;
    this.self = self;
    this.plan = plan;
    this.agents = agents;
  }

  /** The plan, or {@link Exit} 2 after every label error is printed under {@code title}. */
  Plan validPlan(PrintWriter err, String title) {
    if (plan.plan().isEmpty()) {
      printProblems(err, title, plan.errors());
      throw new Exit(2, title);
    }
    return plan.plan().get();
  }

  /**
   * restic {@code --host} of our snapshots, even when the labels are invalid or nothing is planned
   * yet.
   */
  String host() {
    return Optional.ofNullable(plan)
        .flatMap(PlanResult::plan)
        .map(Plan::host)
        .orElseGet(() -> Planner.host(config, new Scope(config, self).projectOf(self)));
  }

  /** Thrown when a command must end with an exit code after printing its problems. */
  static final class Exit extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int code;

    Exit(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  /** Deprecated settings are logged once per process, not by every command that reads them. */
  private static final AtomicBoolean CONFIG_WARNED = new AtomicBoolean();

  /** Reads the configuration or throws {@link Exit} 2 after printing every problem. */
  static Config config(App app, PrintWriter err) {
    ConfigLoader.Result r = ConfigLoader.load(app.env());
    if (!r.warnings().isEmpty() && CONFIG_WARNED.compareAndSet(false, true)) {
      r.warnings().forEach(w -> LoggerFactory.getLogger("stack-back").warn("{}", w));
    }
    if (r.config().isEmpty()) {
      printProblems(err, "invalid configuration", r.problems());
      throw new Exit(2, "invalid configuration");
    }
    return r.config().get();
  }

  /** Config, runtime, own container and plan; label errors stay in {@link #plan}. */
  static Session open(App app, PrintWriter err) {
    return open(app, config(app, err), err);
  }

  /** {@link #open(App, PrintWriter)} with the configuration already read. */
  static Session open(App app, Config config, PrintWriter err) {
    Session s = connect(app, config, err);
    try {
      return s.discover(err);
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /**
   * Config, runtime and own container, no plan yet ({@link #discover} makes it): what a run needs
   * to take its locks and repair interrupted runs before it looks at the containers.
   */
  static Session connect(App app, PrintWriter err) {
    return connect(app, config(app, err), err);
  }

  private static final org.slf4j.Logger TIMING = LoggerFactory.getLogger("stack-back.run.start");

  /** {@link #connect(App, PrintWriter)} with the configuration already read. */
  static Session connect(App app, Config config, PrintWriter err) {
    AgentSettings agents = null;
    if (config.swarmMode()) {
      AgentSettings.Result r = AgentSettings.load(app.env());
      if (r.settings().isEmpty()) {
        printProblems(err, "invalid configuration", r.problems());
        throw new Exit(2, "invalid configuration");
      }
      agents = r.settings().get();
    }
    ContainerRuntime runtime;
    try {
      runtime = app.runtime(config);
      if (agents != null) {
        // calls about a container on another node go to that node's agent (issue 11)
        runtime = new RoutingRuntime(runtime);
      }
    } catch (RuntimeException e) {
      err.println("error: cannot reach Docker: " + e.getMessage());
      throw new Exit(1, "docker unreachable");
    }
    try {
      long t0 = System.nanoTime();
      ContainerInfo self = findSelf(config, runtime, err);
      if (TIMING.isDebugEnabled()) {
        TIMING.debug(
            "JVM up {}ms when stack-back's own container was found (connect and inspect {}ms)",
            ProcessHandle.current()
                .info()
                .startInstant()
                .map(i -> java.time.Duration.between(i, java.time.Instant.now()).toMillis())
                .orElse(-1L),
            (System.nanoTime() - t0) / 1_000_000);
      }
      return new Session(config, runtime, self, null, agents);
    } catch (RuntimeException e) {
      runtime.close();
      if (e instanceof Exit) {
        throw e;
      }
      err.println("error: cannot list containers: " + e.getMessage());
      throw new Exit(1, "docker failed");
    }
  }

  /**
   * This session with the plan of the containers as they are now (lists and inspects every
   * container); shares this session's runtime: close only one of the two.
   */
  Session discover(PrintWriter err) {
    try {
      List<ContainerInfo> all = runtime.listContainers();
      Optional<SwarmRuntime> swarm = config.swarmMode() ? runtime.swarm() : Optional.empty();
      if (swarm.isPresent()) {
        return new Session(config, runtime, self, swarmPlan(swarm.get(), all), agents);
      }
      return new Session(config, runtime, self, Planner.plan(config, self, all), agents);
    } catch (RuntimeException e) {
      err.println("error: cannot list containers: " + e.getMessage());
      throw new Exit(1, "docker failed");
    }
  }

  /**
   * SWARM_MODE=true: the plan of this node's containers seen through the manager's services and
   * tasks ({@link SwarmDiscovery}); its errors (a labelled service on another node, not a manager)
   * prevent the plan.
   */
  private PlanResult swarmPlan(SwarmRuntime swarm, List<ContainerInfo> all) {
    Optional<SwarmNode> node = swarm.localNode();
    if (node.isEmpty() || !node.get().manager()) {
      return new PlanResult(
          Optional.empty(),
          List.of(
              Problem.variable(
                  "SWARM_MODE",
                  node.isEmpty()
                      ? "true, but this Docker engine is not part of an active swarm"
                      : "true, but this node is a swarm worker: run stack-back on a manager"
                          + " (deploy.placement.constraints: [node.role == manager])")),
          List.of());
    }
    Map<String, String> hostnames = swarm.nodeHostnames();
    SwarmDiscovery.Remote remote =
        runtime instanceof RoutingRuntime routing && agents != null
            ? SwarmAgents.find(swarm, self, node.get().id(), hostnames, agents, routing)
            : SwarmDiscovery.Remote.NONE;
    SwarmDiscovery.View view =
        SwarmDiscovery.discover(
            config,
            self,
            all,
            node.get().id(),
            swarm.services(),
            swarm.runningTasks(),
            hostnames,
            remote);
    PlanResult planned = Planner.plan(config, self, view.containers(), view.warnings());
    if (view.errors().isEmpty()) {
      return planned;
    }
    List<Problem> errors = new ArrayList<>(view.errors());
    errors.addAll(planned.errors());
    return new PlanResult(Optional.empty(), errors, planned.warnings());
  }

  private static ContainerInfo findSelf(Config config, ContainerRuntime runtime, PrintWriter err) {
    if (config.stackBackContainer().isPresent()) {
      String name = config.stackBackContainer().get();
      Optional<ContainerInfo> c = runtime.inspect(name);
      if (c.isEmpty()) {
        printProblems(
            err,
            "invalid configuration",
            List.of(Problem.variable("STACK_BACK_CONTAINER", "no container named '" + name + "'")));
        throw new Exit(2, "no such container");
      }
      return c.get();
    }
    Optional<ContainerInfo> own = runtime.findOwnContainerId().flatMap(runtime::inspect);
    if (own.isEmpty()) {
      printProblems(
          err,
          "invalid configuration",
          List.of(
              Problem.variable(
                  "STACK_BACK_CONTAINER",
                  "stack-back is not running in a container; set it to the container that stands"
                      + " for stack-back (its labels, project, image and mounts are used)")));
      throw new Exit(2, "no own container");
    }
    return own.get();
  }

  static void printProblems(PrintWriter err, String title, List<Problem> problems) {
    err.println(
        "error: "
            + title
            + " ("
            + problems.size()
            + " problem"
            + (problems.size() == 1 ? "" : "s")
            + "):");
    problems.forEach(p -> err.println("  - " + p));
    err.flush();
  }

  @Override
  public void close() {
    runtime.close();
  }
}
