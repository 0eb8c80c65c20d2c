package dev.stackback.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerSpecTest {
  private static final String VALID = "[a-z0-9]([a-z0-9-]*[a-z0-9])?";

  @Test
  void hostnameFor_isAValidHostname_stable_andTellsHostsThatReduceAlikeApart() {
    for (String host :
        List.of("shop", "My_Shop.prod", "-x-", "___", "ä", "a".repeat(200), "ab-".repeat(30))) {
      String name = WorkerSpec.hostnameFor(host);
      assertTrue(name.matches(VALID), name);
      assertTrue(name.length() <= 63, name);
      assertTrue(name.startsWith("sbworker-"), name);
      assertEquals(name, WorkerSpec.hostnameFor(host));
    }
    assertTrue(WorkerSpec.hostnameFor("shop").matches("sbworker-shop-[0-9a-f]{8}"));
    assertNotEquals(WorkerSpec.hostnameFor("a_b"), WorkerSpec.hostnameFor("a.b"));
    assertNotEquals(WorkerSpec.hostnameFor("Shop"), WorkerSpec.hostnameFor("shop"));
  }

  @Test
  void hostname_emptyByDefault() {
    WorkerSpec w =
        new WorkerSpec("img", List.of(), null, null, null, java.time.Duration.ofSeconds(1));
    assertEquals("", w.hostname());
    assertEquals("h", w.withHostname("h").hostname());
  }
}
