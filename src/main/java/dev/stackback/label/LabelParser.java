package dev.stackback.label;

import dev.stackback.label.HookSpec.Mode;
import dev.stackback.label.HookSpec.OnError;
import dev.stackback.label.HookSpec.Stage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns a container's raw labels into {@link ContainerLabels}, collecting every problem (not only
 * the first) with the container and the exact label key. Pure: no Docker.
 */
public final class LabelParser {
  private static final String STAGES =
      Arrays.stream(Stage.values()).map(Stage::word).collect(Collectors.joining(", "));

  private final String container;
  private final Map<String, String> raw;
  private final List<Problem> errors = new ArrayList<>();
  private final List<Problem> warnings = new ArrayList<>();
  private final Map<String, String> hookSpellings = new java.util.HashMap<>();

  private LabelParser(String container, Map<String, String> raw) {
    this.container = container;
    this.raw = raw;
  }

  /** Parses the labels of the container named {@code container} (used in messages). */
  public static ParsedLabels parse(String container, Map<String, String> labels) {
    return new LabelParser(container, labels).parse();
  }

  private ParsedLabels parse() {
    warnUnknownKeys();
    Optional<Boolean> volumes = bool(LabelKeys.VOLUMES);
    List<String> include = list(LabelKeys.VOLUMES_INCLUDE);
    List<String> exclude = list(LabelKeys.VOLUMES_EXCLUDE);
    boolean stop = bool(LabelKeys.STOP_DURING_BACKUP).orElse(false);
    Optional<DatabaseKind> database = database();
    boolean postgresAll = bool(LabelKeys.POSTGRES_ALL).orElse(false);
    if (postgresAll && database.orElse(null) != DatabaseKind.POSTGRES) {
      warn(keySet(LabelKeys.POSTGRES_ALL), "ignored: the container is not labelled postgres");
    }
    if ((!include.isEmpty() || !exclude.isEmpty()) && volumes.isEmpty()) {
      // the Python tool needs stack-back.volumes too; we keep that, but say so
      warn(
          keySet(include.isEmpty() ? LabelKeys.VOLUMES_EXCLUDE : LabelKeys.VOLUMES_INCLUDE),
          "only applies when 'stack-back.volumes' is true (or AUTO_BACKUP_ALL is on)");
    }
    List<HookSpec> hooks = hooks();
    boolean ordered = ownBool(LabelKeys.ORDERED).orElse(false);
    TreeMap<Integer, String> order = order();
    if (!ordered && !order.isEmpty()) {
      warn(
          LabelKeys.key(LabelKeys.ORDER + order.firstKey()),
          "ignored: 'stack-back.ordered' is not true");
    }
    ContainerLabels labels =
        new ContainerLabels(
            volumes, include, exclude, stop, database, postgresAll, hooks, ordered, order);
    return new ParsedLabels(labels, errors, warnings);
  }

  // --- plain labels (stack-back. or the legacy prefix) ---

  /** The value under our prefix, else under the legacy prefix (warning when both differ). */
  private Optional<Map.Entry<String, String>> value(String suffix) {
    String key = LabelKeys.key(suffix);
    String legacy = LabelKeys.legacyKey(suffix);
    String ours = raw.get(key);
    String theirs = raw.get(legacy);
    if (ours != null && theirs != null && !ours.trim().equals(theirs.trim())) {
      warn(legacy, "ignored: '" + key + "' is set too and wins");
    }
    if (ours != null) {
      return Optional.of(Map.entry(key, ours));
    }
    return theirs == null ? Optional.empty() : Optional.of(Map.entry(legacy, theirs));
  }

  /**
   * The key the container actually carries for {@code suffix}: ours if set, else the legacy one.
   */
  private String keySet(String suffix) {
    String key = LabelKeys.key(suffix);
    String legacy = LabelKeys.legacyKey(suffix);
    return !raw.containsKey(key) && raw.containsKey(legacy) ? legacy : key;
  }

  private Optional<Boolean> bool(String suffix) {
    return value(suffix).flatMap(e -> checkedBool(e.getKey(), e.getValue()));
  }

  private Optional<Boolean> ownBool(String suffix) {
    String key = LabelKeys.key(suffix);
    return raw.containsKey(key) ? checkedBool(key, raw.get(key)) : Optional.empty();
  }

