package dev.stackback.engine;

import dev.stackback.engine.VerifyRun.Finding;
import dev.stackback.plan.Plan;
import dev.stackback.plan.Target;
import dev.stackback.port.Restic;
import dev.stackback.port.Restic.FileNode;
import dev.stackback.port.Snapshot;
import dev.stackback.util.Bytes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drill of a service's volumes: its latest volume snapshot is restored with {@code restic
 * restore --verify} (restic reads every restored file back and compares it with the repository)
 * into a fresh directory under {@code scratchRoot}, removed afterwards whatever happens. Then every
 * file of {@code restic ls} must be there with its size, and the {@link #SAMPLE} largest files are
 * hashed (SHA-256) on disk and as {@code restic dump} streams them: the two must match.
 */
final class VolumeDrill {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.verify");

  /** How many files are compared byte for byte through {@code restic dump}. */
  static final int SAMPLE = 3;

  /** At most this many problems are listed in the step's output. */
  private static final int MAX_LISTED = 20;

  private final Restic restic;
  private final Plan plan;
  private final Path scratchRoot;

  VolumeDrill(Restic restic, Plan plan, Path scratchRoot) {
    this.restic = restic;
    this.plan = plan;
    this.scratchRoot = scratchRoot;
  }

  Finding run(Target t, List<Snapshot> snapshots) {
    Optional<Snapshot> snap = InPlaceRestore.pick(snapshots, plan.host(), t.name(), "latest");
    if (snap.isEmpty()) {
      return Finding.failed("no volume snapshot of service '" + t.name() + "' in the repository");
    }
    Snapshot s = snap.get();
    Path dir;
    try {
      Files.createDirectories(scratchRoot);
      dir = Files.createTempDirectory(scratchRoot, "stack-back-verify-");
    } catch (IOException e) {
      return Finding.failed("cannot make a scratch directory in " + scratchRoot + ": " + e);
    }
    try {
      List<FileNode> files = restic.files(s.id());
      LOG.info("restoring snapshot {} of '{}' into {}", s.shortId(), t.name(), dir);
      restic.restoreVerified(s.id(), dir, (stream, line) -> LOG.debug("[verify] {}", line));
      return compare(s, dir, files);
    } finally {
      delete(dir);
    }
  }

  private Finding compare(Snapshot s, Path dir, List<FileNode> files) {
    List<String> problems = new ArrayList<>();
    long bytes = 0;
    for (FileNode f : files) {
      Path p = restored(dir, f.path());
      bytes += f.size();
      try {
        if (!Files.isRegularFile(p)) {
          problems.add("missing: " + f.path());
        } else if (Files.size(p) != f.size()) {
          problems.add(
              "size differs: " + f.path() + " (" + Files.size(p) + " restored, " + f.size() + ")");
        }
      } catch (IOException e) {
        problems.add("unreadable: " + f.path() + " (" + e.getMessage() + ")");
      }
    }
    List<FileNode> sample =
        files.stream()
            .sorted(Comparator.comparingLong(FileNode::size).reversed())
            .limit(SAMPLE)
            .toList();
    for (FileNode f : sample) {
      Path p = restored(dir, f.path());
      if (Files.isRegularFile(p)) {
        String onDisk = sha256(p);
        String inRepository = sha256Dump(s.id(), f.path());
        if (!onDisk.equals(inRepository)) {
          problems.add(
              "content differs: "
                  + f.path()
                  + " (sha256 "
                  + onDisk
                  + ", restic dump "
                  + inRepository
                  + ")");
        }
      }
    }
    String what =
        "snapshot "
            + s.shortId()
            + " ("
            + s.time()
            + "): "
            + files.size()
            + " file(s), "
            + Bytes.format(bytes);
    if (problems.isEmpty()) {
      return new Finding(
          true,
          what
              + " restored and verified by restic; every size matches; "
              + sample.size()
              + " largest file(s) match restic dump (sha256)",
          List.of());
    }
    List<String> listed = problems.subList(0, Math.min(MAX_LISTED, problems.size()));
    return new Finding(
        false, what + ": " + problems.size() + " problem(s), first: " + problems.get(0), listed);
  }

  /** Where restic restored a snapshot's absolute {@code path} under {@code dir}. */
  private static Path restored(Path dir, String path) {
    return dir.resolve(path.startsWith("/") ? path.substring(1) : path);
  }

  private String sha256Dump(String snapshotId, String path) {
    MessageDigest d = digest();
    try (OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), d)) {
      restic.dump(snapshotId, path, sink);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HexFormat.of().formatHex(d.digest());
  }

  private static String sha256(Path p) {
    MessageDigest d = digest();
    try (InputStream in = Files.newInputStream(p)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        d.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
    }
    return HexFormat.of().formatHex(d.digest());
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256", e);
    }
  }

  /** Removes the scratch directory (restored modes may be read-only); failures are logged. */
  private static void delete(Path dir) {
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a)
                throws IOException {
              d.toFile().setWritable(true, true);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
              Files.delete(f);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.error("could not remove the scratch directory {}: {}", dir, e.toString());
    }
  }
}
