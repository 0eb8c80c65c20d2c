package dev.stackback.restic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where {@code RESTIC_REPOSITORY} points, as far as the decision "may we {@code init} here?" needs
 * it. restic answers "unable to open config file" both for a location that never held a repository
 * and for one whose repository was deleted while data (packs, index, snapshots) remained; an {@code
 * init} over such leftovers makes a new key, and every later run then fails with "ciphertext
 * verification failed". So a local location is only initialised when it does not exist or is an
 * empty directory. A remote backend cannot be listed without the repository's key: there restic's
 * own answer (exit 10 since 0.17, its "unable to open config file" message before) decides.
 */
public final class RepositoryLocation {
  /** restic's backend prefixes; a repository without one of them is a local path. */
  private static final List<String> REMOTE =
      List.of("sftp:", "rest:", "s3:", "b2:", "azure:", "gs:", "swift:", "rclone:");

  private RepositoryLocation() {}

  /** The local directory of {@code repository}, or empty for a remote backend. */
  public static Optional<Path> localPath(String repository) {
    if (repository == null || repository.isBlank()) {
      return Optional.empty();
    }
    if (REMOTE.stream().anyMatch(repository::startsWith)) {
      return Optional.empty();
    }
    String path = repository.startsWith("local:") ? repository.substring(6) : repository;
    try {
      return Optional.of(Path.of(path));
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
  }

  /**
   * What is at a local location that restic says holds no repository: empty when {@code init} is
   * safe there (missing, or an empty directory), else a description of what is in the way.
   */
  static Optional<String> leftovers(Path dir) {
    if (!Files.exists(dir)) {
      return Optional.empty();
    }
    if (!Files.isDirectory(dir)) {
      return Optional.of("it is a file, not a directory");
    }
    try (Stream<Path> entries = Files.list(dir)) {
      List<String> names = entries.map(p -> p.getFileName().toString()).sorted().limit(6).toList();
      if (names.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          "the directory is not empty ("
              + String.join(", ", names.subList(0, Math.min(5, names.size())))
              + (names.size() > 5 ? ", ..." : "")
              + ") but has no restic config file");
    } catch (IOException e) {
      return Optional.of("it cannot be read: " + e.getMessage());
    }
  }
}
