package dev.stackback.plan;

import static dev.stackback.plan.Containers.config;
import static dev.stackback.plan.Containers.ok;
import static dev.stackback.plan.Containers.plan;
import static dev.stackback.plan.Containers.self;
import static dev.stackback.plan.Containers.strings;
import static dev.stackback.plan.Containers.svc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.ContainerInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code stack-back.ordered} / {@code stack-back.order.<N>} on the stack-back container. */
class PlannerOrderingTest {

  private static ContainerInfo vol(String service) {
    return svc("app", service).sb("volumes", "true").volume(service + "_data", "/data").build();
  }

  private static final List<ContainerInfo> FIVE =
      List.of(vol("zeta"), vol("cache"), vol("web"), vol("alpha"), vol("db"));

  private static List<String> names(Plan p) {
    return p.targets().stream().map(Target::name).toList();
  }

  @Test
  void noOrderLabels_defaultOrderIsServiceName() {
    Plan p = ok(config(), self().build(), FIVE.toArray(ContainerInfo[]::new));
    assertEquals(List.of("alpha", "cache", "db", "web", "zeta"), names(p));
    assertFalse(p.ordered());
  }

  @Test
  void ordered_withGaps_listedFirstThenUnlistedByServiceName() {
    ContainerInfo me =
        self()
            .sb("ordered", "true")
            .sb("order.10", "cache")
            .sb("order.1", "db")
            .sb("order.5", "web")
            .build();
    PlanResult r = plan(config(), me, FIVE.toArray(ContainerInfo[]::new));
    Plan p = r.plan().orElseThrow();
    assertEquals(List.of("db", "web", "cache", "alpha", "zeta"), names(p));
    assertTrue(p.ordered());
    assertEquals(List.of(), r.warnings());
  }

  @Test
  void unknownOutOfScopeDuplicateAndEmptyEntries_areWarnings() {
    ContainerInfo me =
        self()
            .sb("ordered", "true")
            .sb("order.1", "web")
            .sb("order.2", "nope")
            .sb("order.3", "api")
            .sb("order.4", "web")
            .sb("order.5", "idle")
            .sb("order.6", "down")
            .sb("order.7", "db")
            .build();
    PlanResult r =
        plan(
            config(),
            me,
            vol("web"),
            vol("db"),
            vol("alpha"),
            svc("other", "api").sb("volumes", "true").volume("x", "/x").build(),
            svc("app", "idle").build(),
            svc("app", "down").stopped().build());
    assertEquals(List.of("web", "db", "alpha"), names(r.plan().orElseThrow()));
    assertEquals(
        List.of(
            "container 'app-backup-1': label 'stack-back.order.2': unknown service 'nope'; entry"
                + " ignored",
            "container 'app-backup-1': label 'stack-back.order.3': 'api' is out of scope (it"
                + " belongs to project 'other', not ours); entry ignored",
            "container 'app-backup-1': label 'stack-back.order.4': duplicate entry 'web' ignored",
            "container 'app-backup-1': label 'stack-back.order.5': 'idle' has nothing to back up"
                + " and no hooks; entry ignored",
            "container 'app-backup-1': label 'stack-back.order.6': 'down' is out of scope (it is"
                + " not running); entry ignored"),
        strings(r.warnings()));
  }

  @Test
  void orderLabelsWithoutOrderedTrue_warnAndKeepDefaultOrder() {
    ContainerInfo me = self().sb("order.1", "zeta").sb("order.2", "db").build();
    PlanResult r = plan(config(), me, FIVE.toArray(ContainerInfo[]::new));
    Plan p = r.plan().orElseThrow();
    assertEquals(List.of("alpha", "cache", "db", "web", "zeta"), names(p));
    assertFalse(p.ordered());
    assertEquals(
        List.of(
            "container 'app-backup-1': label 'stack-back.order.1': ignored: 'stack-back.ordered'"
                + " is not true"),
        strings(r.warnings()));
  }

  @Test
  void orderedFalse_keepsDefaultOrder() {
    ContainerInfo me = self().sb("ordered", "false").sb("order.1", "zeta").build();
    Plan p = ok(config(), me, FIVE.toArray(ContainerInfo[]::new));
    assertEquals(List.of("alpha", "cache", "db", "web", "zeta"), names(p));
  }

  @Test
  void ordered_hookOnlyServicesFollowTargets_listedOnesFirst() {
    ContainerInfo me =
        self()
            .sb("ordered", "true")
            .sb("order.1", "notify")
            .sb("order.2", "web")
            .sb("order.3", "audit")
            .build();
    Plan p =
        ok(
            config(),
            me,
            vol("web"),
            vol("db"),
            svc("app", "audit").sb("hooks.pre.1.cmd", "a").build(),
            svc("app", "notify").sb("hooks.pre.1.cmd", "n").build(),
            svc("app", "alpha").sb("hooks.pre.1.cmd", "x").build());
    assertEquals(List.of("web", "db"), names(p));
    assertEquals(
        List.of("notify", "audit", "alpha"), p.hookOnly().stream().map(Service::name).toList());
  }
}
