package dev.stackback.restic;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises restic's answer "the backend cannot be reached" (nothing listens, the name does not
 * resolve, no route, TLS refused, ssh cannot connect or log in), as opposed to "there is no
 * repository". restic retries a request that failed this way for up to 15 minutes, also the very
 * first one that opens the repository; {@link #retrying} sees that first retry line, so stack-back
 * can stop restic at once instead of waiting the 15 minutes out.
 */
final class Unreachable {
  // "Stat(<config/>) returned error, retrying after 552ms: Head ...: dial tcp ...: connection
  // refused"; opening a repository reads its config and keys before anything else
  private static final Pattern OPENING_RETRY =
      Pattern.compile(
          "^\\w+\\((?:<(?:config|key)[^>]*>|key)[^)]*\\) returned error, retrying after [^:]+: (.+)$");
  // Go's net and TLS errors: the request never reached a server we can trust
  private static final List<String> CONNECTION =
      List.of(
          "dial tcp",
          "dial udp",
          "dial unix",
          "lookup ",
          "connection refused",
          "no such host",
          "network is unreachable",
          "no route to host",
          "i/o timeout",
          "tls: ",
          "x509: ",
          "tls handshake timeout",
          // a local repository path that cannot be read: restic 0.17+ retries that for 15
          // minutes too, although waiting never helps
          "not a directory",
          "permission denied",
          "input/output error");
  // sftp: restic starts ssh; its own lines come prefixed with "subprocess ssh: "
  private static final String SSH_PREFIX = "subprocess ssh: ";

  private Unreachable() {}

  /**
   * The reason of a line in which restic retries opening the repository because the backend could
   * not be reached; empty for any other line (a retry for a server error is left to restic).
   */
  static Optional<String> retrying(String line) {
    Matcher m = OPENING_RETRY.matcher(line.strip());
    if (!m.matches() || !isConnectionError(m.group(1))) {
      return Optional.empty();
    }
    return Optional.of(m.group(1));
  }

  /**
   * The reason in the stderr lines of a restic that exited because it could not reach the backend:
   * ssh's own complaint for sftp, else the last line naming a connection error; empty otherwise.
   */
  static Optional<String> reason(List<String> rawStderr) {
    // restic 0.17+ with --json reports its fatal error as an exit_error JSON line: its text counts
    List<String> stderr =
        rawStderr.stream()
            .map(
                l -> {
                  String text = l.contains("\"message_type\"") ? ResticJson.errorText(l) : null;
                  return text == null ? l : text;
                })
            .toList();
    List<String> ssh =
        stderr.stream()
            .filter(l -> l.startsWith(SSH_PREFIX))
            .map(l -> l.substring(SSH_PREFIX.length()).strip())
            .filter(l -> !l.isEmpty())
            .toList();
    boolean sftpFailed =
        stderr.stream().anyMatch(l -> l.contains("unable to start the sftp session"));
    if (sftpFailed) {
      return Optional.of(
          ssh.isEmpty()
              ? stderr.stream()
                  .filter(l -> l.contains("unable to start the sftp session"))
                  .findFirst()
                  .orElseThrow()
                  .strip()
              : String.join("; ", ssh));
    }
    for (int i = stderr.size() - 1; i >= 0; i--) {
      String line = stderr.get(i).strip();
      Optional<String> retry = retrying(line);
      if (retry.isPresent()) {
        return retry;
      }
      if (line.startsWith("Fatal: ") && isConnectionError(line)) {
        return Optional.of(line.substring("Fatal: ".length()));
      }
    }
    return Optional.empty();
  }

  static boolean isConnectionError(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    return CONNECTION.stream().anyMatch(lower::contains);
  }
}
