package dev.stackback.plan;

import static dev.stackback.plan.Containers.config;
import static dev.stackback.plan.Containers.plain;
import static dev.stackback.plan.Containers.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.config.Config;
import dev.stackback.label.LabelKeys;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.SwarmService;
import dev.stackback.port.SwarmTask;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SWARM_MODE discovery from the manager's services and tasks (issue 11). */
class SwarmDiscoveryTest {
  private static final Config SWARM = config("SWARM_MODE", "true");
  private static final Map<String, String> HOSTS = Map.of("n1", "node1", "n2", "node2");
  private static final Map<String, String> STACK = Map.of("com.docker.stack.namespace", "st");

  private final ContainerInfo self = task("st_backup", "svc-backup", "t-backup").build();
  private final SwarmService backup = service("svc-backup", "st_backup", Map.of(), Map.of());

  private static Containers.Builder task(String service, String serviceId, String taskId) {
    return plain(service + ".1." + taskId)
        .label("com.docker.swarm.service.name", service)
        .label("com.docker.stack.namespace", "st")
        .label(SwarmDiscovery.SERVICE_ID, serviceId)
        .label(SwarmDiscovery.TASK_ID, taskId);
  }

  private static SwarmService service(
      String id, String name, Map<String, String> labels, Map<String, String> containerLabels) {
    return service(id, name, labels, containerLabels, List.of(), List.of());
  }

  private static SwarmService service(
      String id,
      String name,
      Map<String, String> labels,
      Map<String, String> containerLabels,
      List<String> constraints,
      List<String> volumes) {
    java.util.Map<String, String> l = new java.util.HashMap<>(STACK);
    l.putAll(labels);
    java.util.Map<String, String> c = new java.util.HashMap<>(STACK);
    c.putAll(containerLabels);
    return new SwarmService(id, name, 3, false, 1, l, c, constraints, volumes);
  }

  private static SwarmTask running(String id, String serviceId, String node) {
    return new SwarmTask(id, serviceId, node, "running", "running", "c-" + id);
  }

  private SwarmDiscovery.View discover(
      List<ContainerInfo> local, List<SwarmService> services, List<SwarmTask> tasks) {
    return SwarmDiscovery.discover(SWARM, self, local, "n1", services, tasks, HOSTS);
  }

  @Test
  void localTask_getsItsServiceLabels_deployLabelsCount() {
    ContainerInfo files = task("st_files", "svc-files", "t-files").build();
    SwarmService svc =
        service("svc-files", "st_files", Map.of("stack-back.volumes", "true"), Map.of());
    SwarmDiscovery.View v =
        discover(
            List.of(self, files),
            List.of(backup, svc),
            List.of(
                running("t-backup", "svc-backup", "n1"), running("t-files", "svc-files", "n1")));
    assertEquals(List.of(), v.errors());
    ContainerInfo seen = v.containers().get(1);
    assertEquals("true", seen.label("stack-back.volumes"));
  }

  @Test
  void containerLabel_winsOverTheSameServiceLabel_andOurScaleLabelsAreNeverCopied() {
    ContainerInfo app = task("st_app", "svc-app", "t-app").sb("volumes", "false").build();
    SwarmService svc =
        service(
            "svc-app",
            "st_app",
            Map.of(
                "stack-back.volumes",
                "true",
                SwarmDiscovery.REPLICAS_LABEL,
                "2",
                SwarmDiscovery.RUN_LABEL,
                "r1"),
            Map.of("stack-back.volumes", "false"));
    SwarmDiscovery.View v =
        discover(
            List.of(self, app), List.of(backup, svc), List.of(running("t-app", "svc-app", "n1")));
    ContainerInfo seen = v.containers().get(1);
    assertEquals("false", seen.label("stack-back.volumes"));
    assertEquals(null, seen.label(SwarmDiscovery.REPLICAS_LABEL));
    assertEquals(null, seen.label(SwarmDiscovery.RUN_LABEL));
  }

  @Test
  void taskHistory_isLeftOut() {
    ContainerInfo old = task("st_app", "svc-app", "t-old").sb("volumes", "true").stopped().build();
    ContainerInfo now = task("st_app", "svc-app", "t-new").sb("volumes", "true").build();
    SwarmService svc = service("svc-app", "st_app", Map.of(), Map.of("stack-back.volumes", "true"));
    SwarmDiscovery.View v =
        discover(
            List.of(self, old, now),
            List.of(backup, svc),
            List.of(running("t-new", "svc-app", "n1")));
    assertEquals(
        List.of(self.name(), now.name()),
        v.containers().stream().map(ContainerInfo::name).toList());
  }

