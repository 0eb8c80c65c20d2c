package dev.stackback.engine.fakes;

import dev.stackback.port.BackupProgress;
import dev.stackback.port.BackupSummary;
import dev.stackback.port.ForgetSummary;
import dev.stackback.port.KeepPolicy;
import dev.stackback.port.OutputLine;
import dev.stackback.port.Restic;
import dev.stackback.port.ResticException;
import dev.stackback.port.Snapshot;
import dev.stackback.port.StdinProducer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A restic that journals {@code restic ensureRepository}, {@code restic backupStdin <file>}, {@code
 * restic abort} (a stdin backup whose producer returned false or threw, as the port promises),
 * {@code restic forget}, ... and answers as scripted. {@link #parseBackupOutput} is pure, like the
 * real one: exit 0 a snapshot, 3 an incomplete one, anything else a failure.
 */
public final class FakeRestic implements Restic {
  private final Journal journal;
  private final Map<String, String> stdin = new LinkedHashMap<>();
  private final Map<String, List<String>> stdinTags = new LinkedHashMap<>();
  private final List<KeepPolicy> forgets = new ArrayList<>();
  private final List<Snapshot> listed = new ArrayList<>();
  private final Map<String, String> files = new LinkedHashMap<>();
  private int snapshots;

  public FakeRestic(Journal journal) {
    this.journal = journal;
  }

  /** What each committed stdin backup received, by file name. */
  public synchronized Map<String, String> stdin() {
    return Map.copyOf(stdin);
  }

  /** The tags of every committed stdin backup, by file name. */
  public synchronized Map<String, List<String>> stdinTags() {
    return Map.copyOf(stdinTags);
  }

  /** Adds snapshots that {@link #snapshots} lists (filtered by host and tags, like restic). */
  public synchronized FakeRestic withSnapshots(Snapshot... more) {
    listed.addAll(List.of(more));
    return this;
  }

  /**
   * A file {@link #fileSize} and {@link #dump} answer with {@code content}: a dump to restore
   * (without it, they refuse, as no test expects a dump restore).
   */
  public synchronized FakeRestic withFile(String snapshotId, String path, String content) {
    files.put(snapshotId + " " + path, content);
    return this;
  }

  /** The keep policy of every forget. */
  public synchronized List<KeepPolicy> forgets() {
    return List.copyOf(forgets);
  }

  @Override
  public RepositoryState ensureRepository() {
    journal.call("restic ensureRepository").throwIfError();
    return RepositoryState.EXISTING;
  }

  @Override
  public BackupSummary backupStdin(
      String filename,
      String host,
      List<String> tags,
      StdinProducer producer,
      OutputLine log,
      Duration timeout) {
    Script.Reply r = journal.call("restic backupStdin " + filename);
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    boolean complete;
    try {
      complete = producer.writeTo(data);
    } catch (IOException | RuntimeException e) {
      journal.add("restic abort");
      throw new ResticException(
          ResticException.Kind.FAILED, -1, "interrupted: the producer failed: " + e);
    }
    if (!complete) {
      journal.add("restic abort");
      throw new ResticException(
          ResticException.Kind.FAILED, -1, "interrupted: the data was incomplete");
    }
    r.throwIfError();
    synchronized (this) {
      stdin.put(filename, data.toString(StandardCharsets.UTF_8));
      stdinTags.put(filename, List.copyOf(tags));
    }
    return summary(r.incomplete());
  }

  @Override
  public BackupSummary backupPaths(
      List<String> paths, String host, List<String> tags, OutputLine log, Duration timeout) {
    Script.Reply r = journal.call("restic backupPaths " + String.join(" ", paths));
    r.throwIfError();
    return summary(r.incomplete());
  }

  @Override
  public List<String> backupCommand(String host, List<String> tags, List<String> paths) {
    List<String> argv = new ArrayList<>(List.of("restic", "backup", "--json", "--host", host));
    tags.forEach(t -> argv.addAll(List.of("--tag", t)));
    argv.addAll(paths);
    return argv;
  }

  @Override
  public synchronized long fileSize(String snapshotId, String path) {
    String content = files.get(snapshotId + " " + path);
    if (content == null) {
      // DumpRestoreRunTest fakes dump restores in detail; others give the file with withFile
      throw new UnsupportedOperationException("no such file in FakeRestic: " + path);
    }
    return content.getBytes(StandardCharsets.UTF_8).length;
  }

  // ---- the files of snapshots, for restore drills (verify): kept in the map withFile fills

  private final Map<String, String> restoredDifferently = new LinkedHashMap<>();

  /** Snapshot {@code id} holds {@code content} by path (see {@link #withFile}). */
  public synchronized FakeRestic withFiles(String id, Map<String, String> content) {
    content.forEach((path, c) -> withFile(id, path, c));
    return this;
  }

  /** A restore writes {@code content} at {@code path} instead of the snapshot's bytes. */
  public synchronized FakeRestic restoresDifferently(String path, String content) {
    restoredDifferently.put(path, content);
    return this;
  }

  /** The files of snapshot {@code id} by path, as a restore writes them. */
  private synchronized Map<String, String> filesOf(String id, boolean restored) {
    Map<String, String> out = new LinkedHashMap<>();
    files.forEach(
        (key, c) -> {
          if (key.startsWith(id + " ")) {
            String path = key.substring(id.length() + 1);
            out.put(path, restored ? restoredDifferently.getOrDefault(path, c) : c);
          }
        });
    return out;
  }

  @Override
  public List<FileNode> files(String snapshotId) {
    journal.call("restic ls " + snapshotId).throwIfError();
    List<FileNode> out = new ArrayList<>();
    filesOf(snapshotId, false)
        .forEach((p, c) -> out.add(new FileNode(p, c.getBytes(StandardCharsets.UTF_8).length)));
    return out;
  }

  @Override
  public void restoreVerified(String snapshotId, Path target, OutputLine log) {
    journal.call("restic restore --verify " + snapshotId).throwIfError();
    try {
      for (Map.Entry<String, String> e : filesOf(snapshotId, true).entrySet()) {
        Path p = target.resolve(e.getKey().substring(1));
        java.nio.file.Files.createDirectories(p.getParent());
        java.nio.file.Files.writeString(p, e.getValue());
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public List<String> restoreCommand(String snapshotId, List<String> includes) {
    List<String> argv = new ArrayList<>(List.of("restic", "restore", snapshotId, "--target", "/"));
    includes.forEach(i -> argv.addAll(List.of("--include", i)));
    return argv;
  }

  @Override
  public BackupSummary parseBackupOutput(List<String> stdoutTail, int exitCode) {
    return switch (exitCode) {
      case 0 -> summary(false);
      case 3 -> summary(true);
      default ->
          throw new ResticException(
              ResticException.Kind.FAILED, exitCode, "restic backup exited " + exitCode);
    };
  }

  @Override
  public List<Snapshot> snapshots(String host, List<String> tags) {
    journal.call("restic snapshots").throwIfError();
    synchronized (this) {
      return listed.stream()
          .filter(s -> host == null || host.equals(s.hostname()))
          .filter(s -> s.tags().containsAll(tags))
          .toList();
    }
  }

  @Override
  public List<String> forget(
      String host, String tag, KeepPolicy keep, boolean prune, OutputLine log) {
    journal.call("restic forget").throwIfError();
    synchronized (this) {
      forgets.add(keep);
    }
    FORGET_OUTPUT.forEach(l -> log.line(OutputLine.Stream.STDOUT, l));
    return FORGET_OUTPUT;
  }

  /** What every fake forget prints (a table of restic's shape, cut short). */
  public static final List<String> FORGET_OUTPUT =
      List.of(
          "keep 7 snapshots:", "remove 1 snapshots:", "total prune:           3 blobs / 1.000 MiB");

  /** Reads {@link #FORGET_OUTPUT} (the real parser is tested on real output). */
  @Override
  public Optional<ForgetSummary> summarizeForget(List<String> forgetOutput) {
    return forgetOutput.equals(FORGET_OUTPUT)
        ? Optional.of(new ForgetSummary(7, 1, OptionalLong.of(1024 * 1024)))
        : Optional.empty();
  }

  /** A status line as the fake worker prints them: {@code {"message_type":"status",...}}. */
  @Override
  public Optional<BackupProgress> progress(String line) {
    if (!line.startsWith("{\"message_type\":\"status\"")) {
      return Optional.empty();
    }
    return Optional.of(new BackupProgress(0.5, 1, 2, 0, 1, 0, OptionalLong.empty()));
  }

  @Override
  public Map<String, String> backupCommandEnv() {
    return Map.of("RESTIC_PROGRESS_FPS", "0.5");
  }

  @Override
  public List<String> forgetHostsByPaths(
      List<String> hosts, KeepPolicy keep, boolean prune, OutputLine log) {
    journal.call("restic forget --group-by paths --host " + String.join(",", hosts)).throwIfError();
    return List.of();
  }

  @Override
  public List<String> forgetIds(List<String> ids, boolean prune, OutputLine log) {
    journal.call("restic forget " + String.join(" ", ids)).throwIfError();
    synchronized (this) {
      listed.removeIf(s -> ids.contains(s.id()));
    }
    return List.of();
  }

  @Override
  public void check(Optional<String> readDataSubset, OutputLine log) {
    journal.call("restic check").throwIfError();
  }

  @Override
  public void restore(String snapshotId, Path target, List<String> includes, OutputLine log) {
    journal.call("restic restore " + snapshotId).throwIfError();
  }

  @Override
  public void dump(String snapshotId, String path, OutputStream out) {
    journal.call("restic dump " + snapshotId + " " + path).throwIfError();
    String content;
    synchronized (this) {
      content = files.get(snapshotId + " " + path);
    }
    if (content != null) {
      try {
        out.write(content.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new ResticException(ResticException.Kind.FAILED, -1, "dump: " + e.getMessage());
      }
    }
  }

  private synchronized BackupSummary summary(boolean incomplete) {
    snapshots++;
    return new BackupSummary(
        "snap" + snapshots, 1, 0, 0, 100, 100, Duration.ofSeconds(1), incomplete);
  }
}
