package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.port.SwarmLocks;
import dev.stackback.port.SwarmLocks.SwarmNodeStatus;
import dev.stackback.port.SwarmNode;
import dev.stackback.port.SwarmRuntime;
import dev.stackback.port.SwarmTask;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code SWARM_MODE}: the schedule of a stack-back service runs on one manager only, the swarm's
 * leader, when the service has a running task there (a global service on the managers has one on
 * every manager). Every other manager's daemon skips its scheduled jobs: without this, a daemon
 * whose clock or start lags a few seconds would run its backup again after the leader's ended (the
 * swarm lock only keeps runs from overlapping). A stack-back that is no task of a service, or whose
 * service has no task on the leader (one replica pinned to a manager), runs its schedule itself.
 */
final class SwarmSchedule {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.daemon");
  static final String SERVICE_LABEL = "com.docker.swarm.service.id";

  private SwarmSchedule() {}

  /**
   * Why this daemon leaves its scheduled jobs to the leader's stack-back, or empty when it runs
   * them. Without {@code SWARM_MODE}, or when the swarm cannot be asked, empty: the job's own run
   * then reports what is wrong.
   */
  static Optional<String> deferral(App app, Config config) {
    if (!config.swarmMode()) {
      return Optional.empty();
    }
    try (Session s = Session.connect(app, config, new PrintWriter(new StringWriter()))) {
      Optional<SwarmLocks> locks = s.runtime.swarmLocks();
      Optional<SwarmRuntime> swarm = s.runtime.swarm();
      Optional<SwarmNode> local = locks.flatMap(SwarmLocks::localNode);
      String service = s.self.labels().getOrDefault(SERVICE_LABEL, "");
      if (local.isEmpty() || swarm.isEmpty() || service.isEmpty()) {
        return Optional.empty();
      }
      return deferral(local.get(), locks.get().nodes(), swarm.get().tasksOf(service));
    } catch (RuntimeException e) {
      LOG.debug("cannot tell whether this node leads the swarm: {}", e.toString());
      return Optional.empty();
    }
  }

  /**
   * Why node {@code local} leaves the schedule to the leader: it is a manager but not the leader,
   * and {@code ourTasks} (our service's tasks) has one running on the leader.
   */
  static Optional<String> deferral(
      SwarmNode local, List<SwarmNodeStatus> nodes, List<SwarmTask> ourTasks) {
    Optional<SwarmNodeStatus> leader = nodes.stream().filter(SwarmNodeStatus::leader).findFirst();
    if (!local.manager() || leader.isEmpty() || leader.get().id().equals(local.id())) {
      return Optional.empty();
    }
    boolean leaderHasOne =
        ourTasks.stream().anyMatch(t -> t.running() && t.nodeId().equals(leader.get().id()));
    if (!leaderHasOne) {
      return Optional.empty();
    }
    String me =
        nodes.stream()
            .filter(n -> n.id().equals(local.id()))
            .map(SwarmNodeStatus::hostname)
            .findFirst()
            .orElse(local.id());
    return Optional.of(
        "this node ("
            + me
            + ") is not the swarm leader; the stack-back on the leader ("
            + leader.get().hostname()
            + ") runs the schedule");
  }
}