  @Test
  void labelledServiceOnAnotherNode_isAnErrorNamingServiceAndNode() {
    SwarmService svc = service("svc-db", "st_db", Map.of(), Map.of("stack-back.volumes", "true"));
    SwarmDiscovery.View v =
        discover(List.of(self), List.of(backup, svc), List.of(running("t-db", "svc-db", "n2")));
    assertEquals(1, v.errors().size(), v.errors().toString());
    String e = v.errors().get(0).toString();
    assertTrue(e.startsWith("service 'st_db': node node2: "), e);
    assertTrue(e.contains("other than stack-back's (node1)"), e);
    assertTrue(e.contains("where no stack-back agent runs"), e);
  }

  /** Discovery from node1 of a swarm of three nodes, stack-back's own task the only local one. */
  private SwarmDiscovery.View discoverWithAgents(
      List<SwarmService> services, List<SwarmTask> tasks, SwarmDiscovery.Remote remote) {
    return SwarmDiscovery.discover(
        SWARM,
        self,
        List.of(self),
        "n1",
        services,
        tasks,
        Map.of("n1", "node1", "n2", "node2", "n3", "node3"),
        remote);
  }

  /** node2 has an agent that sees {@code containers}; node3 has none. */
  private static SwarmDiscovery.Remote agentOnNode2(Map<String, ContainerInfo> containers) {
    return new SwarmDiscovery.Remote() {
      @Override
      public boolean hasAgent(String nodeId) {
        return nodeId.equals("n2");
      }

      @Override
      public java.util.Optional<ContainerInfo> container(String nodeId, String containerId) {
        if (containerId.equals("c-broken")) {
          throw new IllegalStateException("cannot exec on node node2: connection refused");
        }
        return java.util.Optional.ofNullable(containers.get(containerId));
      }
    };
  }

  @Test
  void labelledServiceOnANodeWithAnAgent_isPlannedFromItsContainerThere() {
    SwarmService svc =
        service(
            "svc-db",
            "st_db",
            Map.of("stack-back.volumes.include", "/data"),
            Map.of("stack-back.volumes", "true"));
    ContainerInfo remote =
        task("st_db", "svc-db", "t-db")
            .sb("volumes", "true")
            .label("com.docker.swarm.node.id", "n2")
            .build();
    SwarmDiscovery.View v =
        discoverWithAgents(
            List.of(backup, svc),
            List.of(running("t-db", "svc-db", "n2")),
            agentOnNode2(Map.of("c-t-db", remote)));
    assertEquals(List.of(), v.errors());
    ContainerInfo seen = v.containers().get(1);
    assertEquals(remote.id(), seen.id());
    assertEquals("/data", seen.label("stack-back.volumes.include"), "service labels added");
  }

  @Test
  void nodeWithoutAgent_orAFailingAgent_isAnErrorNamingServiceAndNode() {
    SwarmService db = service("svc-db", "st_db", Map.of(), Map.of("stack-back.volumes", "true"));
    SwarmService files = service("svc-f", "st_f", Map.of(), Map.of("stack-back.volumes", "true"));
    SwarmDiscovery.View v =
        discoverWithAgents(
            List.of(backup, db, files),
            List.of(
                new SwarmTask("t-db", "svc-db", "n2", "running", "running", "c-broken"),
                running("t-f", "svc-f", "n3")),
            agentOnNode2(Map.of()));
    List<String> errors = v.errors().stream().map(Object::toString).toList();
    assertEquals(2, errors.size(), errors.toString());
    assertTrue(
        errors
            .get(0)
            .startsWith(
                "service 'st_db': node node2: cannot inspect its task's container"
                    + " through the node's stack-back agent: cannot exec on node node2"),
        errors.get(0));
    assertTrue(errors.get(1).startsWith("service 'st_f': node node3: "), errors.get(1));
    assertTrue(errors.get(1).contains("where no stack-back agent runs"), errors.get(1));
  }

  @Test
  void deployLabelsOnly_onAnotherNode_isAnErrorToo() {
    SwarmService svc = service("svc-f", "st_f", Map.of("stack-back.volumes", "true"), Map.of());
    SwarmDiscovery.View v =
        discover(List.of(self), List.of(backup, svc), List.of(running("t-f", "svc-f", "n2")));
    assertEquals(1, v.errors().size(), v.errors().toString());
  }

  @Test
  void unlabelledOrOtherStackOrOwnService_onAnotherNode_isFine() {
    SwarmService plainSvc = service("svc-p", "st_p", Map.of(), Map.of());
    SwarmService other =
        new SwarmService(
            "svc-o",
            "other_o",
            1,
            false,
            1,
            Map.of("com.docker.stack.namespace", "other"),
            Map.of("com.docker.stack.namespace", "other", "stack-back.volumes", "true"),
            List.of(),
            List.of());
    SwarmDiscovery.View v =
        discover(
            List.of(self),
            List.of(backup, plainSvc, other),
            List.of(
                running("t-p", "svc-p", "n2"),
                running("t-o", "svc-o", "n2"),
                running("t-b2", "svc-backup", "n2")));
    assertEquals(List.of(), v.errors());
  }

