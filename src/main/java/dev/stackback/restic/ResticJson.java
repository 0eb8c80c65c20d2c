package dev.stackback.restic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stackback.port.BackupProgress;
import dev.stackback.port.BackupSummary;
import dev.stackback.port.Restic;
import dev.stackback.port.ResticException;
import dev.stackback.port.ResticException.Kind;
import dev.stackback.port.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads restic's {@code --json} output; tolerant of unknown fields and of non-JSON lines. */
public final class ResticJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final int MESSAGE_TAIL = 10;

  private ResticJson() {}

  /**
   * The backup summary from restic's output lines (e.g. a worker container's log, where JSON and
   * other lines mix). Exit 0 gives a complete summary, exit 3 one with {@code incomplete=true}; any
   * other exit, or no summary line, throws a {@link ResticException} whose kind comes from {@link
   * ResticExitCodes} and whose message carries the last lines.
   */
  public static BackupSummary parseBackupSummary(List<String> stdoutLines, int exitCode) {
    if (exitCode != 0 && exitCode != 3) {
      throw new ResticException(
          ResticExitCodes.classify(exitCode, stdoutLines),
          exitCode,
          "restic backup failed (exit " + exitCode + "): " + lastLines(stdoutLines));
    }
    BackupSummary summary =
        findSummary(stdoutLines, exitCode)
            .orElseThrow(
                () ->
                    new ResticException(
                        exitCode == 3 ? Kind.INCOMPLETE : Kind.FAILED,
                        exitCode,
                        "restic backup printed no summary (exit "
                            + exitCode
                            + "): "
                            + lastLines(stdoutLines)));
    Optional<String> vanished = vanishedLock(stdoutLines);
    if (vanished.isPresent()) {
      throw repositoryVanished(summary, exitCode, vanished.get());
    }
    return summary;
  }

  /**
   * restic (0.14 to 0.18 at least) exits 0 with a summary when its repository was deleted while it
   * ran: it recreates the directories it writes to and only fails to remove its own lock at the end
   * ({@code Remove(<lock/...>) returned error ...: no such file or directory}). Such a "snapshot"
   * lives in a location without config or keys: the line that says the lock vanished, or empty.
   */
  public static Optional<String> vanishedLock(List<String> lines) {
    for (String line : lines) {
      if (line == null || !line.contains("Remove(<lock/")) {
        continue;
      }
      String lower = line.toLowerCase(java.util.Locale.ROOT);
      if (lower.contains("no such file")
          || lower.contains("not found")
          || lower.contains("does not exist")
          || lower.contains("nosuchkey")
          || lower.contains("nosuchbucket")) {
        return Optional.of(line.strip());
      }
    }
    return Optional.empty();
  }

  /** The failure for a backup whose repository vanished under it (see {@link #vanishedLock}). */
  public static ResticException repositoryVanished(
      BackupSummary summary, int exitCode, String line) {
    return new ResticException(
        Kind.DAMAGED,
        exitCode,
        "restic reported snapshot "
            + summary.shortId()
            + ", but its lock vanished from the repository while it ran (the repository was"
            + " deleted or replaced, or someone removed its lock): "
            + line
            + "; the snapshot cannot be trusted, check the repository");
  }

  /** The last {@code summary} line among {@code lines}, if any. */
  public static Optional<BackupSummary> findSummary(List<String> lines, int exitCode) {
    BackupSummary found = null;
    for (String line : lines) {
      JsonNode node = message(line, "summary");
      if (node != null) {
        found = toSummary(node, exitCode == 3);
      }
    }
    return Optional.ofNullable(found);
  }

  /** The {@code id} in the output of {@code restic cat config}, if any. */
  public static Optional<String> configId(List<String> lines) {
    try {
      JsonNode node = MAPPER.readTree(String.join("\n", lines));
      String id = node == null ? "" : node.path("id").asText("");
      return id.isEmpty() ? Optional.empty() : Optional.of(id);
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  /**
   * The progress in a {@code status} line, or empty for any other line. The field names are the
   * same in restic 0.14 and 0.19: {@code percent_done}, {@code bytes_done}, {@code total_bytes},
   * {@code files_done}, {@code total_files}, {@code seconds_elapsed}, {@code seconds_remaining}
   * (absent fields are 0). A stdin backup has no total: its {@code seconds_remaining} is
   * meaningless (restic prints e.g. 696090091439) and is dropped.
   */
  public static Optional<BackupProgress> parseStatus(String line) {
    if (line == null || !line.contains("\"message_type\":\"status\"")) {
      return Optional.empty();
    }
    JsonNode node = message(line, "status");
    if (node == null) {
      return Optional.empty();
    }
    long total = node.path("total_bytes").asLong(0);
    JsonNode remaining = node.path("seconds_remaining");
    OptionalLong eta =
        total > 0 && remaining.isNumber() && remaining.asLong() >= 0
            ? OptionalLong.of(remaining.asLong())
            : OptionalLong.empty();
    return Optional.of(
        new BackupProgress(
            node.path("percent_done").asDouble(0),
            node.path("bytes_done").asLong(0),
            total,
            node.path("files_done").asLong(0),
            node.path("total_files").asLong(0),
            node.path("seconds_elapsed").asLong(0),
            eta));
  }

  /** True when the line is a restic {@code status} (progress) message. */
  public static boolean isStatus(String line) {
    return line.contains("\"message_type\":\"status\"") && message(line, "status") != null;
  }

  /** The snapshots of {@code restic snapshots --json} (one JSON array, maybe after noise). */
  public static List<Snapshot> parseSnapshots(String json) {
    int start = json.indexOf('[');
    if (start < 0) {
      throw new ResticException(Kind.FAILED, 0, "restic snapshots printed no JSON array");
    }
    try {
      List<Snapshot> out = new ArrayList<>();
      for (JsonNode node : MAPPER.readTree(json.substring(start))) {
        out.add(toSnapshot(node));
      }
      return List.copyOf(out);
    } catch (JsonProcessingException e) {
      throw new ResticException(
          Kind.FAILED, 0, "restic snapshots printed unreadable JSON: " + e.getOriginalMessage());
    }
  }

  /**
   * The size of the file node {@code path} in the output of {@code restic ls --json} (one JSON
   * object per line: the snapshot, then nodes).
   */
  public static OptionalLong parseFileSize(List<String> lines, String path) {
    return parseFiles(lines).stream()
        .filter(f -> f.path().equals(path))
        .mapToLong(Restic.FileNode::size)
        .findFirst();
  }

  /** The regular files in the output of {@code restic ls --json <id>}, with their sizes. */
  public static List<Restic.FileNode> parseFiles(List<String> lines) {
    List<Restic.FileNode> out = new ArrayList<>();
    for (String line : lines) {
      if (!line.startsWith("{")) {
        continue;
      }
      try {
        JsonNode node = MAPPER.readTree(line);
        if ("node".equals(node.path("struct_type").asText())
            && "file".equals(node.path("type").asText())) {
          out.add(new Restic.FileNode(node.path("path").asText(), node.path("size").asLong()));
        }
      } catch (JsonProcessingException e) {
        // not one of restic's JSON lines
      }
    }
    return List.copyOf(out);
  }

  private static Snapshot toSnapshot(JsonNode node) {
    String id = node.path("id").asText("");
    String shortId = node.path("short_id").asText(id.length() > 8 ? id.substring(0, 8) : id);
    String time = node.path("time").asText(null);
    return new Snapshot(
        id,
        shortId,
        time == null ? null : Instant.parse(time),
        node.path("hostname").asText(""),
        strings(node.path("paths")),
        strings(node.path("tags")));
  }

  private static BackupSummary toSummary(JsonNode node, boolean incomplete) {
    double seconds = node.path("total_duration").asDouble(0);
    return new BackupSummary(
        node.path("snapshot_id").asText(""),
        node.path("files_new").asLong(0),
        node.path("files_changed").asLong(0),
        node.path("files_unmodified").asLong(0),
        node.path("data_added").asLong(0),
        node.path("total_bytes_processed").asLong(0),
        Duration.ofNanos(Math.round(seconds * 1e9)),
        incomplete);
  }

  // A JSON object line of the given message_type, or null; lines may carry terminal escapes.
  private static JsonNode message(String line, String type) {
    int start = line == null ? -1 : line.indexOf('{');
    if (start < 0 || !line.contains(type)) {
      return null;
    }
    try {
      JsonNode node = MAPPER.readTree(line.substring(start));
      return node != null && type.equals(node.path("message_type").asText()) ? node : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /**
   * The last useful lines: progress and summary JSON dropped, but restic's JSON errors (0.17+
   * prints {@code exit_error} and {@code error} messages instead of plain text) kept as their text.
   */
  static String lastLines(List<String> lines) {
    List<String> useful =
        lines.stream()
            .filter(l -> !l.isBlank())
            .map(l -> l.contains("\"message_type\"") ? errorText(l) : l)
            .filter(l -> l != null)
            .toList();
    List<String> tail = useful.subList(Math.max(0, useful.size() - MESSAGE_TAIL), useful.size());
    return tail.isEmpty() ? "(no output)" : String.join(" | ", tail);
  }

  /** The text of an {@code exit_error} or {@code error} JSON line, or null for other JSON. */
  static String errorText(String line) {
    JsonNode exit = message(line, "exit_error");
    if (exit != null) {
      return exit.path("message").asText("").strip();
    }
    JsonNode error = message(line, "error");
    if (error != null) {
      String item = error.path("item").asText("");
      String text = error.path("error").path("message").asText("").strip();
      return item.isEmpty() ? text : item + ": " + text;
    }
    return null;
  }
}
