package dev.stackback.cli;

import dev.stackback.agent.AgentAuth;
import dev.stackback.agent.AgentServer;
import dev.stackback.config.AgentSettings;
import dev.stackback.config.Config;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.SwarmNode;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's agent (issue 11), SWARM_MODE only. stack-back runs as a global service: on a manager
 * the daemon is the coordinator (and, with {@code AGENT_TOKEN}, serves the agent API as well, for a
 * coordinator on another manager); on a worker node it serves only the agent API on {@code
 * AGENT_PORT} and never runs backups itself. A worker node without {@code AGENT_TOKEN} is an error
 * naming the variable.
 */
final class AgentMode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.agent");

  private final ContainerRuntime runtime;
  private final AgentServer server;
  private final boolean only;

  private AgentMode(ContainerRuntime runtime, AgentServer server, boolean only) {
    this.runtime = runtime;
    this.server = server;
    this.only = only;
  }

  /** Whether this node is a swarm worker: the daemon serves as its agent only. */
  boolean only() {
    return only;
  }

  /**
   * The agent this daemon serves, or empty when none (not SWARM_MODE; a manager without {@code
   * AGENT_TOKEN}).
   *
   * @throws Session.Exit 2 on bad agent settings or a worker node without a token
   */
  static Optional<AgentMode> start(App app, Config config, PrintWriter err) {
    if (!config.swarmMode()) {
      return Optional.empty();
    }
    AgentSettings.Result r = AgentSettings.load(app.env());
    if (r.settings().isEmpty()) {
      Session.printProblems(err, "invalid configuration", r.problems());
      throw new Session.Exit(2, "invalid configuration");
    }
    AgentSettings settings = r.settings().get();
    ContainerRuntime runtime;
    Optional<SwarmNode> node;
    try {
      runtime = app.runtime(config);
      node = runtime.swarm().flatMap(s -> s.localNode());
    } catch (RuntimeException e) {
      err.println("error: cannot reach Docker: " + e.getMessage());
      throw new Session.Exit(1, "docker unreachable");
    }
    boolean worker = node.isPresent() && !node.get().manager();
    if (settings.token().isEmpty()) {
      runtime.close();
      if (worker) {
        Session.printProblems(
            err,
            "invalid configuration",
            List.of(
                AgentSettings.missingToken(
                    "this node is a swarm worker, where stack-back serves as the agent of the"
                        + " coordinator on a manager")));
        throw new Session.Exit(2, "no agent token");
      }
      return Optional.empty();
    }
    String own = runtime.findOwnContainerId().orElse("");
    if (worker) {
      removeOrphanWorkers(runtime);
    }
    try {
      AgentServer server =
          AgentServer.start(
              new InetSocketAddress("0.0.0.0", settings.port()),
              runtime,
              new AgentAuth(settings.token().get(), Clock.systemUTC()),
              own);
      LOG.info(
          "stack-back agent of this node on port {}{}",
          settings.port(),
          worker ? " (swarm worker node: backups are run by the coordinator on a manager)" : "");
      return Optional.of(new AgentMode(runtime, server, worker));
    } catch (RuntimeException e) {
      runtime.close();
      err.println("error: variable 'AGENT_PORT': " + e.getMessage());
      throw new Session.Exit(2, "agent port");
    }
  }

  /**
   * Workers a dead agent left behind (its coordinator's run failed when the agent died): removed,
   * their restic stopped with SIGINT so no snapshot is committed after the run failed.
   */
  private static void removeOrphanWorkers(ContainerRuntime runtime) {
    try {
      for (ContainerInfo w : runtime.listWorkers()) {
        LOG.warn("removing worker container {} left by an earlier agent", w.shortId());
        runtime.remove(w.id());
      }
    } catch (RuntimeException e) {
      LOG.error("cannot remove leftover worker containers: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    server.close();
    runtime.close();
  }
}
