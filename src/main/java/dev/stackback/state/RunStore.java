package dev.stackback.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run records as JSON files in {@code STATE_DIR/runs/<id>.json}, each written atomically (temp file
 * + rename) so a reader never sees half a record.
 */
public final class RunStore {
  private static final Logger LOG = LoggerFactory.getLogger(RunStore.class);

  /** Built on first use: a store made by {@link #withoutJackson} never loads Jackson. */
  private static final class Mapper {
    static final ObjectMapper JSON =
        new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .configure(
                com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                false);
  }

  private final Path dir;
  private final boolean jackson;

  public RunStore(Path stateDir) {
    this(stateDir, true);
  }

  private RunStore(Path stateDir, boolean jackson) {
    this.dir = stateDir.resolve("runs");
    this.jackson = jackson;
  }

  /**
   * A store that reads records with a small parser of its own instead of Jackson (for the idle
   * daemon's /metrics and /healthz); it reads what {@link #save} writes, the same records.
   */
  public static RunStore withoutJackson(Path stateDir) {
    return new RunStore(stateDir, false);
  }

  /** The shared JSON mapper (ISO dates). */
  public static ObjectMapper json() {
    return Mapper.JSON;
  }

  public Path directory() {
    return dir;
  }

  /** Writes (creates or replaces) a record. */
  public void save(RunRecord record) {
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve("." + record.id() + ".json.tmp");
      Mapper.JSON.writeValue(tmp.toFile(), record);
      Path target = dir.resolve(record.id() + ".json");
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write run record in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The most recent records first, at most {@code limit}. Unreadable files are skipped. */
  public List<RunRecord> recent(int limit) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<RunRecord> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> sorted =
          files
              .filter(p -> p.getFileName().toString().endsWith(".json"))
              .filter(p -> !p.getFileName().toString().startsWith("."))
              .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
              .toList();
      for (Path p : withTiesOfTheLastSecond(sorted, limit)) {
        read(p).ifPresent(out::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    // ids order runs by the second they started in; within one second by start time
    out.sort(
        Comparator.comparing(
                RunRecord::startedAt,
                Comparator.nullsFirst(Comparator.<java.time.Instant>naturalOrder()))
            .thenComparing(RunRecord::id)
            .reversed());
    return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
  }

  /**
   * The first {@code limit} of the newest-first {@code files}, plus the following ones that started
   * in the same second as the last of them (a run id begins with its start second): which of those
   * is newer only their start times say.
   */
  static List<Path> withTiesOfTheLastSecond(List<Path> files, int limit) {
    if (files.size() <= limit || limit <= 0) {
      return files.subList(0, Math.max(0, Math.min(limit, files.size())));
    }
    String second = secondOf(files.get(limit - 1));
    int end = limit;
    while (end < files.size() && secondOf(files.get(end)).equals(second)) {
      end++;
    }
    return files.subList(0, end);
  }

  private static String secondOf(Path file) {
    String name = file.getFileName().toString();
    int dash = name.indexOf('-');
    return dash < 0 ? name : name.substring(0, dash);
  }

  /** Records still marked running (crashed runs, or one in progress). */
  public List<RunRecord> running() {
    return recent(Integer.MAX_VALUE).stream()
        .filter(r -> RunRecord.RUNNING.equals(r.state()))
        .toList();
  }

  /** The record of run {@code id}, when it is (still) here. */
  public Optional<RunRecord> find(String id) {
    if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      return Optional.empty(); // never a path outside the directory
    }
    Path p = dir.resolve(id + ".json");
    return Files.isRegularFile(p) ? read(p) : Optional.empty();
  }

  public Optional<RunRecord> latest() {
    return recent(1).stream().findFirst();
  }

  private Optional<RunRecord> read(Path p) {
    try {
      if (!jackson) {
        return Optional.of(RecordJson.read(Files.readString(p)));
      }
      return Optional.of(Mapper.JSON.readValue(p.toFile(), RunRecord.class));
    } catch (IOException | IllegalArgumentException | java.time.DateTimeException e) {
      LOG.warn("skipping unreadable run record {}: {}", p, e.getMessage());
      return Optional.empty();
    }
  }
}
