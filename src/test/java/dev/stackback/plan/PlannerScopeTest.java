package dev.stackback.plan;

import static dev.stackback.plan.Containers.config;
import static dev.stackback.plan.Containers.ok;
import static dev.stackback.plan.Containers.plain;
import static dev.stackback.plan.Containers.plan;
import static dev.stackback.plan.Containers.self;
import static dev.stackback.plan.Containers.snapshotPaths;
import static dev.stackback.plan.Containers.strings;
import static dev.stackback.plan.Containers.svc;
import static dev.stackback.plan.Containers.targetNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.ContainerInfo;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which containers are in scope, and label errors in and out of scope. */
class PlannerScopeTest {
  private final ContainerInfo me = self().build();

  private static ContainerInfo backedUp(String project, String service) {
    return svc(project, service).sb("volumes", "true").volume(service + "_data", "/data").build();
  }

  @Test
  void otherComposeProject_isExcluded() {
    Plan p = ok(config(), me, backedUp("app", "web"), backedUp("other", "api"));
    assertEquals(List.of("app/web"), targetNames(p));
  }

  @Test
  void otherComposeProject_isIncludedWithIncludeAllComposeProjects() {
    Plan p =
        ok(
            config("INCLUDE_ALL_COMPOSE_PROJECTS", "true"),
            me,
            backedUp("app", "web"),
            backedUp("other", "api"));
    assertEquals(List.of("other/api", "app/web"), targetNames(p));
  }

  @Test
  void includeAllComposeProjects_putsTheProjectInSnapshotPaths_asThePythonToolDoes() {
    Plan p =
        ok(
            config("INCLUDE_ALL_COMPOSE_PROJECTS", "true"),
            me,
            backedUp("app", "web"),
            backedUp("other", "web"));
    List<String> paths = new java.util.ArrayList<>();
    p.targets().forEach(t -> t.volumes().forEach(v -> paths.add(v.snapshotPath())));
    assertEquals(2, paths.size(), paths.toString());
    assertTrue(paths.stream().anyMatch(x -> x.startsWith("/volumes/other/web/")), paths.toString());
    assertTrue(paths.stream().anyMatch(x -> x.startsWith("/volumes/app/web/")), paths.toString());
  }

  @Test
  void stoppedOneOffWorkerAndSelf_areExcluded_imageNameNeverDecides() {
    ContainerInfo selfWithLabels =
        self().sb("volumes", "true").volume("backup_cache", "/cache").build();
    Plan p =
        ok(
            config(),
            selfWithLabels,
            svc("app", "stopped").sb("volumes", "true").volume("s", "/s").stopped().build(),
            svc("app", "oneoff")
                .sb("volumes", "true")
                .volume("o", "/o")
                .label("com.docker.compose.oneoff", "True")
                .build(),
            svc("app", "worker")
                .sb("volumes", "true")
                .label("stack-back.worker", "run-1")
                .volume("w", "/w")
                .build(),
            svc("app", "lookalike")
                .image("ghcr.io/example/stack-back:1.0")
                .sb("volumes", "true")
                .volume("l", "/l")
                .build());
    assertEquals(List.of("app/lookalike"), targetNames(p));
    assertEquals("backup", p.self().name());
  }

  @Test
  void oneOffFalse_isInScope() {
    Plan p =
        ok(
            config(),
            me,
            svc("app", "web")
                .label("com.docker.compose.oneoff", "False")
                .sb("volumes", "true")
                .volume("d", "/d")
                .build());
    assertEquals(List.of("app/web"), targetNames(p));
  }

  @Test
  void stoppedLabelledContainerInOurProject_isWarning() {
    PlanResult r =
        plan(
            config(),
            me,
            backedUp("app", "web"),
            svc("app", "db").sb("postgres", "true").stopped().build());
    assertEquals(
        List.of(
            "container 'app-db-1': label 'stack-back.*': skipped: the container is not running"),
        strings(r.warnings()));
  }

  @Test
  void swarmMode_usesSwarmServiceAndStackNamespace() {
    ContainerInfo swarmSelf =
        plain("stack_backup.1.abc")
            .label("com.docker.swarm.service.name", "stack_backup")
            .label("com.docker.stack.namespace", "stack")
            .build();
    ContainerInfo web =
        plain("stack_web.1.xyz")
            .label("com.docker.swarm.service.name", "stack_web")
            .label("com.docker.stack.namespace", "stack")
            .sb("volumes", "true")
            .volume("stack_data", "/data")
            .build();
    ContainerInfo otherStack =
        plain("other_web.1.q")
            .label("com.docker.swarm.service.name", "other_web")
            .label("com.docker.stack.namespace", "other")
            .sb("volumes", "true")
            .volume("other_data", "/data")
            .build();
    Plan p = ok(config("SWARM_MODE", "true"), swarmSelf, web, otherStack);
    assertEquals("stack", p.project());
    assertEquals("stack", p.host());
    assertEquals(List.of("stack/stack_web"), targetNames(p));
    assertEquals(List.of("/volumes/stack_web/data"), snapshotPaths(p.targets().get(0)));
    assertEquals(
        List.of("stack-back", "project=stack", "service=stack_web"), p.targets().get(0).tags());
  }