  private Optional<Boolean> checkedBool(String key, String value) {
    Optional<Boolean> b = Values.parseBoolean(value);
    if (b.isEmpty()) {
      error(key, "'" + value + "' is not a boolean (expected " + Values.BOOLEAN_WORDS + ")");
    }
    return b;
  }

  /**
   * A comma-separated list. A label that is present but names nothing ({@code ""}, {@code ","},
   * {@code " , "}) is an error: an include of nothing would otherwise mean "everything".
   */
  private List<String> list(String suffix) {
    Optional<Map.Entry<String, String>> v = value(suffix);
    if (v.isEmpty()) {
      return List.of();
    }
    List<String> tokens = Values.parseList(v.get().getValue());
    if (tokens.isEmpty()) {
      error(
          v.get().getKey(),
          "'"
              + v.get().getValue()
              + "' names no volume (expected comma-separated volume names or paths; remove the"
              + " label to mean all)");
    }
    return tokens;
  }

  private Optional<DatabaseKind> database() {
    Optional<DatabaseKind> found = Optional.empty();
    for (DatabaseKind kind : DatabaseKind.values()) {
      if (bool(kind.labelSuffix()).orElse(false)) {
        if (found.isPresent()) {
          error(
              keySet(kind.labelSuffix()),
              "a container can be only one database; it is already labelled "
                  + found.get().labelSuffix());
        } else {
          found = Optional.of(kind);
        }
      }
    }
    return found;
  }

  private void warnUnknownKeys() {
    for (String key : raw.keySet()) {
      if (key.startsWith(LabelKeys.LEGACY_PREFIX)) {
        String suffix = key.substring(LabelKeys.LEGACY_PREFIX.length());
        if (!LabelKeys.LEGACY_SUFFIXES.contains(suffix)) {
          warn(key, "unknown label, ignored");
        }
      } else if (key.startsWith(LabelKeys.PREFIX)) {
        String suffix = key.substring(LabelKeys.PREFIX.length());
        boolean known =
            LabelKeys.LEGACY_SUFFIXES.contains(suffix)
                || suffix.equals(LabelKeys.ORDERED)
                || suffix.startsWith(LabelKeys.ORDER)
                || suffix.startsWith(LabelKeys.HOOKS)
                || key.equals(LabelKeys.WORKER);
        if (!known) {
          warn(key, "unknown label, ignored");
        }
      }
    }
  }

  // --- order ---

