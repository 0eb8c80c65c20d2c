package dev.stackback.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Checks restic's password settings before anything runs. Exactly one of {@code RESTIC_PASSWORD},
 * {@code RESTIC_PASSWORD_FILE} and {@code RESTIC_PASSWORD_COMMAND} must be set: restic 0.14
 * silently prefers the file or command over {@code RESTIC_PASSWORD} (a wrong one is never noticed
 * until a run fails with "wrong password") and refuses file and command together, so two of them
 * are a config error naming both. A {@code RESTIC_PASSWORD_FILE} must be readable and not empty
 * here, where restic will read it.
 */
final class Passwords {
  static final List<String> NAMES =
      List.of("RESTIC_PASSWORD", "RESTIC_PASSWORD_FILE", "RESTIC_PASSWORD_COMMAND");

  private Passwords() {}

  static void check(Env e, Function<Path, String> files) {
    Map<String, String> env = e.raw();
    List<String> set =
        NAMES.stream().filter(n -> env.get(n) != null && !env.get(n).isBlank()).toList();
    if (set.isEmpty()) {
      e.problem(
          "RESTIC_PASSWORD",
          "is not set (set RESTIC_PASSWORD, RESTIC_PASSWORD_FILE or RESTIC_PASSWORD_COMMAND)");
      return;
    }
    if (set.size() > 1) {
      e.problem(
          set.get(1),
          "both "
              + String.join(" and ", set)
              + " are set; set only one (restic would use one and silently ignore the other)");
      return;
    }
    if (set.get(0).equals("RESTIC_PASSWORD_FILE")) {
      Path path = Path.of(env.get("RESTIC_PASSWORD_FILE").trim());
      String text;
      try {
        text = files.apply(path);
      } catch (RuntimeException ex) {
        e.problem("RESTIC_PASSWORD_FILE", "cannot read the password file " + path + reason(ex));
        return;
      }
      if (text == null || text.isBlank()) {
        e.problem("RESTIC_PASSWORD_FILE", "the password file " + path + " is empty");
      }
    }
  }

  /** The cause without repeating the path (Env.readFile's message already names it). */
  private static String reason(RuntimeException ex) {
    Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
    String kind = cause.getClass().getSimpleName();
    return switch (kind) {
      case "NoSuchFileException" -> ": it does not exist";
      case "AccessDeniedException" -> ": permission denied";
      default -> cause.getMessage() == null ? "" : ": " + cause.getMessage();
    };
  }
}
