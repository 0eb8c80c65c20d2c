package dev.stackback.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The run records of a state directory as JSON, in the order stack-back itself gives them: by
 * {@code startedAt}. A record's file name (the run id) has the second only, so two runs of one
 * second would sort by their random suffix.
 */
public final class RunRecords {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RunRecords() {}

  /**
   * The records under {@code STATE_DIR/runs}, oldest first; none when there is no such directory.
   */
  public static List<JsonNode> of(Path stateDir) {
    Path runs = stateDir.resolve("runs");
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    List<JsonNode> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(runs)) {
      // as RunStore reads them: not the ".<id>.json.tmp" of a record being written; by name
      // first, so records of one instant keep one order
      for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        out.add(JSON.readTree(f.toFile()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return inRunOrder(out);
  }

  /** {@code records} ordered by their {@code startedAt} (a record without one first). */
  public static List<JsonNode> inRunOrder(List<JsonNode> records) {
    List<JsonNode> out = new ArrayList<>(records);
    out.sort(
        Comparator.comparing(
            (JsonNode r) ->
                r.hasNonNull("startedAt")
                    ? Instant.parse(r.get("startedAt").asText())
                    : Instant.MIN));
    return out;
  }
}
