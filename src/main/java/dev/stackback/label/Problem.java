package dev.stackback.label;

import java.util.Objects;

/**
 * One problem found while reading labels or environment variables, in the message vocabulary users
 * see everywhere: {@code container 'db': label 'stack-back.x': expected ...}.
 *
 * @param source where: {@code container 'db'} or {@code environment}
 * @param key the exact label key or variable name
 * @param message what is wrong and what was expected
 */
public record Problem(String source, String key, String message) {
  public Problem {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(message, "message");
  }

  /** A problem with a container's label. */
  public static Problem label(String container, String key, String message) {
    return new Problem("container '" + container + "'", "label '" + key + "'", message);
  }

  /** A problem with an environment variable. */
  public static Problem variable(String name, String message) {
    return new Problem("environment", "variable '" + name + "'", message);
  }

  @Override
  public String toString() {
    return source + ": " + key + ": " + message;
  }
}
