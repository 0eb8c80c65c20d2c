package dev.stackback.restic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every {@link ResticCliIT} case again with the oldest restic host mode supports (Debian 12's
 * 0.14.0: no {@code --retry-lock}, no exit codes 10/11/12, no {@code restore --delete}), named by
 * {@code STACKBACK_OLD_RESTIC} ({@code scripts/test.sh} sets it from {@code
 * scripts/ensure-restic.sh --oldest}). Without it the class is skipped locally and fails in CI.
 */
class ResticCliOldIT extends ResticCliIT {
  private static final String OLD = System.getenv("STACKBACK_OLD_RESTIC");

  @BeforeAll
  static void oldResticIsThere() {
    boolean given = OLD != null && !OLD.isBlank() && Files.isExecutable(Path.of(OLD));
    if (!given && "true".equals(System.getenv("CI"))) {
      fail("STACKBACK_OLD_RESTIC does not name a restic binary: " + OLD);
    }
    assumeTrue(given, "STACKBACK_OLD_RESTIC not set (scripts/ensure-restic.sh --oldest)");
  }

  @Override
  String binary() {
    return OLD;
  }

  @Test
  void theBinaryIsTheOldRelease_withoutTheNewFeatures() {
    ResticVersion v =
        new ResticCli(OLD, Map.of(), Duration.ofSeconds(30), false).version().orElseThrow();
    assertEquals("0.14.0", v.toString());
    assertFalse(v.retriesLocks());
    assertFalse(v.restoreDeletes());
  }
}
