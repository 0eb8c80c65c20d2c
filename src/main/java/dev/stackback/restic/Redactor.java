package dev.stackback.restic;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Replaces the values of the environment we pass to restic by {@code ***} in any text we show. All
 * values count as secret except a few known harmless settings (file paths, the repository
 * location); a password inside a repository URL's user info is still redacted.
 */
final class Redactor {
  static final String MASK = "***";
  private static final Set<String> NOT_SECRET =
      Set.of(
          "RESTIC_REPOSITORY",
          "RESTIC_REPOSITORY_FILE",
          "RESTIC_PASSWORD_FILE",
          "RESTIC_CACHE_DIR",
          "RESTIC_COMPRESSION",
          "RESTIC_PACK_SIZE",
          "RESTIC_PROGRESS_FPS",
          "RESTIC_HOST",
          "HOME",
          "PATH",
          "TMPDIR",
          "AWS_DEFAULT_REGION",
          "AWS_REGION");

  private final List<String> secrets;

  Redactor(Map<String, String> env) {
    List<String> found = new ArrayList<>();
    env.forEach(
        (name, value) -> {
          if (value == null || value.isEmpty()) {
            return;
          }
          if (!NOT_SECRET.contains(name)) {
            found.add(value);
          } else if (name.equals("RESTIC_REPOSITORY")) {
            urlPassword(value).ifPresent(found::add);
          }
        });
    // longest first, so a secret that contains another is masked whole
    found.sort(Comparator.comparingInt(String::length).reversed());
    this.secrets = List.copyOf(found);
  }

  String redact(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String secret : secrets) {
      out = out.replace(secret, MASK);
    }
    return out;
  }

  // e.g. rest:https://user:pass@host/ -> pass
  private static Optional<String> urlPassword(String repository) {
    int scheme = repository.indexOf("://");
    if (scheme < 0) {
      return Optional.empty();
    }
    try {
      String userInfo =
          URI.create(repository.substring(repository.indexOf(':') + 1)).getRawUserInfo();
      if (userInfo == null || !userInfo.contains(":")) {
        return Optional.empty();
      }
      String password = userInfo.substring(userInfo.indexOf(':') + 1);
      return password.isEmpty() ? Optional.empty() : Optional.of(password);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