  private static SwarmService unlabelled(
      String id, String name, String image, List<String> volumes, List<String> binds) {
    return new SwarmService(
        id, name, 3, false, 1, STACK, STACK, List.of(), volumes, "", image, binds);
  }

  @Test
  void autoBackupAll_servicesWithSomethingToBackUpOnAnotherNode_areNeverSkippedSilently() {
    Config auto = config("SWARM_MODE", "true", "AUTO_BACKUP_ALL", "true");
    List<SwarmService> services =
        List.of(
            backup,
            unlabelled("svc-v", "st_vol", "busybox", List.of("st_data"), List.of()),
            unlabelled("svc-b", "st_bind", "busybox", List.of(), List.of("/srv/files")),
            unlabelled("svc-d", "st_db", "postgres:16@sha256:ab", List.of(), List.of()),
            unlabelled("svc-s", "st_sock", "traefik", List.of(), List.of("/var/run/docker.sock")),
            unlabelled("svc-w", "st_web", "nginx", List.of(), List.of()));
    List<SwarmTask> tasks =
        List.of(
            running("t-v", "svc-v", "n2"),
            running("t-b", "svc-b", "n2"),
            running("t-d", "svc-d", "n2"),
            running("t-s", "svc-s", "n2"),
            running("t-w", "svc-w", "n2"));

    List<String> errors =
        SwarmDiscovery.discover(auto, self, List.of(self), "n1", services, tasks, HOSTS)
            .errors()
            .stream()
            .map(Object::toString)
            .toList();

    assertEquals(3, errors.size(), errors.toString());
    assertTrue(errors.get(0).startsWith("service 'st_vol': node node2: "), errors.toString());
    assertTrue(errors.get(1).startsWith("service 'st_bind': node node2: "), errors.toString());
    assertTrue(errors.get(2).startsWith("service 'st_db': node node2: "), errors.toString());
    // EXCLUDE_BIND_MOUNTS: a service with bind mounts only has nothing to back up
    Config noBinds =
        config("SWARM_MODE", "true", "AUTO_BACKUP_ALL", "true", "EXCLUDE_BIND_MOUNTS", "true");
    assertEquals(
        2,
        SwarmDiscovery.discover(noBinds, self, List.of(self), "n1", services, tasks, HOSTS)
            .errors()
            .size());
    // without AUTO_BACKUP_ALL none of them is ours
    assertEquals(List.of(), discover(List.of(self), services, tasks).errors());
  }

  @Test
  void anUnlabelledHookContextOnAnotherNode_isInspectedThroughItsAgent_soTheHookRunsThere() {
    SwarmService app =
        service(
            "svc-app",
            "st_app",
            Map.of(),
            Map.of(
                "stack-back.volumes", "true",
                "stack-back.hooks.pre.1.cmd", "touch /tmp/maintenance",
                "stack-back.hooks.pre.1.context", "st_web"));
    SwarmService web = service("svc-w", "st_web", Map.of(), Map.of());
    SwarmService far = service("svc-f", "st_far", Map.of(), Map.of());
    ContainerInfo appC = task("st_app", "svc-app", "t-app").sb("volumes", "true").build();
    ContainerInfo webC = task("st_web", "svc-w", "t-w").build();
    ContainerInfo farC = task("st_far", "svc-f", "t-f").build();
    SwarmDiscovery.View v =
        discoverWithAgents(
            List.of(backup, app, web, far),
            List.of(
                running("t-app", "svc-app", "n2"),
                running("t-w", "svc-w", "n2"),
                running("t-f", "svc-f", "n2")),
            agentOnNode2(Map.of("c-t-app", appC, "c-t-w", webC, "c-t-f", farC)));

    assertEquals(List.of(), v.errors());
    List<String> ids = v.containers().stream().map(ContainerInfo::id).toList();
    assertEquals(List.of(self.id(), appC.id(), webC.id()), ids, "st_far is named by no hook");
    assertEquals("node2", v.containers().get(2).label(LabelKeys.SWARM_NODE));
    assertEquals(
        java.util.Set.of("st_web"), SwarmDiscovery.hookContexts(self, List.of(backup, app, web)));
  }

