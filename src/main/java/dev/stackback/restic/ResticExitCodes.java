package dev.stackback.restic;

import dev.stackback.port.ResticException.Kind;
import java.util.List;
import java.util.Locale;

/**
 * Maps restic's exit code and output to a {@link Kind}. restic 0.17+ has dedicated codes (10 no
 * repository, 11 locked, 12 wrong password); older versions such as Debian's 0.14 exit 1 for all of
 * them, so the message text decides there.
 */
public final class ResticExitCodes {
  private ResticExitCodes() {}

  /** The kind of failure for a non-zero exit; {@code lines} are restic's (stderr) output lines. */
  public static Kind classify(int exitCode, List<String> lines) {
    return switch (exitCode) {
      case 3 -> Kind.INCOMPLETE;
      case 10 -> Kind.NO_REPOSITORY;
      case 11 -> Kind.LOCKED;
      case 12 -> Kind.WRONG_PASSWORD;
      default -> fromText(lines);
    };
  }

  private static Kind fromText(List<String> lines) {
    String text = String.join("\n", lines).toLowerCase(Locale.ROOT);
    if (text.contains("wrong password or no key found")) {
      return Kind.WRONG_PASSWORD;
    }
    if (text.contains("unable to open config file")
        || text.contains("is there a repository at the following location?")) {
      return Kind.NO_REPOSITORY;
    }
    if (text.contains("repository is already locked")) {
      return Kind.LOCKED;
    }
    return Kind.FAILED;
  }
}
