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
 * values count as secret except a few known harmless settings (file paths, the repository location)
 * and values shorter than 4 characters of variables whose name does not look secret ({@code
 * RESTIC_READ_CONCURRENCY=4}); a password inside a repository URL's user info is still redacted.
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
          "AWS_REGION",
          "AWS_PROFILE",
          // paths of files restic reads: the name of a file is not its content
          "RESTIC_CACERT",
          "RESTIC_TLS_CLIENT_CERT",
          "GOOGLE_APPLICATION_CREDENTIALS",
          "AWS_SHARED_CREDENTIALS_FILE",
          "AWS_CONFIG_FILE",
          "AWS_WEB_IDENTITY_TOKEN_FILE",
          "SSL_CERT_FILE",
          "SSL_CERT_DIR",
          "RCLONE_CONFIG");
  // a value this short is a setting ("1", "on", "16"), not a secret: masking it would garble
  // every number in restic's output
  private static final int SHORTEST_SECRET = 4;
  private static final java.util.regex.Pattern SECRET_NAME =
      java.util.regex.Pattern.compile("PASS|SECRET|TOKEN|KEY|CREDENTIAL|AUTH|SAS|PRIVATE");

  private final List<String> secrets;

  Redactor(Map<String, String> env) {
    List<String> found = new ArrayList<>();
    env.forEach(
        (name, value) -> {
          if (value == null || value.isEmpty()) {
            return;
          }
          if (!NOT_SECRET.contains(name)
              && (value.length() >= SHORTEST_SECRET || SECRET_NAME.matcher(name).find())) {
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
