package dev.stackback.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.config.Config.NotifyOn;
import dev.stackback.config.Config.StopScope;
import dev.stackback.label.Problem;
import dev.stackback.port.KeepPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
  private static final Function<Path, String> NO_FILES =
      p -> {
        throw new AssertionError("no file expected, asked for " + p);
      };

  private static Map<String, String> env(String... kv) {
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", "/restic_data");
    env.put("RESTIC_PASSWORD", "s3cret");
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] == null) {
        env.remove(kv[i]);
      } else {
        env.put(kv[i], kv[i + 1]);
      }
    }
    return env;
  }

  private static Config ok(String... kv) {
    ConfigLoader.Result r = ConfigLoader.load(env(kv), NO_FILES);
    assertEquals(List.of(), r.problems());
    return r.config().orElseThrow();
  }

  private static List<String> problems(String... kv) {
    return problems(env(kv), NO_FILES);
  }

  private static List<String> problems(Map<String, String> env, Function<Path, String> files) {
    ConfigLoader.Result r = ConfigLoader.load(env, files);
    assertEquals(Optional.empty(), r.config(), "no config when there are problems");
    return r.problems().stream().map(Problem::toString).toList();
  }

  @Test
  void defaults() {
    Config c = ok();
    assertEquals("/restic_data", c.resticRepository());
    assertEquals(new KeepPolicy(7, 4, 12, 3), c.keep());
    assertEquals("0 2 * * *", c.cronSchedule().text());
    assertEquals(Optional.empty(), c.maintenanceSchedule());
    assertEquals("info", c.logLevel());
    assertFalse(c.autoBackupAll());
    assertFalse(c.includeProjectName());
    assertFalse(c.includeAllComposeProjects());
    assertFalse(c.swarmMode());
    assertFalse(c.excludeBindMounts());
    assertFalse(c.checkWithCache());
    assertEquals(Duration.ofMinutes(10), c.hookTimeout());
    assertEquals(Duration.ofSeconds(30), c.stopTimeout());
    assertEquals(StopScope.SERVICE, c.stopScope());
    assertEquals(Path.of("/state"), c.stateDir());
    assertEquals(NotifyOn.FAILURE, c.notifyOn());
    assertEquals(Optional.empty(), c.backupHost());
    assertEquals(Optional.empty(), c.metricsPort());
    assertEquals(Optional.empty(), c.stackBackContainer());
    assertEquals(Optional.empty(), c.discordWebhook());
    assertEquals(List.of(), c.notifyUrls());
    assertEquals(587, c.email().port());
    assertFalse(c.email().enabled());
  }

  @Test
  void everySettingIsRead() {
    Config c =
        ok(
            "AUTO_BACKUP_ALL", "true",
            "INCLUDE_PROJECT_NAME", "1",
            "INCLUDE_ALL_COMPOSE_PROJECTS", "yes",
            "SWARM_MODE", "on",
            "EXCLUDE_BIND_MOUNTS", "TRUE",
            "CHECK_WITH_CACHE", "true",
            "HOOK_TIMEOUT", "2m",
            "STOP_TIMEOUT", "45",
            "STOP_SCOPE", "RUN",
            "STATE_DIR", "/var/lib/stack-back",
            "NOTIFY_ON", "always",
            "BACKUP_HOST", " myhost ",
            "METRICS_PORT", "9100",
            "STACK_BACK_CONTAINER", "backup-1",
            "LOG_LEVEL", "DEBUG",
            "MAINTENANCE_SCHEDULE", "@weekly",
            "EMAIL_HOST", "smtp.example.com",
            "EMAIL_PORT", "25",
            "EMAIL_SEND_TO", "a@example.com, b@example.com",
            "NOTIFY_URLS", "https://hooks.example.com/a, http://b.example.com",
            "DISCORD_WEBHOOK", "https://discord.com/api/webhooks/1/x");
    assertTrue(c.autoBackupAll());
    assertTrue(c.includeProjectName());
    assertTrue(c.includeAllComposeProjects());
    assertTrue(c.swarmMode());
    assertTrue(c.excludeBindMounts());
    assertTrue(c.checkWithCache());
    assertEquals(Duration.ofMinutes(2), c.hookTimeout());
    assertEquals(Duration.ofSeconds(45), c.stopTimeout());
    assertEquals(StopScope.RUN, c.stopScope());
    assertEquals(Path.of("/var/lib/stack-back"), c.stateDir());
    assertEquals(NotifyOn.ALWAYS, c.notifyOn());
    assertEquals(Optional.of("myhost"), c.backupHost());
    assertEquals(Optional.of(9100), c.metricsPort());
    assertEquals(Optional.of("backup-1"), c.stackBackContainer());
    assertEquals("debug", c.logLevel());
    assertEquals("@weekly", c.maintenanceSchedule().orElseThrow().text());
    assertEquals(25, c.email().port());
    assertEquals(List.of("a@example.com", "b@example.com"), c.email().sendTo());
    assertTrue(c.email().enabled());
    assertEquals(List.of("https://hooks.example.com/a", "http://b.example.com"), c.notifyUrls());
  }

  // --- retention ---

  @Test
  void keep_fallsBackToKeepVariables() {
    Config c = ok("KEEP_DAILY", "1", "KEEP_WEEKLY", "2", "KEEP_MONTHLY", "3", "KEEP_YEARLY", "0");
    assertEquals(new KeepPolicy(1, 2, 3, 0), c.keep());
  }

  @Test
  void keep_resticKeepTakesPrecedenceOverKeep() {
    Config c =
        ok(
            "RESTIC_KEEP_DAILY", "10",
            "KEEP_DAILY", "1",
            "KEEP_WEEKLY", "2",
            "RESTIC_KEEP_YEARLY", "9");
    assertEquals(new KeepPolicy(10, 2, 12, 9), c.keep());
  }

  @Test
  void keep_invalid_isProblemNamingTheVariable() {
    assertEquals(
        List.of("environment: variable 'RESTIC_KEEP_WEEKLY': 'four' is not a whole number >= 0"),
        problems("RESTIC_KEEP_WEEKLY", "four", "KEEP_WEEKLY", "4"));
    assertEquals(
        List.of("environment: variable 'KEEP_MONTHLY': '-1' is not a whole number >= 0"),
        problems("KEEP_MONTHLY", "-1"));
  }

  @Test
  void anomalyThresholds_defaultAndSet() {
    assertEquals(
        dev.stackback.history.Thresholds.DEFAULT,
        ok("RESTIC_REPOSITORY", "/r").anomalyThresholds());
    assertEquals(
        new dev.stackback.history.Thresholds(5, 30, 0),
        ok(
                "RESTIC_REPOSITORY",
                "/r",
                "ANOMALY_MIN_RUNS",
                "5",
                "ANOMALY_SHRINK_PERCENT",
                "30",
                "ANOMALY_SLOWER_FACTOR",
                "0")
            .anomalyThresholds());
  }

  @Test
  void anomalyThresholds_invalid_isProblemNamingTheVariable() {
    assertEquals(
        List.of("environment: variable 'ANOMALY_SHRINK_PERCENT': '120' is more than 100 (percent)"),
        problems("RESTIC_REPOSITORY", "/r", "ANOMALY_SHRINK_PERCENT", "120"));
    assertEquals(
        List.of("environment: variable 'ANOMALY_SLOWER_FACTOR': '2.5' is not a whole number >= 0"),
        problems("RESTIC_REPOSITORY", "/r", "ANOMALY_SLOWER_FACTOR", "2.5"));
  }

  // --- _FILE forms ---

  @Test
  void nameFile_isReadThroughTheFileReader() {
    Map<Path, String> files =
        Map.of(
            Path.of("/run/secrets/repo"), "s3:https://s3.example.com/bucket",
            Path.of("/run/secrets/keep"), "14",
            Path.of("/run/secrets/host"), "from-file");
    List<Path> asked = new ArrayList<>();
    Function<Path, String> reader =
        p -> {
          asked.add(p);
          return files.get(p);
        };
    ConfigLoader.Result r =
        ConfigLoader.load(
            env(
                "RESTIC_REPOSITORY", null,
                "RESTIC_REPOSITORY_FILE", "/run/secrets/repo",
                "KEEP_DAILY_FILE", " /run/secrets/keep ",
                "BACKUP_HOST_FILE", "/run/secrets/host"),
            reader);
    assertEquals(List.of(), r.problems());
    Config c = r.config().orElseThrow();
    assertEquals("s3:https://s3.example.com/bucket", c.resticRepository());
    assertEquals(14, c.keep().daily());
    assertEquals(Optional.of("from-file"), c.backupHost());
    // restic gets the value we read, not our _FILE variable
    assertEquals("s3:https://s3.example.com/bucket", c.resticEnv().get("RESTIC_REPOSITORY"));
    assertFalse(c.resticEnv().containsKey("RESTIC_REPOSITORY_FILE"));
    assertTrue(asked.contains(Path.of("/run/secrets/keep")), "path is trimmed: " + asked);
  }

  @Test
  void nameFile_realFileThroughDefaultReader_trailingNewlineRemoved(@TempDir Path dir)
      throws IOException {
    Path f = dir.resolve("hook_timeout");
    Files.writeString(f, "90s\n");
    ConfigLoader.Result r = ConfigLoader.load(env("HOOK_TIMEOUT_FILE", f.toString()));
    assertEquals(List.of(), r.problems());
    assertEquals(Duration.ofSeconds(90), r.config().orElseThrow().hookTimeout());
  }

  @Test
  void nameFile_unreadable_isProblemNamingTheFileVariable(@TempDir Path dir) {
    Path missing = dir.resolve("nope");
    List<String> p =
        problems(env("STOP_SCOPE_FILE", missing.toString()), ConfigLoader_defaultReader());
    assertEquals(1, p.size(), p.toString());
    assertTrue(
        p.get(0).startsWith("environment: variable 'STOP_SCOPE_FILE': cannot read " + missing),
        p.get(0));
  }

  private static Function<Path, String> ConfigLoader_defaultReader() {
    return Env::readFile;
  }

  @Test
  void nameAndNameFile_bothSet_isProblem() {
    assertEquals(
        List.of(
            "environment: variable 'HOOK_TIMEOUT_FILE': both HOOK_TIMEOUT and HOOK_TIMEOUT_FILE"
                + " are set; set only one"),
        problems("HOOK_TIMEOUT", "5m", "HOOK_TIMEOUT_FILE", "/run/secrets/t"));
  }

  // --- invalid values ---

  @Test
  void badBoolean_isProblemNamingTheVariable() {
    assertEquals(
        List.of(
            "environment: variable 'AUTO_BACKUP_ALL': 'maybe' is not a boolean (expected"
                + " true/false, 1/0, yes/no or on/off)"),
        problems("AUTO_BACKUP_ALL", "maybe"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "INCLUDE_PROJECT_NAME",
        "INCLUDE_ALL_COMPOSE_PROJECTS",
        "SWARM_MODE",
        "EXCLUDE_BIND_MOUNTS",
        "CHECK_WITH_CACHE"
      })
  void everyBooleanSetting_rejectsBadValue(String name) {
    List<String> p = problems(name, "2");
    assertEquals(
        List.of(
            "environment: variable '"
                + name
                + "': '2' is not a boolean (expected true/false, 1/0, yes/no or on/off)"),
        p);
  }

  @Test
  void healthTimeout_default2m_zeroMeansNoWait_durationsAccepted() {
    assertEquals(Duration.ofMinutes(2), ok().healthTimeout());
    assertEquals(Duration.ZERO, ok("HEALTH_TIMEOUT", "0").healthTimeout());
    assertEquals(Duration.ZERO, ok("HEALTH_TIMEOUT", " 0s ").healthTimeout());
    assertEquals(Duration.ofSeconds(90), ok("HEALTH_TIMEOUT", "90s").healthTimeout());
    assertEquals(Duration.ofMinutes(5), ok("HEALTH_TIMEOUT", "5m").healthTimeout());
  }

  @ParameterizedTest
  @ValueSource(strings = {"soon", "-1m", "2 m", "1.5m"})
  void badHealthTimeout_isProblemNamingTheVariable(String value) {
    assertEquals(
        List.of(
            "environment: variable 'HEALTH_TIMEOUT': '"
                + value
                + "' is not a duration (expected e.g. 30s, 2m, or 0 for no wait)"),
        problems("HEALTH_TIMEOUT", value));
  }

  @ParameterizedTest
  @CsvSource({"HOOK_TIMEOUT, 10x", "STOP_TIMEOUT, 0", "HOOK_TIMEOUT, -5m", "STOP_TIMEOUT, 1 h"})
  void badDuration_isProblemNamingTheVariable(String name, String value) {
    assertEquals(
        List.of(
            "environment: variable '"
                + name
                + "': '"
                + value
                + "' is not a duration (expected e.g. 30s, 5m, 1h)"),
        problems(name, value));
  }

  @Test
  void badStopScope_isProblemNamingTheVariable() {
    assertEquals(
        List.of(
            "environment: variable 'STOP_SCOPE': 'container' is not valid (expected one of"
                + " [service, run])"),
        problems("STOP_SCOPE", "container"));
  }

  @Test
  void backupConcurrency_defaultsToOne_acceptsOneToEight_elseNamesTheVariable() {
    assertEquals(1, ok().backupConcurrency());
    assertEquals(3, ok("BACKUP_CONCURRENCY", "3").backupConcurrency());
    assertEquals(
        List.of(
            "environment: variable 'BACKUP_CONCURRENCY': '0' is out of range: snapshots at once,"
                + " 1 (default) to 8"),
        problems("BACKUP_CONCURRENCY", "0"));
    assertEquals(1, problems("BACKUP_CONCURRENCY", "9").size());
    assertEquals(
        List.of("environment: variable 'BACKUP_CONCURRENCY': 'two' is not a whole number >= 0"),
        problems("BACKUP_CONCURRENCY", "two"));
  }

  @Test
  void badNotifyOn_isProblemNamingTheVariable() {
    assertEquals(
        List.of(
            "environment: variable 'NOTIFY_ON': 'never' is not valid (expected one of [failure,"
                + " always])"),
        problems("NOTIFY_ON", "never"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0 2 * * *", "*/15 1-5 * * 1,3", "@daily", "@HOURLY", "0 */5 * * * *"})
  void validCron_isAccepted(String cron) {
    assertEquals(cron, ok("CRON_SCHEDULE", cron).cronSchedule().text());
  }

  @ParameterizedTest
  @ValueSource(strings = {"61 * * * *", "* * *", "@sometimes", "0 25 * * *", "a b c d e"})
  void badCron_isProblemNamingTheVariable(String cron) {
    List<String> p = problems("CRON_SCHEDULE", cron);
    assertEquals(1, p.size(), p.toString());
    assertTrue(
        p.get(0)
            .startsWith(
                "environment: variable 'CRON_SCHEDULE': '" + cron + "' is not a cron schedule: "),
        p.get(0));
  }

  @Test
  void verifySchedule_unsetIsNoDrills_setIsParsed_badIsProblemNamingTheVariable() {
    assertTrue(ok().verifySchedule().isEmpty());
    assertEquals("0 4 * * 0", ok("VERIFY_SCHEDULE", "0 4 * * 0").verifySchedule().get().text());
    List<String> p = problems("VERIFY_SCHEDULE", "every sunday");
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("environment: variable 'VERIFY_SCHEDULE': "), p.get(0));
  }

  @Test
  void badMaintenanceSchedule_isProblemNamingTheVariable() {
    List<String> p = problems("MAINTENANCE_SCHEDULE", "61 * * * *");
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("environment: variable 'MAINTENANCE_SCHEDULE': "), p.get(0));
  }

  @Test
  void badLogLevel_isProblem() {
    List<String> p = problems("LOG_LEVEL", "loud");
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("environment: variable 'LOG_LEVEL': 'loud' is not one of"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "65536", "http"})
  void badMetricsPort_isOneProblemNamingTheVariable(String port) {
    assertEquals(
        List.of(
            "environment: variable 'METRICS_PORT': '" + port + "' is not a port number (1-65535)"),
        problems("METRICS_PORT", port));
  }

  @Test
  void badUrls_areProblemsWithoutShowingTheValue() {
    List<String> p =
        problems("DISCORD_WEBHOOK", "discord-secret-token", "NOTIFY_URLS", "ftp://x/secret");
    assertEquals(
        List.of(
            "environment: variable 'DISCORD_WEBHOOK': is not an http(s) URL",
            "environment: variable 'NOTIFY_URLS': an entry is not an http(s) URL (values are not"
                + " shown)"),
        p);
  }

  @Test
  void missingRepository_isProblem() {
    assertEquals(
        List.of(
            "environment: variable 'RESTIC_REPOSITORY': is not set (e.g. /restic_data, s3:...,"
                + " b2:..., rest:...)"),
        problems("RESTIC_REPOSITORY", null));
  }

  @Test
  void missingPassword_isProblem() {
    assertEquals(
        List.of(
            "environment: variable 'RESTIC_PASSWORD': is not set (set RESTIC_PASSWORD,"
                + " RESTIC_PASSWORD_FILE or RESTIC_PASSWORD_COMMAND)"),
        problems("RESTIC_PASSWORD", null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"RESTIC_PASSWORD_FILE", "RESTIC_PASSWORD_COMMAND"})
  void resticsOwnPasswordForms_countAsPassword(String name) {
    ConfigLoader.Result r =
        ConfigLoader.load(
            env("RESTIC_PASSWORD", null, name, "/run/secrets/pw"),
            p -> {
              assertEquals(Path.of("/run/secrets/pw"), p);
              return "s3cret";
            });
    assertEquals(List.of(), r.problems());
    assertEquals("/run/secrets/pw", r.config().orElseThrow().resticEnv().get(name));
  }

  @ParameterizedTest
  @CsvSource({
    "RESTIC_PASSWORD, RESTIC_PASSWORD_FILE",
    "RESTIC_PASSWORD, RESTIC_PASSWORD_COMMAND",
    "RESTIC_PASSWORD_FILE, RESTIC_PASSWORD_COMMAND"
  })
  void twoPasswordForms_isProblemNamingBoth(String a, String b) {
    List<String> p = problems(env("RESTIC_PASSWORD", null, a, "/run/pw", b, "/run/pw"), NO_FILES);
    assertEquals(
        List.of(
            "environment: variable '"
                + b
                + "': both "
                + a
                + " and "
                + b
                + " are set; set only one (restic would use one and silently ignore the other)"),
        p);
  }

  @Test
  void passwordFile_missing_isProblemNamingVariableAndPath(@TempDir Path dir) {
    Path missing = dir.resolve("restic-pw");
    List<String> p =
        problems(
            env("RESTIC_PASSWORD", null, "RESTIC_PASSWORD_FILE", missing.toString()),
            Env::readFile);
    assertEquals(
        List.of(
            "environment: variable 'RESTIC_PASSWORD_FILE': cannot read the password file "
                + missing
                + ": it does not exist"),
        p);
  }

  @Test
  void passwordFile_empty_isProblem(@TempDir Path dir) throws IOException {
    Path f = Files.writeString(dir.resolve("pw"), "\n");
    List<String> p =
        problems(env("RESTIC_PASSWORD", null, "RESTIC_PASSWORD_FILE", f.toString()), Env::readFile);
    assertEquals(
        List.of(
            "environment: variable 'RESTIC_PASSWORD_FILE': the password file " + f + " is empty"),
        p);
  }

  @Test
  void passwordFile_readable_isFine(@TempDir Path dir) throws IOException {
    Path f = Files.writeString(dir.resolve("pw"), "s3cret\n");
    ConfigLoader.Result r =
        ConfigLoader.load(env("RESTIC_PASSWORD", null, "RESTIC_PASSWORD_FILE", f.toString()));
    assertEquals(List.of(), r.problems());
  }

  // --- schedules and TZ ---

  @ParameterizedTest
  @CsvSource({"CRON_SCHEDULE, '0 0 31 4 *'", "MAINTENANCE_SCHEDULE, '0 0 30 2 *'"})
  void scheduleThatNeverFires_isProblemNamingTheVariable(String name, String cron) {
    List<String> p = problems(name, cron);
    assertEquals(1, p.size(), p.toString());
    assertTrue(
        p.get(0).startsWith("environment: variable '" + name + "': '" + cron + "' never fires"),
        p.get(0));
  }

  @Test
  void tz_isTheSchedulesZone() {
    Config c = ok("TZ", "Europe/Berlin", "MAINTENANCE_SCHEDULE", "0 3 * * *");
    assertEquals(java.time.ZoneId.of("Europe/Berlin"), c.cronSchedule().zone());
    assertEquals(java.time.ZoneId.of("Europe/Berlin"), c.maintenanceSchedule().get().zone());
    // 02:00 in Berlin in winter is 01:00 UTC
    java.time.ZonedDateTime now = java.time.ZonedDateTime.parse("2026-12-02T12:00Z");
    assertEquals(
        java.time.Instant.parse("2026-12-03T01:00:00Z"),
        c.cronSchedule().next(now).orElseThrow().toInstant());
  }

  @Test
  void tz_posixLeadingColon_isAccepted() {
    assertEquals(java.time.ZoneId.of("Asia/Tokyo"), ok("TZ", ":Asia/Tokyo").cronSchedule().zone());
  }

  @Test
  void tz_invalid_isProblemNamingTz() {
    assertEquals(
        List.of(
            "environment: variable 'TZ': 'Mars/Olympus' is not a time zone (e.g. Europe/Berlin, UTC)"),
        problems("TZ", "Mars/Olympus"));
  }

  @Test
  void severalProblems_allReportedAtOnce() {
    Map<String, String> env =
        Map.of(
            "AUTO_BACKUP_ALL", "maybe",
            "HOOK_TIMEOUT", "10x",
            "STOP_SCOPE", "container",
            "CRON_SCHEDULE", "61 * * * *");
    List<String> p = problems(env, NO_FILES);
    assertEquals(
        List.of(
            "RESTIC_REPOSITORY",
            "RESTIC_PASSWORD",
            "CRON_SCHEDULE",
            "AUTO_BACKUP_ALL",
            "HOOK_TIMEOUT",
            "STOP_SCOPE"),
        p.stream().map(s -> s.split("'")[1]).toList());
  }

  // --- restic environment ---

  @Test
  void resticEnv_passesResticAndBackendVariables_notOursNorKeep() {
    Config c =
        ok(
            "AWS_ACCESS_KEY_ID", "AKIA",
            "AWS_SECRET_ACCESS_KEY", "secret",
            "B2_ACCOUNT_ID", "b2",
            "RESTIC_CACHE_DIR", "/cache",
            "RESTIC_KEEP_DAILY", "5",
            "RESTIC_KEEP_WEEKLY", "5",
            "RESTIC_KEEP_MONTHLY", "5",
            "RESTIC_KEEP_YEARLY", "5",
            "KEEP_DAILY", "5",
            "HOOK_TIMEOUT", "1m",
            "PATH", "/usr/bin");
    assertEquals(
        Map.of(
            "RESTIC_REPOSITORY", "/restic_data",
            "RESTIC_PASSWORD", "s3cret",
            "AWS_ACCESS_KEY_ID", "AKIA",
            "AWS_SECRET_ACCESS_KEY", "secret",
            "B2_ACCOUNT_ID", "b2",
            "RESTIC_CACHE_DIR", "/cache"),
        c.resticEnv());
  }

  @Test
  void resticEnv_doesNotPassKeepFileForms() {
    Map<Path, String> files = Map.of(Path.of("/run/keep"), "9");
    Config c =
        ConfigLoader.load(env("RESTIC_KEEP_DAILY_FILE", "/run/keep"), files::get)
            .config()
            .orElseThrow();
    assertEquals(9, c.keep().daily());
    assertEquals(
        Map.of("RESTIC_REPOSITORY", "/restic_data", "RESTIC_PASSWORD", "s3cret"), c.resticEnv());
  }

  // --- the Python tool's names ---

  @Test
  void includeAllVolumes_isTheDeprecatedNameOfAutoBackupAll_withOneWarningNamingTheNewName() {
    ConfigLoader.Result r = ConfigLoader.load(env("INCLUDE_ALL_VOLUMES", "true"), NO_FILES);
    assertTrue(r.config().orElseThrow().autoBackupAll());
    assertEquals(1, r.warnings().size(), r.warnings().toString());
    assertEquals(
        "environment: variable 'INCLUDE_ALL_VOLUMES': is deprecated: use AUTO_BACKUP_ALL (same"
            + " meaning) instead",
        r.warnings().get(0).toString());
    assertFalse(ok("INCLUDE_ALL_VOLUMES", "false").autoBackupAll());
    assertEquals(List.of(), ConfigLoader.load(env("AUTO_BACKUP_ALL", "1"), NO_FILES).warnings());
  }

  @Test
  void includeAllVolumesAndAutoBackupAll_agreeing_isFine_disagreeing_namesBoth() {
    assertTrue(ok("INCLUDE_ALL_VOLUMES", "yes", "AUTO_BACKUP_ALL", "true").autoBackupAll());
    List<String> p = problems("INCLUDE_ALL_VOLUMES", "true", "AUTO_BACKUP_ALL", "false");
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).contains("'INCLUDE_ALL_VOLUMES'"), p.get(0));
    assertTrue(p.get(0).contains("AUTO_BACKUP_ALL='false'"), p.get(0));
  }

  @Test
  void includeAllVolumes_badBoolean_namesIt() {
    List<String> p = problems("INCLUDE_ALL_VOLUMES", "maybe");
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("environment: variable 'INCLUDE_ALL_VOLUMES'"), p.get(0));
  }

  @Test
  void includeAllComposeProjects_impliesTheProjectInSnapshotPaths_asInPython() {
    Config c = ok("INCLUDE_ALL_COMPOSE_PROJECTS", "true");
    assertTrue(c.includeAllComposeProjects());
    assertTrue(c.includeProjectName());
    assertFalse(ok("INCLUDE_ALL_COMPOSE_PROJECTS", "false").includeProjectName());
    assertTrue(ok("INCLUDE_PROJECT_NAME", "true").includeProjectName());
  }

  @Test
  void includeProjectNameFalse_withAllProjects_isIgnoredWithAWarning() {
    ConfigLoader.Result r =
        ConfigLoader.load(
            env("INCLUDE_ALL_COMPOSE_PROJECTS", "true", "INCLUDE_PROJECT_NAME", "false"), NO_FILES);
    assertTrue(r.config().orElseThrow().includeProjectName());
    assertEquals(1, r.warnings().size(), r.warnings().toString());
    assertTrue(r.warnings().get(0).toString().contains("'INCLUDE_PROJECT_NAME': is ignored"));
  }
}
