package dev.stackback.restic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResticProcessCacheTest {
  private static final List<String> ARGV = List.of("restic", "cat", "config");

  @Test
  void noCacheLocationAnywhere_addsNoCache() {
    assertEquals(
        List.of("restic", "--no-cache", "cat", "config"),
        ResticProcess.withoutCacheWhenHomeless(ARGV, Map.of(), Map.of("PATH", "/bin")));
  }

  @Test
  void anyCacheLocation_keepsTheCache() {
    assertEquals(
        ARGV, ResticProcess.withoutCacheWhenHomeless(ARGV, Map.of(), Map.of("HOME", "/r")));
    assertEquals(
        ARGV,
        ResticProcess.withoutCacheWhenHomeless(ARGV, Map.of("RESTIC_CACHE_DIR", "/c"), Map.of()));
    assertEquals(
        ARGV,
        ResticProcess.withoutCacheWhenHomeless(ARGV, Map.of(), Map.of("XDG_CACHE_HOME", "/x")));
  }

  @Test
  void aBlankOverrideHidesTheInheritedOne_andNoCacheIsNotAddedTwice() {
    assertEquals(
        List.of("restic", "--no-cache", "cat", "config"),
        ResticProcess.withoutCacheWhenHomeless(ARGV, Map.of("HOME", ""), Map.of("HOME", "/r")));
    List<String> already = List.of("restic", "check", "--no-cache");
    assertEquals(already, ResticProcess.withoutCacheWhenHomeless(already, Map.of(), Map.of()));
  }
}
