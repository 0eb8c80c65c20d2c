package dev.stackback.plan;

import static dev.stackback.plan.Containers.config;
import static dev.stackback.plan.Containers.ok;
import static dev.stackback.plan.Containers.plan;
import static dev.stackback.plan.Containers.self;
import static dev.stackback.plan.Containers.strings;
import static dev.stackback.plan.Containers.svc;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackback.label.HookSpec.Stage;
import dev.stackback.plan.HookStep.HookTarget;
import dev.stackback.port.ContainerInfo;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hooks per stage in execution order and where each runs (SPEC 1, 2). */
class PlannerHooksTest {

  private static List<String> steps(Plan p, Stage stage) {
    return p.hooks(stage).stream()
        .map(
            h ->
                (h.fromBackupContainer() ? "*" : "")
                    + h.from()
                    + ":"
                    + h.spec().cmd()
                    + " @ "
                    + h.whereText())
        .toList();
  }

  private static ContainerInfo stackBackWithHooks() {
    return self()
        .sb("hooks.pre.1.cmd", "self-pre-1")
        .sb("hooks.pre.2.cmd", "self-pre-2")
        .sb("hooks.pre.2.context", "db")
        .sb("hooks.post.1.cmd", "self-post")
        .sb("hooks.error.1.cmd", "self-error")
        .sb("hooks.finally.1.cmd", "self-finally")
        .build();
  }

  private static ContainerInfo[] stack() {
    return new ContainerInfo[] {
      svc("app", "web")
          .sb("volumes", "true")
          .volume("web_data", "/data")
          .sb("hooks.pre.10.cmd", "web-pre-10")
          .sb("hooks.pre.2.cmd", "web-pre-2")
          .sb("hooks.post.1.cmd", "web-post")
          .sb("hooks.error.1.cmd", "web-error")
          .sb("hooks.error.1.context", "db")
          .build(),
      svc("app", "db")
          .sb("postgres", "true")
          .sb("hooks.pre.1.cmd", "db-pre")
          .sb("hooks.post.1.cmd", "db-post")
          .sb("hooks.finally.1.cmd", "db-finally")
          .build(),
      svc("app", "notifier").sb("hooks.finally.1.cmd", "notify").build(),
      svc("app", "alpha")
          .sb("hooks.pre.1.cmd", "alpha-pre")
          .sb("hooks.post.1.cmd", "alpha-post")
          .build(),
      svc("app", "plain").build()
    };
  }

  @Test
  void hookOrder_perStage_selfFirstInPre_lastInOthers_hookOnlyAfterTargets() {
    Plan p = ok(config(), stackBackWithHooks(), stack());
    assertEquals(List.of("db", "web"), p.targets().stream().map(Target::name).toList());
    assertEquals(List.of("alpha", "notifier"), p.hookOnly().stream().map(Service::name).toList());
    assertEquals(
        List.of(
            "*backup:self-pre-1 @ local",
            "*backup:self-pre-2 @ exec db (app-db-1)",
            "db:db-pre @ exec db (app-db-1)",
            "web:web-pre-2 @ exec web (app-web-1)",
            "web:web-pre-10 @ exec web (app-web-1)",
            "alpha:alpha-pre @ exec alpha (app-alpha-1)"),
        steps(p, Stage.PRE));
    assertEquals(
        List.of(
            "db:db-post @ exec db (app-db-1)",
            "web:web-post @ exec web (app-web-1)",
            "alpha:alpha-post @ exec alpha (app-alpha-1)",
            "*backup:self-post @ local"),
        steps(p, Stage.POST));
    assertEquals(
        List.of("web:web-error @ exec db (app-db-1)", "*backup:self-error @ local"),
        steps(p, Stage.ERROR));
    assertEquals(
        List.of(
            "db:db-finally @ exec db (app-db-1)",
            "notifier:notify @ exec notifier (app-notifier-1)",
            "*backup:self-finally @ local"),
        steps(p, Stage.FINALLY));
  }

  @Test
  void hookOrder_followsBackupOrder_whenOrdered() {
    ContainerInfo me =
        self().sb("ordered", "true").sb("order.1", "web").sb("hooks.pre.1.cmd", "self").build();
    Plan p = ok(config(), me, stack());
    assertEquals(
        List.of(
            "*backup:self @ local",
            "web:web-pre-2 @ exec web (app-web-1)",
            "web:web-pre-10 @ exec web (app-web-1)",
            "db:db-pre @ exec db (app-db-1)",
            "alpha:alpha-pre @ exec alpha (app-alpha-1)"),
        steps(p, Stage.PRE));
  }