  private TreeMap<Integer, String> order() {
    TreeMap<Integer, String> order = new TreeMap<>();
    String prefix = LabelKeys.key(LabelKeys.ORDER);
    raw.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              String n = e.getKey().substring(prefix.length());
              String service = e.getValue().trim();
              if (!n.matches("-?\\d{1,9}")) {
                warn(e.getKey(), "ignored: '" + n + "' is not a number");
              } else if (service.isEmpty()) {
                warn(e.getKey(), "ignored: no service name");
              } else if (order.containsKey(Integer.parseInt(n))) {
                warn(
                    e.getKey(),
                    "ignored: position "
                        + Integer.parseInt(n)
                        + " is already taken by '"
                        + order.get(Integer.parseInt(n))
                        + "'");
              } else {
                order.put(Integer.parseInt(n), service);
              }
            });
    return order;
  }

  // --- hooks ---

  private List<HookSpec> hooks() {
    String prefix = LabelKeys.key(LabelKeys.HOOKS);
    Map<Stage, TreeMap<Integer, Map<String, String>>> byStage = new EnumMap<>(Stage.class);
    raw.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> collectHookLabel(e.getKey(), e.getValue(), prefix, byStage));
    List<HookSpec> hooks = new ArrayList<>();
    byStage.forEach(
        (stage, byIndex) ->
            byIndex.forEach((index, props) -> hook(stage, index, props).ifPresent(hooks::add)));
    return hooks;
  }

  private void collectHookLabel(
      String key,
      String value,
      String prefix,
      Map<Stage, TreeMap<Integer, Map<String, String>>> byStage) {
    String[] parts = key.substring(prefix.length()).split("\\.", -1);
    if (parts.length != 3) {
      error(key, "expected stack-back.hooks.<stage>.<N>.<property>");
      return;
    }
    Stage stage = stage(parts[0]);
    if (stage == null) {
      error(key, "unknown stage '" + parts[0] + "' (expected one of " + STAGES + ")");
      return;
    }
    if (!parts[1].matches("-?\\d{1,9}")) {
      error(key, "'" + parts[1] + "' is not a number");
      return;
    }
    if (!LabelKeys.HOOK_PROPERTIES.contains(parts[2])) {
      error(
          key,
          "unknown property '"
              + parts[2]
              + "' (expected one of "
              + String.join(", ", LabelKeys.HOOK_PROPERTIES)
              + ")");
      return;
    }
    int n = Integer.parseInt(parts[1]);
    String spelled = hookSpellings.putIfAbsent(stage.word() + "." + n, parts[1]);
    if (spelled != null && !spelled.equals(parts[1])) {
      error(
          key,
          "hook "
              + stage.word()
              + "."
              + parts[1]
              + " is also written "
              + stage.word()
              + "."
              + spelled
              + "; write each N one way");
      return;
    }
    byStage
        .computeIfAbsent(stage, s -> new TreeMap<>())
        .computeIfAbsent(n, i -> new TreeMap<>())
        .put(parts[2], value);
  }

  private static Stage stage(String word) {
    for (Stage s : Stage.values()) {
      if (s.word().equals(word)) {
        return s;
      }
    }
    return null;
  }

  private Optional<HookSpec> hook(Stage stage, int index, Map<String, String> props) {
    String base = LabelKeys.key(LabelKeys.HOOKS) + stage.word() + "." + index + ".";
    int before = errors.size();
    String cmd = props.get(LabelKeys.HOOK_CMD);
    if (cmd == null) {
      error(
          base + LabelKeys.HOOK_CMD, "missing: hook " + stage.word() + "." + index + " has no cmd");
    } else if (cmd.isBlank()) {
      error(base + LabelKeys.HOOK_CMD, "is empty");
    }
    String context = text(base, LabelKeys.HOOK_CONTEXT, props);
    String user = text(base, LabelKeys.HOOK_USER, props);
    OnError onError =
        choice(
            base, LabelKeys.HOOK_ON_ERROR, props, OnError.class, OnError.ABORT, "abort, continue");
    Mode mode =
        choice(base, LabelKeys.HOOK_MODE, props, Mode.class, Mode.BLOCKING, "blocking, async");
    int retries = retries(base, props);
    Duration timeout = timeout(base, props);
    if (errors.size() > before) {
      return Optional.empty();
    }
    return Optional.of(
        new HookSpec(stage, index, cmd, context, onError, retries, timeout, mode, user));
  }

  private String text(String base, String prop, Map<String, String> props) {
    String v = props.get(prop);
    if (v == null) {
      return null;
    }
    if (v.isBlank()) {
      error(base + prop, "is empty");
      return null;
    }
    return v.trim();
  }

  private <E extends Enum<E>> E choice(
      String base, String prop, Map<String, String> props, Class<E> type, E dflt, String allowed) {
    String v = props.get(prop);
    if (v == null) {
      return dflt;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v.trim())) {
        return e;
      }
    }
    error(base + prop, "'" + v + "' is not valid (expected " + allowed + ")");
    return dflt;
  }

  private int retries(String base, Map<String, String> props) {
    String v = props.get(LabelKeys.HOOK_RETRIES);
    if (v == null) {
      return 0;
    }
    Optional<Integer> n = Values.parseNonNegativeInt(v).filter(i -> i <= 100);
    if (n.isEmpty()) {
      error(base + LabelKeys.HOOK_RETRIES, "'" + v + "' is not a whole number from 0 to 100");
    }
    return n.orElse(0);
  }

  private Duration timeout(String base, Map<String, String> props) {
    String v = props.get(LabelKeys.HOOK_TIMEOUT);
    if (v == null) {
      return null;
    }
    Optional<Duration> d = Values.parseDuration(v);
    if (d.isEmpty()) {
      error(
          base + LabelKeys.HOOK_TIMEOUT,
          "'" + v + "' is not a duration (expected e.g. 30s, 5m, 1h30m)");
    }
    return d.orElse(null);
  }

  private void error(String key, String message) {
    errors.add(Problem.label(container, key, message));
  }

  private void warn(String key, String message) {
    warnings.add(Problem.label(container, key, message));
  }
}
