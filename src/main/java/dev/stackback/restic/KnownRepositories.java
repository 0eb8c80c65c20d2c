package dev.stackback.restic;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The repository locations stack-back has used, in {@code STATE_DIR/known-repositories}: one line
 * per location, the SHA-256 of {@code RESTIC_REPOSITORY} (it may carry credentials) and the
 * repository's id. A location that held a repository before and now holds none is "gone", not
 * "new": stack-back then does not initialise a fresh, empty repository there (a disk that is not
 * mounted, a deleted directory, an emptied bucket).
 */
final class KnownRepositories {
  static final String FILE = "known-repositories";
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.restic");

  private final Path file;

  KnownRepositories(Path stateDir) {
    this.file = stateDir.resolve(FILE);
  }

  Path file() {
    return file;
  }

  /** The id remembered for {@code location} (may be empty text), or empty when never used. */
  synchronized Optional<String> idOf(String location) {
    String key = key(location);
    for (String line : lines()) {
      String[] f = line.split(" ", 2);
      if (f[0].equals(key)) {
        return Optional.of(f.length > 1 ? f[1] : "");
      }
    }
    return Optional.empty();
  }

  /** Remembers that {@code location} holds repository {@code id}. Best effort. */
  synchronized void remember(String location, String id) {
    String key = key(location);
    String entry = key + " " + (id == null ? "" : id);
    List<String> out = new ArrayList<>();
    boolean same = false;
    for (String line : lines()) {
      if (line.split(" ", 2)[0].equals(key)) {
        same = line.equals(entry);
        continue;
      }
      out.add(line);
    }
    if (same) {
      return;
    }
    out.add(entry);
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), ".known-repositories", ".tmp");
      Files.write(tmp, out, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      LOG.warn("cannot remember the repository in {}: {}", file, e.getMessage());
    }
  }

  private List<String> lines() {
    try {
      return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      LOG.warn("cannot read {}: {}", file, e.getMessage());
      return List.of();
    }
  }

  private static String key(String location) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(location.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