  /** Discovery of stack-back and st_app (a volume, these constraints), both on node1. */
  private SwarmDiscovery.View localApp(List<String> constraints) {
    ContainerInfo app =
        task("st_app", "svc-app", "t-app").sb("volumes", "true").volume("st_data", "/data").build();
    SwarmService svc =
        service(
            "svc-app",
            "st_app",
            Map.of(),
            Map.of("stack-back.volumes", "true"),
            constraints,
            List.of("st_data"));
    return discover(
        List.of(self, app),
        List.of(backup, svc),
        List.of(running("t-backup", "svc-backup", "n1"), running("t-app", "svc-app", "n1")));
  }

  @Test
  void discoveryWarnings_areThePlansWarnings_shownByBackupAndStatus() {
    SwarmDiscovery.View v = localApp(List.of());
    Plan plan = Planner.plan(SWARM, self, v.containers(), v.warnings()).plan().orElseThrow();
    assertEquals(List.of("st/st_app"), Containers.targetNames(plan));
    assertEquals(v.warnings(), plan.warnings());
    assertEquals(1, plan.warnings().size(), plan.warnings().toString());
  }

  @Test
  void volumesWithoutConstraint_warns_aConstraintSilencesIt() {
    SwarmService loose =
        service(
            "svc-l",
            "st_loose",
            Map.of(),
            Map.of("stack-back.volumes", "true"),
            List.of(),
            List.of("st_data"));
    SwarmService pinned =
        service(
            "svc-p",
            "st_pinned",
            Map.of(),
            Map.of("stack-back.volumes", "true"),
            List.of("node.hostname == node1"),
            List.of("st_other"));
    SwarmDiscovery.View v = discover(List.of(self), List.of(backup, loose, pinned), List.of());
    assertEquals(
        List.of(
            "service 'st_loose': deploy.placement.constraints: it has volumes (st_data) and no"
                + " placement constraint: after a scale-up (stop-during-backup, a restart) its"
                + " task may land on another node, with an empty volume"),
        strings(v.warnings()));
  }

  /** Discovery of service st_app with these labels and volumes, a task on each of {@code nodes}. */
  private SwarmDiscovery.View appOn(
      Map<String, String> labels,
      Map<String, String> containerLabels,
      List<String> volumes,
      String... nodes) {
    SwarmService svc = service("svc-app", "st_app", labels, containerLabels, List.of(), volumes);
    List<SwarmTask> tasks = new java.util.ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      tasks.add(running("t" + i, "svc-app", nodes[i]));
    }
    return discover(List.of(self), List.of(backup, svc), tasks);
  }

  @Test
  void replicatedServiceWithVolumesOnTwoNodes_isOneErrorNamingServiceAndNodes() {
    SwarmDiscovery.View v =
        appOn(Map.of(), Map.of("stack-back.volumes", "true"), List.of("st_data"), "n1", "n2", "n2");
    assertEquals(1, v.errors().size(), v.errors().toString());
    String e = v.errors().get(0).toString();
    assertTrue(e.startsWith("service 'st_app': node node1, node2: its replicas run on 2 nodes"), e);
    assertTrue(e.contains("a named volume (st_data) is a different volume on each node"), e);
  }

  @Test
  void replicatedServiceStoppedDuringBackupOnTwoNodes_isAnError_evenWithoutVolumes() {
    SwarmDiscovery.View v =
        appOn(
            Map.of("stack-back.volumes.stop-during-backup", "true"),
            Map.of("stack-back.volumes", "true"),
            List.of(),
            "n1",
            "n3");
    assertEquals(1, v.errors().size(), v.errors().toString());
    assertTrue(v.errors().get(0).toString().contains("stop-during-backup scales it to 0"));
  }

  @Test
  void replicatedServiceOnTwoNodes_withDumpsOnly_isNotThisError() {
    SwarmDiscovery.View v =
        appOn(Map.of(), Map.of("stack-back.postgres", "true"), List.of("st_pg"), "n1", "n2");
    // (the task on node2 is the other error: no agent there yet)
    assertEquals(1, v.errors().size(), v.errors().toString());
    assertTrue(
        strings(v.errors()).stream().noneMatch(e -> e.contains("its replicas run on")),
        v.errors().toString());
  }

  @Test
  void everyContainerOfTheView_carriesThisNodesHostname_andItsSnapshotsTheNodeTag() {
    SwarmDiscovery.View v = localApp(List.of("node.hostname == node1"));
    assertTrue(
        v.containers().stream().allMatch(c -> "node1".equals(c.label(LabelKeys.SWARM_NODE))),
        v.containers().toString());
    Plan plan = Planner.plan(SWARM, self, v.containers(), v.warnings()).plan().orElseThrow();
    assertEquals(
        List.of("stack-back", "project=st", "service=st_app", "node=node1"),
        plan.targets().get(0).tags());
  }
}
