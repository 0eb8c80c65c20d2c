package dev.stackback.config;

import dev.stackback.label.Problem;
import dev.stackback.label.Values;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads environment variables with their {@code <NAME>_FILE} forms and collects every problem, each
 * naming the variable.
 */
final class Env {
  private final Map<String, String> env;
  private final Function<Path, String> files;
  private final List<Problem> problems = new ArrayList<>();

  Env(Map<String, String> env, Function<Path, String> files) {
    this.env = env;
    this.files = files;
  }

  /** Reads a file's text as a setting's value, trailing newlines removed. */
  static String readFile(Path path) {
    try {
      return Files.readString(path, StandardCharsets.UTF_8).stripTrailing();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  List<Problem> problems() {
    return problems;
  }

  void problem(String name, String message) {
    problems.add(Problem.variable(name, message));
  }

  Map<String, String> raw() {
    return env;
  }

  /** The value of NAME, or of the file NAME_FILE names; blank counts as unset. */
  Optional<String> string(String name) {
    String direct = env.get(name);
    String file = env.get(name + "_FILE");
    if (direct != null && !direct.isBlank() && file != null && !file.isBlank()) {
      problem(name + "_FILE", "both " + name + " and " + name + "_FILE are set; set only one");
      return Optional.empty();
    }
    if (file != null && !file.isBlank()) {
      try {
        return Optional.of(files.apply(Path.of(file.trim()))).filter(v -> !v.isBlank());
      } catch (RuntimeException e) {
        problem(name + "_FILE", e.getMessage());
        return Optional.empty();
      }
    }
    return Optional.ofNullable(direct).filter(v -> !v.isBlank());
  }

  boolean bool(String name, boolean dflt) {
    Optional<String> v = string(name);
    if (v.isEmpty()) {
      return dflt;
    }
    Optional<Boolean> b = Values.parseBoolean(v.get());
    if (b.isEmpty()) {
      problem(name, "'" + v.get() + "' is not a boolean (expected " + Values.BOOLEAN_WORDS + ")");
    }
    return b.orElse(dflt);
  }

  int nonNegativeInt(String name, int dflt) {
    Optional<String> v = string(name);
    if (v.isEmpty()) {
      return dflt;
    }
    Optional<Integer> n = Values.parseNonNegativeInt(v.get());
    if (n.isEmpty()) {
      problem(name, "'" + v.get() + "' is not a whole number >= 0");
    }
    return n.orElse(dflt);
  }

  /** The first of the names that is set, as a non-negative int. */
  int nonNegativeInt(List<String> names, int dflt) {
    for (String name : names) {
      if (string(name).isPresent()) {
        return nonNegativeInt(name, dflt);
      }
    }
    return dflt;
  }

  Duration duration(String name, Duration dflt) {
    Optional<String> v = string(name);
    if (v.isEmpty()) {
      return dflt;
    }
    Optional<Duration> d = Values.parseDuration(v.get());
    if (d.isEmpty()) {
      problem(name, "'" + v.get() + "' is not a duration (expected e.g. 30s, 5m, 1h)");
    }
    return d.orElse(dflt);
  }

  /** As {@link #duration}, and {@code 0} (with or without a unit) is allowed: "do not wait". */
  Duration durationOrZero(String name, Duration dflt) {
    Optional<String> v = string(name);
    if (v.isPresent()
        && v.get().strip().toLowerCase(java.util.Locale.ROOT).matches("0+(ms|s|m|h|d)?")) {
      return Duration.ZERO;
    }
    if (v.isPresent() && Values.parseDuration(v.get()).isEmpty()) {
      problem(
          name, "'" + v.get() + "' is not a duration (expected e.g. 30s, 2m, or 0 for no wait)");
      return dflt;
    }
    return duration(name, dflt);
  }

  <E extends Enum<E>> E choice(String name, Class<E> type, E dflt) {
    Optional<String> v = string(name);
    if (v.isEmpty()) {
      return dflt;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v.get().trim())) {
        return e;
      }
    }
    List<String> allowed = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      allowed.add(e.name().toLowerCase(java.util.Locale.ROOT));
    }
    problem(name, "'" + v.get() + "' is not valid (expected one of " + allowed + ")");
    return dflt;
  }
}
