package dev.stackback.port;

import java.time.Instant;
import java.util.List;

/** One restic snapshot as {@code restic snapshots --json} lists it. */
public record Snapshot(
    String id,
    String shortId,
    Instant time,
    String hostname,
    List<String> paths,
    List<String> tags) {
  public Snapshot {
    paths = List.copyOf(paths == null ? List.of() : paths);
    tags = List.copyOf(tags == null ? List.of() : tags);
  }

  /** The value of a {@code key=value} tag, or null. */
  public String tagValue(String key) {
    String prefix = key + "=";
    return tags.stream()
        .filter(t -> t.startsWith(prefix))
        .map(t -> t.substring(prefix.length()))
        .findFirst()
        .orElse(null);
  }
}
