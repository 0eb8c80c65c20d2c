package dev.stackback.engine;

import dev.stackback.port.ResticException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Tells a failure of the repository (restic could not open, lock or write it: missing, damaged,
 * locked, wrong password, full, unreachable) from a failure of one service's own data. The first
 * stops the backup phase, since every later snapshot would fail the same way; the second does not
 * deny the other services their backup. From restic's exit code (0.17+: 10 no repository, 11 lock
 * failed, 12 wrong password) and, for older restic that exits 1 for all of them, its message.
 */
final class RepositoryFault {
  private static final List<String> TEXTS =
      List.of(
          // no repository, wrong password, corrupt
          "unable to open config file",
          "is there a repository at the following location",
          "unable to open repository",
          "wrong password or no key found",
          "ciphertext verification failed",
          // locked
          "repository is already locked",
          "unable to create lock",
          "failed to refresh lock",
          // cannot write: full, read-only, over quota
          "no space left on device",
          "disk quota exceeded",
          "read-only file system",
          "unable to save snapshot",
          // unreachable backend
          "connection refused",
          "no such host",
          "network is unreachable",
          "no route to host",
          "i/o timeout",
          "tls handshake timeout");

  private RepositoryFault() {}

  /** True when {@code e} says the repository itself failed. */
  static boolean is(RuntimeException e) {
    if (e instanceof ResticException r) {
      switch (r.kind()) {
        case NO_REPOSITORY, DAMAGED, LOCKED, WRONG_PASSWORD, UNREACHABLE -> {
          return true;
        }
        default -> {
          if (r.exitCode() == 10 || r.exitCode() == 11 || r.exitCode() == 12) {
            return true;
          }
        }
      }
      return mentions(r.getMessage());
    }
    return false;
  }

  /** True when restic's message names a repository fault (for restic before 0.17). */
  static boolean mentions(String message) {
    String text = Optional.ofNullable(message).orElse("").toLowerCase(Locale.ROOT);
    return TEXTS.stream().anyMatch(text::contains);
  }
}
