package dev.stackback.restic;

import dev.stackback.port.ResticException;
import dev.stackback.port.ResticException.Kind;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Decides whether "no repository" from restic means "initialise here" or "gone or damaged": a local
 * location with leftovers ({@link RepositoryLocation}), a location stack-back used before ({@link
 * KnownRepositories}), or a remote error that does not say the config is absent is never
 * initialised.
 */
final class MissingRepository {
  private final ResticCli cli;
  private final KnownRepositories known;

  /** {@code known} may be null: nothing is remembered. */
  MissingRepository(ResticCli cli, KnownRepositories known) {
    this.cli = cli;
    this.known = known;
  }

  boolean remembers() {
    return known != null;
  }

  /** Remembers the repository {@code restic cat config} printed, when remembering. */
  void remember(ResticCli.Result catConfig) {
    if (known != null) {
      String id = ResticJson.configId(catConfig.output().stdoutLines()).orElse("");
      known.remember(repository(), id);
    }
  }

  private String repository() {
    return cli.env().getOrDefault("RESTIC_REPOSITORY", "");
  }

  /**
   * For a "no repository" answer: a {@link Kind#DAMAGED} failure when the location is not safely
   * empty (a local directory with leftovers; a remote backend whose error does not say the config
   * is absent), or null when initialising there is safe.
   */
  ResticException notSafelyMissing(String what, ResticCli.Result result) {
    String text = result.output().errorText();
    String why;
    Optional<Path> local = RepositoryLocation.localPath(repository());
    Optional<String> usedBefore = known == null ? Optional.empty() : known.idOf(repository());
    if (local.isPresent()) {
      why = RepositoryLocation.leftovers(local.get()).orElse(null);
    } else {
      String lower = text.toLowerCase(java.util.Locale.ROOT);
      boolean absent =
          result.exitCode() == 10
              || lower.contains("no such file")
              || lower.contains("does not exist")
              || lower.contains("not found")
              || lower.contains("nosuchkey")
              || lower.contains("404");
      if (!absent) {
        // unreachable, denied, ...: not a reason to initialise, and not known to be damaged
        return new ResticException(
            Kind.FAILED,
            result.exitCode(),
            "restic cannot read the repository config at "
                + cli.location()
                + " and does not say that it is missing (restic "
                + what
                + ", exit "
                + result.exitCode()
                + ": "
                + text
                + "); stack-back initialises only a location that restic reports as empty");
      }
      why = null;
    }
    if (why == null && usedBefore.isPresent()) {
      why =
          "stack-back used repository "
              + (usedBefore.get().isEmpty()
                  ? ""
                  : usedBefore.get().substring(0, Math.min(10, usedBefore.get().length())) + " ")
              + "there before (remembered in "
              + known.file()
              + ") and restic finds none now; to start a new, empty repository there on"
              + " purpose, run `restic init` yourself";
    }
    if (why == null) {
      return null;
    }
    return new ResticException(
        Kind.DAMAGED,
        result.exitCode(),
        "repository at "
            + cli.location()
            + " is gone or damaged: "
            + why
            + " (restic "
            + what
            + ", exit "
            + result.exitCode()
            + ": "
            + text
            + "); restore it or point RESTIC_REPOSITORY elsewhere; stack-back will not"
            + " initialise over existing data");
  }
}
