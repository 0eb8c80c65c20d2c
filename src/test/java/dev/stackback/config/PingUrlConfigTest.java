package dev.stackback.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code PING_URL} and {@code PING_URL_FILE}. */
class PingUrlConfigTest {
  private static Map<String, String> env(String name, String value) {
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", "/restic_data");
    env.put("RESTIC_PASSWORD", "s3cret");
    env.put(name, value);
    return env;
  }

  @Test
  void pingUrlFile_readTrimmed() {
    ConfigLoader.Result r =
        ConfigLoader.load(
            env("PING_URL_FILE", "/run/secrets/ping"),
            p -> {
              assertEquals(Path.of("/run/secrets/ping"), p);
              return "https://hc.example/ping/k-123\n";
            });

    assertEquals(List.of(), r.problems());
    assertEquals(Optional.of("https://hc.example/ping/k-123"), r.config().orElseThrow().pingUrl());
  }

  @Test
  void pingUrlNotHttp_problemNamesTheVariable_notTheValue() {
    ConfigLoader.Result r =
        ConfigLoader.load(
            env("PING_URL", "hc.example/ping/secret-key"),
            p -> {
              throw new AssertionError("no file");
            });

    assertTrue(r.config().isEmpty());
    String problems = r.problems().toString();
    assertTrue(problems.contains("PING_URL"), problems);
    assertFalse(problems.contains("secret-key"), problems);
  }
}