  @Test
  void withoutSwarmMode_swarmLabelsAreIgnored() {
    ContainerInfo web =
        svc("app", "web")
            .label("com.docker.swarm.service.name", "stack_web")
            .label("com.docker.stack.namespace", "stack")
            .sb("volumes", "true")
            .volume("d", "/data")
            .build();
    Plan p = ok(config(), me, web);
    assertEquals(List.of("app/web"), targetNames(p));
  }

  @Test
  void containerOutsideCompose_usesItsNameAsService() {
    ContainerInfo hostSelf = plain("stack-back").build();
    ContainerInfo web = plain("web").sb("volumes", "true").volume("d", "/data").build();
    Plan p = ok(config(), hostSelf, web);
    assertEquals("", p.project());
    assertEquals("stack-back", p.host());
    assertEquals(List.of("web"), targetNames(p));
    assertEquals(List.of("stack-back", "service=web"), p.targets().get(0).tags());
  }

  @Test
  void replicasOfOneService_areOneTarget_containersSortedByName() {
    ContainerInfo web2 =
        new Containers.Builder("app-web-2")
            .label("com.docker.compose.project", "app")
            .label("com.docker.compose.service", "web")
            .sb("volumes", "true")
            .volume("d", "/data")
            .build();
    Plan p = ok(config(), me, web2, backedUp("app", "web"));
    assertEquals(List.of("app/web"), targetNames(p));
    assertEquals(
        List.of("app-web-1", "app-web-2"),
        p.targets().get(0).service().refs().stream().map(ContainerRef::name).toList());
  }

  // --- label errors ---

  @Test
  void labelErrorsOutOfScope_doNotFailThePlan() {
    PlanResult r =
        plan(
            config(),
            me,
            backedUp("app", "web"),
            svc("other", "bad").sb("volumes", "maybe").build(),
            svc("app", "stopped").sb("hooks.pre.x.cmd", "y").stopped().build(),
            svc("app", "oneoff")
                .label("com.docker.compose.oneoff", "True")
                .sb("volumes", "maybe")
                .build());
    assertEquals(List.of(), r.errors());
    assertTrue(r.plan().isPresent());
    assertEquals(List.of("app/web"), targetNames(r.plan().get()));
  }

  @Test
  void labelErrorsInScope_failThePlan_allReported() {
    PlanResult r =
        plan(
            config(),
            me,
            backedUp("app", "web"),
            svc("app", "db").sb("postgres", "maybe").sb("hooks.pre.1.on-error", "ignore").build());
    assertEquals(Optional.empty(), r.plan());
    assertEquals(
        List.of(
            "container 'app-db-1': label 'stack-back.hooks.pre.1.cmd': missing: hook pre.1 has no"
                + " cmd",
            "container 'app-db-1': label 'stack-back.hooks.pre.1.on-error': 'ignore' is not valid"
                + " (expected abort, continue)",
            "container 'app-db-1': label 'stack-back.postgres': 'maybe' is not a boolean (expected"
                + " true/false, 1/0, yes/no or on/off)"),
        strings(r.errors()).stream().sorted().toList());
  }

  @Test
  void labelErrorOnTheStackBackContainer_failsThePlan() {
    PlanResult r = plan(config(), self().sb("ordered", "perhaps").build(), backedUp("app", "web"));
    assertEquals(Optional.empty(), r.plan());
    assertEquals(
        List.of(
            "container 'app-backup-1': label 'stack-back.ordered': 'perhaps' is not a boolean"
                + " (expected true/false, 1/0, yes/no or on/off)"),
        strings(r.errors()));
  }

  @Test
  void unknownLabelInScope_isWarningOnly() {
    PlanResult r = plan(config(), me, svc("app", "web").sb("volumez", "true").build());
    assertEquals(List.of(), r.errors());
    assertEquals(
        List.of("container 'app-web-1': label 'stack-back.volumez': unknown label, ignored"),
        strings(r.warnings()));
    assertFalse(r.plan().orElseThrow().targets().iterator().hasNext());
  }
}
