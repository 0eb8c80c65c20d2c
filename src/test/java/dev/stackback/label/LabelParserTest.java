package dev.stackback.label;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.label.HookSpec.Mode;
import dev.stackback.label.HookSpec.OnError;
import dev.stackback.label.HookSpec.Stage;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LabelParserTest {
  private static final String BOOL_WORDS = "true/false, 1/0, yes/no or on/off";

  private static ParsedLabels parse(String... kv) {
    Map<String, String> labels = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      labels.put(kv[i], kv[i + 1]);
    }
    return LabelParser.parse("db", labels);
  }

  private static ContainerLabels ok(String... kv) {
    ParsedLabels p = parse(kv);
    assertEquals(List.of(), p.errors(), "errors");
    return p.labels();
  }

  private static List<String> errors(ParsedLabels p) {
    return p.errors().stream().map(Problem::toString).toList();
  }

  private static List<String> warnings(ParsedLabels p) {
    return p.warnings().stream().map(Problem::toString).toList();
  }

  // --- plain labels ---

  @Test
  void noLabels_isNone() {
    ParsedLabels p = parse("com.docker.compose.service", "db");
    assertEquals(ContainerLabels.none(), p.labels());
    assertEquals(List.of(), p.errors());
    assertEquals(List.of(), p.warnings());
  }

  @ParameterizedTest
  @CsvSource({
    "true, true", "TRUE, true", "True, true", "1, true", "yes, true", "YES, true", "on, true",
    "On, true", "false, false", "FALSE, false", "0, false", "no, false", "No, false", "off, false",
    "OFF, false"
  })
  void booleanLabels_acceptEverySpellingAnyCase(String raw, boolean expected) {
    ContainerLabels l =
        ok(
            "stack-back.volumes", raw,
            "stack-back.volumes.stop-during-backup", raw,
            "stack-back.ordered", raw);
    assertEquals(Optional.of(expected), l.volumes());
    assertEquals(expected, l.stopDuringBackup());
    assertEquals(expected, l.ordered());
  }

  @Test
  void booleanLabel_maybe_isErrorNamingContainerExactKeyAndAcceptedWords() {
    ParsedLabels p = parse("stack-back.volumes", "maybe");
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.volumes': 'maybe' is not a boolean (expected "
                + BOOL_WORDS
                + ")"),
        errors(p));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "stack-back.volumes.stop-during-backup",
        "stack-back.postgres",
        "stack-back.postgres.all",
        "stack-back.mysql",
        "stack-back.mariadb",
        "stack-back.ordered",
        "restic-compose-backup.volumes",
        "restic-compose-backup.mysql"
      })
  void everyBooleanLabel_rejectsNonBoolean_namingThatKey(String key) {
    ParsedLabels p = parse(key, "maybe");
    assertEquals(
        List.of(
            "container 'db': label '"
                + key
                + "': 'maybe' is not a boolean (expected "
                + BOOL_WORDS
                + ")"),
        errors(p));
  }

  @Test
  void legacyPrefix_acceptedForVolumeAndDatabaseLabels() {
    ContainerLabels l =
        ok(
            "restic-compose-backup.volumes", "true",
            "restic-compose-backup.volumes.include", "data, conf",
            "restic-compose-backup.volumes.exclude", "cache",
            "restic-compose-backup.volumes.stop-during-backup", "yes");
    assertEquals(Optional.of(true), l.volumes());
    assertEquals(List.of("data", "conf"), l.include());
    assertEquals(List.of("cache"), l.exclude());
    assertTrue(l.stopDuringBackup());
  }

  @ParameterizedTest
  @CsvSource({"postgres, POSTGRES", "mysql, MYSQL", "mariadb, MARIADB"})
  void legacyPrefix_acceptedForEachDatabaseLabel(String suffix, DatabaseKind kind) {
    ParsedLabels p = parse("restic-compose-backup." + suffix, "true");
    assertEquals(List.of(), p.errors());
    assertEquals(List.of(), p.warnings());
    assertEquals(Optional.of(kind), p.labels().database());
  }

  @Test
  void bothPrefixesDiffer_oursWins_withWarningOnLegacyKey() {
    ParsedLabels p =
        parse(
            "stack-back.volumes", "false",
            "restic-compose-backup.volumes", "true",
            "stack-back.volumes.include", "a",
            "restic-compose-backup.volumes.include", "b");
    assertEquals(List.of(), p.errors());
    assertEquals(Optional.of(false), p.labels().volumes());
    assertEquals(List.of("a"), p.labels().include());
    assertEquals(
        List.of(
            "container 'db': label 'restic-compose-backup.volumes': ignored:"
                + " 'stack-back.volumes' is set too and wins",
            "container 'db': label 'restic-compose-backup.volumes.include': ignored:"
                + " 'stack-back.volumes.include' is set too and wins"),
        warnings(p));
  }

  @Test
  void bothPrefixesEqual_noWarning() {
    ParsedLabels p = parse("stack-back.volumes", "true", "restic-compose-backup.volumes", " true ");
    assertEquals(List.of(), p.warnings());
    assertEquals(Optional.of(true), p.labels().volumes());
  }

  @Test
  void includeExclude_tokensTrimmedEmptyDropped() {
    ContainerLabels l =
        ok(
            "stack-back.volumes", "true",
            "stack-back.volumes.include", "  data ,conf,, /srv/x ",
            "stack-back.volumes.exclude", " cache , ");
    assertEquals(List.of("data", "conf", "/srv/x"), l.include());
    assertEquals(List.of("cache"), l.exclude());
  }

  @ParameterizedTest
  @CsvSource({
    "stack-back.volumes.include, ','",
    "stack-back.volumes.include, ' , '",
    "stack-back.volumes.include, ''",
    "stack-back.volumes.exclude, ',,'",
    "restic-compose-backup.volumes.include, ' '"
  })
  void includeExclude_namingNothing_isErrorNamingContainerAndKey(String key, String value) {
    ParsedLabels p = parse("stack-back.volumes", "true", key, value);
    assertEquals(
        List.of(
            "container 'db': label '"
                + key
                + "': '"
                + value
                + "' names no volume (expected comma-separated volume names or paths; remove"
                + " the label to mean all)"),
        errors(p));
  }

  @Test
  void includeWithoutVolumes_isWarningOnly() {
    ParsedLabels p = parse("stack-back.volumes.include", "data");
    assertEquals(List.of(), p.errors());
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.volumes.include': only applies when"
                + " 'stack-back.volumes' is true (or AUTO_BACKUP_ALL is on)"),
        warnings(p));
  }

  @Test
  void twoDatabaseLabels_isErrorNamingContainerAndKey() {
    ParsedLabels p = parse("stack-back.postgres", "true", "stack-back.mysql", "true");
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.mysql': a container can be only one database;"
                + " it is already labelled postgres"),
        errors(p));
  }

  @Test
  void twoDatabaseLabels_legacyOne_errorNamesTheLegacyKeyThatIsSet() {
    ParsedLabels p = parse("stack-back.postgres", "true", "restic-compose-backup.mariadb", "true");
    assertEquals(
        List.of(
            "container 'db': label 'restic-compose-backup.mariadb': a container can be only one"
                + " database; it is already labelled postgres"),
        errors(p));
  }

  @Test
  void legacyIncludeWithoutVolumes_warningNamesTheLegacyKey() {
    ParsedLabels p = parse("restic-compose-backup.volumes.exclude", "cache");
    assertEquals(
        List.of(
            "container 'db': label 'restic-compose-backup.volumes.exclude': only applies when"
                + " 'stack-back.volumes' is true (or AUTO_BACKUP_ALL is on)"),
        warnings(p));
  }

  @Test
  void databaseLabelFalse_isNoDatabase() {
    ContainerLabels l = ok("stack-back.postgres", "false", "stack-back.mysql", "true");
    assertEquals(Optional.of(DatabaseKind.MYSQL), l.database());
  }

  @Test
  void postgresAll_isRead() {
    ContainerLabels l = ok("stack-back.postgres", "true", "stack-back.postgres.all", "on");
    assertEquals(Optional.of(DatabaseKind.POSTGRES), l.database());
    assertTrue(l.postgresAll());
  }

  @Test
  void postgresAllOnNonPostgres_isWarning() {
    ParsedLabels p = parse("stack-back.mysql", "true", "stack-back.postgres.all", "true");
    assertEquals(List.of(), p.errors());
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.postgres.all': ignored: the container is not"
                + " labelled postgres"),
        warnings(p));
  }

  @Test
  void unknownStackBackLabel_isWarningNotError() {
    ParsedLabels p =
        parse(
            "stack-back.volume", "true",
            "restic-compose-backup.hooks.pre.1.cmd", "x",
            "other.label", "y");
    assertEquals(List.of(), p.errors());
    assertEquals(
        List.of(
            "container 'db': label 'restic-compose-backup.hooks.pre.1.cmd': unknown label,"
                + " ignored",
            "container 'db': label 'stack-back.volume': unknown label, ignored"),
        warnings(p).stream().sorted().toList());
  }

  @Test
  void workerLabel_isNotUnknown() {
    ParsedLabels p = parse("stack-back.worker", "run-1");
    assertEquals(List.of(), p.warnings());
    assertEquals(List.of(), p.errors());
  }

  // --- order ---

  @Test
  void order_readByNumber_ascendingWithGaps() {
    ContainerLabels l =
        ok(
            "stack-back.ordered", "true",
            "stack-back.order.10", "c",
            "stack-back.order.1", " a ",
            "stack-back.order.5", "b");
    assertTrue(l.ordered());
    assertEquals(new TreeMap<>(Map.of(1, "a", 5, "b", 10, "c")), l.order());
    assertEquals(List.of(1, 5, 10), List.copyOf(l.order().keySet()));
  }

  @Test
  void orderWithoutOrdered_isWarning() {
    ParsedLabels p = parse("stack-back.order.1", "web");
    assertEquals(List.of(), p.errors());
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.order.1': ignored: 'stack-back.ordered' is not true"),
        warnings(p));
  }

  @Test
  void orderEntryNotANumber_isWarning() {
    ParsedLabels p = parse("stack-back.ordered", "true", "stack-back.order.first", "web");
    assertEquals(List.of(), p.errors());
    assertEquals(
        List.of("container 'db': label 'stack-back.order.first': ignored: 'first' is not a number"),
        warnings(p));
    assertEquals(Map.of(), p.labels().order());
  }

  // --- hooks (cases of the Python tool's hook tests, PR #109) ---

  @Test
  void hook_cmdOnly_getsDefaults() {
    ContainerLabels l = ok("stack-back.hooks.pre.1.cmd", "echo hi");
    assertEquals(
        List.of(
            new HookSpec(
                Stage.PRE, 1, "echo hi", null, OnError.ABORT, 0, null, Mode.BLOCKING, null)),
        l.hooks());
  }

  @Test
  void hook_withContext_execsThere() {
    ContainerLabels l =
        ok("stack-back.hooks.pre.1.cmd", "pg_isready", "stack-back.hooks.pre.1.context", " db ");
    assertEquals("db", l.hooks().get(0).context());
  }

  @Test
  void hook_onErrorContinue_anyCase() {
    ContainerLabels l =
        ok(
            "stack-back.hooks.post.1.cmd", "a",
            "stack-back.hooks.post.1.on-error", "continue",
            "stack-back.hooks.post.2.cmd", "b",
            "stack-back.hooks.post.2.on-error", "Continue",
            "stack-back.hooks.post.3.cmd", "c",
            "stack-back.hooks.post.3.on-error", "abort");
    assertEquals(
        List.of(OnError.CONTINUE, OnError.CONTINUE, OnError.ABORT),
        l.hooks().stream().map(HookSpec::onError).toList());
  }

  @Test
  void hook_badOnError_isLabelErrorNamingKey() {
    ParsedLabels p =
        parse("stack-back.hooks.pre.1.cmd", "a", "stack-back.hooks.pre.1.on-error", "ignore");
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.hooks.pre.1.on-error': 'ignore' is not valid"
                + " (expected abort, continue)"),
        errors(p));
    assertEquals(List.of(), p.labels().hooks());
  }

  @Test
  void hook_gapsInN_runInAscendingOrder() {
    ContainerLabels l =
        ok(
            "stack-back.hooks.pre.5.cmd", "five",
            "stack-back.hooks.pre.1.cmd", "one",
            "stack-back.hooks.pre.3.cmd", "three");
    assertEquals(
        List.of("one", "three", "five"), l.hooks(Stage.PRE).stream().map(HookSpec::cmd).toList());
    assertEquals(List.of(1, 3, 5), l.hooks(Stage.PRE).stream().map(HookSpec::index).toList());
  }

  @Test
  void hook_nIsComparedAsNumberNotText() {
    ContainerLabels l =
        ok("stack-back.hooks.pre.10.cmd", "ten", "stack-back.hooks.pre.2.cmd", "two");
    assertEquals(List.of("two", "ten"), l.hooks(Stage.PRE).stream().map(HookSpec::cmd).toList());
  }

  @Test
  void hookWithoutCmd_isLabelErrorNamingContainerAndKey() {
    ParsedLabels p = parse("stack-back.hooks.pre.1.context", "db");
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.hooks.pre.1.cmd': missing: hook pre.1 has no cmd"),
        errors(p));
    assertEquals(List.of(), p.labels().hooks());
  }

  @Test
  void hookWithBlankCmd_isLabelError() {
    ParsedLabels p = parse("stack-back.hooks.finally.2.cmd", "  ");
    assertEquals(
        List.of("container 'db': label 'stack-back.hooks.finally.2.cmd': is empty"), errors(p));
  }

  @Test
  void hook_stagesAreIsolated_preHooksNotInPost() {
    ContainerLabels l =
        ok(
            "stack-back.hooks.pre.1.cmd", "pre-1",
            "stack-back.hooks.error.1.cmd", "error-1",
            "stack-back.hooks.finally.1.cmd", "finally-1");
    assertEquals(List.of("pre-1"), l.hooks(Stage.PRE).stream().map(HookSpec::cmd).toList());
    assertEquals(List.of(), l.hooks(Stage.POST));
    assertEquals(List.of("error-1"), l.hooks(Stage.ERROR).stream().map(HookSpec::cmd).toList());
    assertEquals(List.of("finally-1"), l.hooks(Stage.FINALLY).stream().map(HookSpec::cmd).toList());
  }

  @Test
  void hook_allStages_sortedByStageThenN() {
    ContainerLabels l =
        ok(
            "stack-back.hooks.finally.1.cmd", "f1",
            "stack-back.hooks.post.2.cmd", "p2",
            "stack-back.hooks.post.1.cmd", "p1",
            "stack-back.hooks.pre.1.cmd", "r1",
            "stack-back.hooks.error.1.cmd", "e1");
    assertEquals(
        List.of("r1", "p1", "p2", "e1", "f1"), l.hooks().stream().map(HookSpec::cmd).toList());
  }

  @Test
  void hook_nonIntegerN_isLabelError() {
    ParsedLabels p = parse("stack-back.hooks.pre.first.cmd", "x");
    assertEquals(
        List.of("container 'db': label 'stack-back.hooks.pre.first.cmd': 'first' is not a number"),
        errors(p));
  }

  @Test
  void hook_unknownStage_isLabelError() {
    ParsedLabels p = parse("stack-back.hooks.before.1.cmd", "x");
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.hooks.before.1.cmd': unknown stage 'before'"
                + " (expected one of pre, post, error, finally)"),
        errors(p));
  }

  @Test
  void hook_unknownProperty_isLabelError() {
    ParsedLabels p =
        parse("stack-back.hooks.pre.1.cmd", "x", "stack-back.hooks.pre.1.command", "y");
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.hooks.pre.1.command': unknown property 'command'"
                + " (expected one of cmd, context, on-error, retries, timeout, mode, user)"),
        errors(p));
  }

  @Test
  void hook_wrongNumberOfParts_isLabelError() {
    ParsedLabels p = parse("stack-back.hooks.pre.1", "x");
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.hooks.pre.1': expected"
                + " stack-back.hooks.<stage>.<N>.<property>"),
        errors(p));
  }

  @Test
  void hook_badMode_isLabelError() {
    ParsedLabels p =
        parse("stack-back.hooks.pre.1.cmd", "x", "stack-back.hooks.pre.1.mode", "background");
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.hooks.pre.1.mode': 'background' is not valid"
                + " (expected blocking, async)"),
        errors(p));
  }

  @Test
  void hook_modeAsync_isRead() {
    ContainerLabels l =
        ok("stack-back.hooks.pre.1.cmd", "x", "stack-back.hooks.pre.1.mode", "ASYNC");
    assertEquals(Mode.ASYNC, l.hooks().get(0).mode());
  }

  @Test
  void hook_badTimeout_isLabelError() {
    ParsedLabels p =
        parse("stack-back.hooks.pre.1.cmd", "x", "stack-back.hooks.pre.1.timeout", "10x");
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.hooks.pre.1.timeout': '10x' is not a duration"
                + " (expected e.g. 30s, 5m, 1h30m)"),
        errors(p));
  }

  @ParameterizedTest
  @CsvSource({"30s, PT30S", "5m, PT5M", "1h30m, PT1H30M", "45, PT45S"})
  void hook_timeout_isParsed(String raw, String expected) {
    ContainerLabels l =
        ok("stack-back.hooks.pre.1.cmd", "x", "stack-back.hooks.pre.1.timeout", raw);
    assertEquals(Duration.parse(expected), l.hooks().get(0).timeout());
  }

  @Test
  void hook_retries_isParsed() {
    ContainerLabels l =
        ok("stack-back.hooks.pre.1.cmd", "x", "stack-back.hooks.pre.1.retries", " 3 ");
    assertEquals(3, l.hooks().get(0).retries());
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "many", "101", "1.5"})
  void hook_badRetries_isLabelError(String raw) {
    ParsedLabels p =
        parse("stack-back.hooks.pre.1.cmd", "x", "stack-back.hooks.pre.1.retries", raw);
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.hooks.pre.1.retries': '"
                + raw
                + "' is not a whole number from 0 to 100"),
        errors(p));
  }

  @Test
  void hook_user_isRead() {
    ContainerLabels l =
        ok("stack-back.hooks.post.1.cmd", "x", "stack-back.hooks.post.1.user", "www-data");
    assertEquals("www-data", l.hooks().get(0).user());
    assertNull(l.hooks().get(0).context());
  }

  @Test
  void hook_allProperties_together() {
    ContainerLabels l =
        ok(
            "stack-back.hooks.error.7.cmd", "notify",
            "stack-back.hooks.error.7.context", "app",
            "stack-back.hooks.error.7.on-error", "continue",
            "stack-back.hooks.error.7.retries", "2",
            "stack-back.hooks.error.7.timeout", "1m",
            "stack-back.hooks.error.7.mode", "async",
            "stack-back.hooks.error.7.user", "root");
    assertEquals(
        List.of(
            new HookSpec(
                Stage.ERROR,
                7,
                "notify",
                "app",
                OnError.CONTINUE,
                2,
                Duration.ofMinutes(1),
                Mode.ASYNC,
                "root")),
        l.hooks());
    assertEquals("stack-back.hooks.error.7", l.hooks().get(0).labelPrefix());
  }

  @Test
  void severalBadLabels_allReportedAtOnce() {
    ParsedLabels p =
        parse(
            "stack-back.volumes", "maybe",
            "stack-back.hooks.pre.1.context", "db",
            "stack-back.hooks.pre.2.cmd", "x",
            "stack-back.hooks.pre.2.timeout", "10x",
            "stack-back.hooks.pre.2.mode", "later",
            "stack-back.hooks.post.one.cmd", "y",
            "stack-back.hooks.later.1.cmd", "z",
            "stack-back.hooks.post.1.cmd", "fine");
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.hooks.later.1.cmd': unknown stage 'later'"
                + " (expected one of pre, post, error, finally)",
            "container 'db': label 'stack-back.hooks.post.one.cmd': 'one' is not a number",
            "container 'db': label 'stack-back.hooks.pre.1.cmd': missing: hook pre.1 has no cmd",
            "container 'db': label 'stack-back.hooks.pre.2.mode': 'later' is not valid"
                + " (expected blocking, async)",
            "container 'db': label 'stack-back.hooks.pre.2.timeout': '10x' is not a duration"
                + " (expected e.g. 30s, 5m, 1h30m)",
            "container 'db': label 'stack-back.volumes': 'maybe' is not a boolean (expected "
                + BOOL_WORDS
                + ")"),
        errors(p).stream().sorted().toList());
  }

  @Test
  void hookIndexWrittenTwoWays_isLabelErrorNotASilentDrop() {
    ParsedLabels p =
        parse(
            "stack-back.hooks.pre.1.cmd", "echo one",
            "stack-back.hooks.pre.01.cmd", "echo zero-one");
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.hooks.pre.1.cmd': hook pre.1 is also written"
                + " pre.01; write each N one way"),
        errors(p));
  }

  @Test
  void orderPositionWrittenTwoWays_keepsTheFirstAndWarns() {
    ParsedLabels p =
        parse(
            "stack-back.ordered", "true",
            "stack-back.order.01", "web",
            "stack-back.order.1", "db");
    assertEquals(List.of(), errors(p));
    assertEquals(Map.of(1, "web"), p.labels().order());
    assertEquals(
        List.of(
            "container 'db': label 'stack-back.order.1': ignored: position 1 is already taken by"
                + " 'web'"),
        warnings(p));
  }
}