  @Test
  void targetHookWithoutContext_execsIntoItsOwnContainer() {
    Plan p =
        ok(
            config(),
            self().build(),
            svc("app", "web").id("c0ffee").sb("hooks.pre.1.cmd", "x").build());
    assertEquals(
        new HookTarget.InContainer("web", new ContainerRef("c0ffee", "app-web-1")),
        p.hooks(Stage.PRE).get(0).where());
  }

  @Test
  void stackBackHookWithContext_execsIntoThatService_evenWithoutLabels() {
    Plan p =
        ok(
            config(),
            self().sb("hooks.pre.1.cmd", "x").sb("hooks.pre.1.context", "plain").build(),
            stack());
    assertEquals(
        new HookTarget.InContainer("plain", new ContainerRef("id-app-plain-1", "app-plain-1")),
        p.hooks(Stage.PRE).get(0).where());
  }

  @Test
  void stackBackHookWithOwnServiceAsContext_execsIntoItself() {
    Plan p =
        ok(config(), self().sb("hooks.pre.1.cmd", "x").sb("hooks.pre.1.context", "backup").build());
    assertEquals(
        new HookTarget.InContainer("backup", new ContainerRef("id-app-backup-1", "app-backup-1")),
        p.hooks(Stage.PRE).get(0).where());
  }

  @Test
  void contextNotInScope_isUnresolvedWithWarning() {
    PlanResult r =
        plan(
            config(),
            self().build(),
            svc("app", "web")
                .sb("hooks.pre.1.cmd", "a")
                .sb("hooks.pre.1.context", "ghost")
                .sb("hooks.post.1.cmd", "b")
                .sb("hooks.post.1.context", "api")
                .build(),
            svc("other", "api").build());
    Plan p = r.plan().orElseThrow();
    assertEquals(new HookTarget.Unresolved("ghost"), p.hooks(Stage.PRE).get(0).where());
    assertEquals(new HookTarget.Unresolved("api"), p.hooks(Stage.POST).get(0).where());
    assertEquals(
        List.of(
            "container 'app-web-1': label 'stack-back.hooks.pre.1.context': no running container"
                + " in scope for service 'ghost' (no container has that service name); the hook"
                + " will fail",
            "container 'app-web-1': label 'stack-back.hooks.post.1.context': no running container"
                + " in scope for service 'api' (it belongs to project 'other', not ours); the hook"
                + " will fail"),
        strings(r.warnings()));
    assertEquals("unresolved context 'ghost'", p.hooks(Stage.PRE).get(0).whereText());
  }

  @Test
  void context_prefersTheDeclaringProjectsService() {
    Plan p =
        ok(
            config("INCLUDE_ALL_COMPOSE_PROJECTS", "true"),
            self().build(),
            svc("blog", "db").build(),
            svc("app", "db").build(),
            svc("blog", "web").sb("hooks.pre.1.cmd", "b").sb("hooks.pre.1.context", "db").build(),
            svc("app", "web").sb("hooks.pre.1.cmd", "a").sb("hooks.pre.1.context", "db").build());
    assertEquals(
        List.of("web:a @ exec db (app-db-1)", "web:b @ exec db (blog-db-1)"), steps(p, Stage.PRE));
  }

  @Test
  void hookTimeout_defaultsToHookTimeout_ownTimeoutWins() {
    Plan p =
        ok(
            config("HOOK_TIMEOUT", "3m"),
            self().sb("hooks.pre.1.cmd", "a").build(),
            svc("app", "web")
                .sb("hooks.pre.1.cmd", "b")
                .sb("hooks.pre.2.cmd", "c")
                .sb("hooks.pre.2.timeout", "30s")
                .build());
    assertEquals(
        List.of(Duration.ofMinutes(3), Duration.ofMinutes(3), Duration.ofSeconds(30)),
        p.hooks(Stage.PRE).stream().map(HookStep::timeout).toList());
  }

  @Test
  void hooksOfOutOfScopeContainers_takeNoPart() {
    Plan p =
        ok(
            config(),
            self().build(),
            svc("other", "web").sb("hooks.pre.1.cmd", "x").build(),
            svc("app", "down").sb("hooks.pre.1.cmd", "y").stopped().build());
    assertEquals(List.of(), p.hooks(Stage.PRE));
    assertEquals(List.of(), p.hookOnly());
  }

  @Test
  void noHooks_everyStageIsEmpty() {
    Plan p = ok(config(), self().build());
    for (Stage s : Stage.values()) {
      assertEquals(List.of(), p.hooks(s), s.toString());
    }
  }
}
