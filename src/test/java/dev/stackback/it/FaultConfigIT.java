package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, items 7, 9 and 10, reproduced as the fault suite found them, with the real jar ({@code
 * target/stack-back.jar}) as a separate process, real containers and a real restic repository: an
 * impossible cron date, a bad TZ, hooks that print 50 MB of NUL bytes or many MB of lines, an
 * include label of only commas, and a missing password file.
 */
class FaultConfigIT {
  static final String PASSWORD = "pw-" + java.util.UUID.randomUUID();
  static DockerFixture fx;

  @BeforeAll
  static void setUp() {
    fx = DockerFixture.create("fcfg");
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  /** What one run of the jar did: exit code, and stdout and stderr together. */
  record Jar(int exit, String output, long outputBytes) {}

  /** {@code java -jar target/stack-back.jar args...} with {@code env} only, bounded to 5 min. */
  static Jar jar(Map<String, String> env, Path outputFile, String... args) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path jar = Path.of("target", "stack-back.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "run `mvn package` first: " + jar);
    List<String> argv = new ArrayList<>(List.of(java, "-jar", jar.toString()));
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().putAll(env);
    Files.createDirectories(outputFile.getParent());
    pb.redirectErrorStream(true).redirectOutput(outputFile.toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("stack-back " + String.join(" ", args) + " hung");
    }
    // the output can be large when the bounds are broken: read at most its first MB
    long size = Files.size(outputFile);
    String text;
    try (var in = Files.newInputStream(outputFile)) {
      text = new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
    }
    return new Jar(p.exitValue(), text, size);
  }

  private static Map<String, String> baseEnv(String name) {
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", fx.dir.resolve(name + "-repo").toString());
    env.put("RESTIC_PASSWORD", PASSWORD);
    env.put("STATE_DIR", fx.dir.resolve(name + "-state").toString());
    env.put("STOP_TIMEOUT", "5s");
    env.put("HOOK_TIMEOUT", "2m");
    env.put("EXCLUDE_BIND_MOUNTS", "true");
    return env;
  }

  /** A backup container and an app with one volume, both with {@code labels} added. */
  private static Map<String, String> stack(
      String name, Map<String, String> selfLabels, Map<String, String> appLabels) {
    String project = fx.project(name);
    Map<String, String> env = baseEnv(name);
    Path repo = Path.of(env.get("RESTIC_REPOSITORY"));
    String backup =
        fx.container(project, "backup")
            .mount(fx.hostDir(name + "-repo").toString(), repo.toString())
            .labels(selfLabels)
            .start();
    Map<String, String> app = new HashMap<>(Map.of("stack-back.volumes", "true"));
    app.putAll(appLabels);
    fx.container(project, "app")
        .mount(fx.volume(name + "-data"), "/data")
        .labels(app)
        .script("echo data > /data/f; " + DockerFixture.IDLE)
        .start();
    env.put("STACK_BACK_CONTAINER", backup);
    return env;
  }

  private static void assertNoStackTrace(Jar r) {
    assertFalse(r.output().contains("\tat "), "a stack trace:\n" + r.output());
    assertFalse(r.output().contains("Exception"), "an exception:\n" + r.output());
  }

  // --- item 7: schedules ---

  @Test
  void impossibleCronDate_daemonExits2NamingTheVariable_noStackTrace() throws Exception {
    Map<String, String> env = baseEnv("cron");
    env.put("CRON_SCHEDULE", "0 0 31 4 *");
    Jar r = jar(env, fx.dir.resolve("cron.out"), "daemon");
    assertEquals(2, r.exit(), r.output());
    assertTrue(r.output().contains("CRON_SCHEDULE"), r.output());
    assertTrue(r.output().contains("'0 0 31 4 *' never fires"), r.output());
    assertNoStackTrace(r);

    env.remove("CRON_SCHEDULE");
    env.put("MAINTENANCE_SCHEDULE", "0 0 30 2 *");
    r = jar(env, fx.dir.resolve("maint.out"), "daemon");
    assertEquals(2, r.exit(), r.output());
    assertTrue(r.output().contains("MAINTENANCE_SCHEDULE"), r.output());
    assertTrue(r.output().contains("never fires"), r.output());
    assertNoStackTrace(r);
  }

  @Test
  void invalidTz_exits2NamingTz() throws Exception {
    Map<String, String> env = baseEnv("tz");
    env.put("TZ", "Mars/Olympus_Mons");
    Jar r = jar(env, fx.dir.resolve("tz.out"), "daemon");
    assertEquals(2, r.exit(), r.output());
    assertTrue(r.output().contains("variable 'TZ'"), r.output());
    assertNoStackTrace(r);
  }

  @Test
  void tz_statusShowsTheNextBackupInThatZone() throws Exception {
    Map<String, String> env = stack("tzok", Map.of(), Map.of());
    env.put("TZ", "Europe/Berlin");
    env.put("CRON_SCHEDULE", "30 3 * * *");
    Jar r = jar(env, fx.dir.resolve("tzok.out"), "status");
    assertEquals(0, r.exit(), r.output());
    assertTrue(
        r.output().matches("(?s).*next: \\d{4}-\\d\\d-\\d\\d 03:30 Europe/Berlin.*"), r.output());
  }

  // --- item 9: output bounded by bytes ---

  @Test
  void noisyHooks_recordAndLogStaySmall_andSayWhatWasOmitted() throws Exception {
    Map<String, String> self =
        Map.of(
            // a local hook (runs on the host through sh): 50 MiB of NUL bytes, no newline
            "stack-back.hooks.pre.1.cmd", "head -c 52428800 /dev/zero");
    Map<String, String> app =
        Map.of(
            // in the app container: 50 MiB of NUL bytes, then 40 MB of short lines
            "stack-back.hooks.pre.1.cmd", "head -c 52428800 /dev/zero",
            "stack-back.hooks.pre.2.cmd",
                "yes 'a line of hook output, over and over' | head -c 40000000");
    Map<String, String> env = stack("noisy", self, app);
    Path out = fx.dir.resolve("noisy.out");
    Jar r = jar(env, out, "backup");
    assertEquals(0, r.exit(), r.output());

    List<JsonNode> records = Cli.records(Path.of(env.get("STATE_DIR")));
    assertEquals(1, records.size());
    Path runs = Path.of(env.get("STATE_DIR")).resolve("runs");
    long recordBytes;
    try (var files = Files.list(runs)) {
      recordBytes =
          files
              .filter(f -> !f.getFileName().toString().startsWith("."))
              .mapToLong(FaultConfigIT::size)
              .sum();
    }
    System.out.printf(
        "noisy hooks: run record %d bytes, log %d bytes%n", recordBytes, r.outputBytes());
    // three noisy steps, each at most 16 KiB of tail (U+FFFD is 3 bytes in UTF-8)
    assertTrue(recordBytes < 200_000, "run record is " + recordBytes + " bytes");
    assertTrue(r.outputBytes() < 1_000_000, "log is " + r.outputBytes() + " bytes");

    JsonNode rec = records.get(0);
    assertTrue(tail(rec, "pre backup#1").contains("52424704 bytes omitted"), rec::toString);
    assertTrue(tail(rec, "pre app#1").contains("52424704 bytes omitted"), rec::toString);
    assertTrue(
        tail(rec, "pre app#2").contains("a line of hook output, over and over"), rec::toString);
    assertTrue(r.output().contains("bytes omitted"), r.output());
    assertTrue(r.output().matches("(?s).*\\[pre app#2\\] \\d+ lines omitted.*"), r.output());
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String tail(JsonNode rec, String step) {
    for (JsonNode s : rec.get("steps")) {
      if (step.equals(s.get("name").asText())) {
        assertEquals("ok", s.get("outcome").asText(), s::toString);
        return s.get("tail").toString();
      }
    }
    throw new AssertionError("no step " + step + " in " + rec);
  }

  // --- item 10: labels and passwords ---

  @Test
  void includeOfOnlyCommas_statusAndBackupExit2NamingContainerAndKey() throws Exception {
    Map<String, String> env =
        stack("commas", Map.of(), Map.of("stack-back.volumes.include", " , "));
    String app = fx.project("commas") + "-app";
    for (String command : List.of("status", "backup")) {
      Jar r = jar(env, fx.dir.resolve("commas-" + command + ".out"), command);
      assertEquals(2, r.exit(), command + ":\n" + r.output());
      assertTrue(
          r.output().contains("container '" + app + "': label 'stack-back.volumes.include'"),
          command + ":\n" + r.output());
      assertNoStackTrace(r);
    }
    assertEquals(List.of(), Cli.records(Path.of(env.get("STATE_DIR"))), "nothing ran");
  }

  @Test
  void passwordFileMissing_statusAndBackupExit2NamingVariableAndPath() throws Exception {
    Map<String, String> env = stack("pwfile", Map.of(), Map.of());
    Path missing = fx.dir.resolve("no-such-password-file");
    env.remove("RESTIC_PASSWORD");
    env.put("RESTIC_PASSWORD_FILE", missing.toString());
    for (String command : List.of("status", "backup")) {
      Jar r = jar(env, fx.dir.resolve("pwfile-" + command + ".out"), command);
      assertEquals(2, r.exit(), command + ":\n" + r.output());
      assertTrue(
          r.output().contains("variable 'RESTIC_PASSWORD_FILE'")
              && r.output().contains(missing.toString()),
          command + ":\n" + r.output());
      assertNoStackTrace(r);
    }
  }

  @Test
  void passwordAndPasswordFileBoth_exit2NamingBoth() throws Exception {
    Map<String, String> env = baseEnv("pwboth");
    Path file = fx.hostDir("pwboth").resolve("pw");
    Files.writeString(file, PASSWORD + "\n");
    env.put("RESTIC_PASSWORD_FILE", file.toString());
    Jar r = jar(env, fx.dir.resolve("pwboth.out"), "status");
    assertEquals(2, r.exit(), r.output());
    assertTrue(
        r.output().contains("both RESTIC_PASSWORD and RESTIC_PASSWORD_FILE are set"), r.output());
    assertFalse(r.output().contains(PASSWORD), "the password leaked:\n" + r.output());
  }
}
