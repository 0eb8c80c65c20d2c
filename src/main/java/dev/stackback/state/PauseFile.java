package dev.stackback.state;

import dev.stackback.util.JsonStrings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The pause of scheduled runs in {@code STATE_DIR/pause.json}: written atomically (temp file +
 * rename, so a reader never sees half of it), read without Jackson (the idle daemon's {@code
 * /metrics} and {@code /healthz} read it). An expired pause is no pause; the file stays until the
 * next {@code pause} or {@code resume} so {@code status} can say when it ended.
 */
public final class PauseFile {
  /** The file name under {@code STATE_DIR}. */
  public static final String NAME = "pause.json";

  private final Path file;

  public PauseFile(Path stateDir) {
    this.file = stateDir.resolve(NAME);
  }

  public Path path() {
    return file;
  }

  /** What the file says at a moment. */
  public sealed interface State {}

  /** No pause file. */
  public record None() implements State {}

  /** A pause that holds now. */
  public record Active(Pause pause) implements State {}

  /** A pause whose {@code until} has passed: scheduled runs go on. */
  public record Ended(Pause pause) implements State {}

  /** A file that is not a pause (edited by hand?): scheduled runs go on, status says why. */
  public record Unreadable(String message) implements State {}

  /** The state at {@code now}; never throws for a bad file (see {@link Unreadable}). */
  public State state(Instant now) {
    Optional<Pause> p;
    try {
      p = read();
    } catch (IllegalArgumentException | UncheckedIOException e) {
      return new Unreadable(file + ": " + e.getMessage());
    }
    if (p.isEmpty()) {
      return new None();
    }
    return p.get().activeAt(now) ? new Active(p.get()) : new Ended(p.get());
  }

  /** Whether a pause holds at {@code now} (an unreadable file is no pause). */
  public boolean paused(Instant now) {
    return state(now) instanceof Active;
  }

  /**
   * The pause in the file, or empty when there is none.
   *
   * @throws IllegalArgumentException when the file is not a pause
   * @throws UncheckedIOException when it cannot be read
   */
  public Optional<Pause> read() {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return Optional.of(parse(text));
  }

  /** The pause in {@code json}; throws {@link IllegalArgumentException} when it is not one. */
  static Pause parse(String json) {
    if (!(RecordJson.parse(json) instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("a pause is a JSON object");
    }
    try {
      return new Pause(
          instant(m.get("since"), "since"),
          instant(m.get("until"), "until"),
          text(m.get("reason"), "reason"),
          text(m.get("by"), "by"));
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("bad time: " + e.getMessage(), e);
    }
  }

  private static Instant instant(Object o, String field) {
    if (o == null) {
      return null;
    }
    if (!(o instanceof String s)) {
      throw new IllegalArgumentException("'" + field + "' is not an ISO time: " + o);
    }
    return Instant.parse(s);
  }

  private static String text(Object o, String field) {
    if (o != null && !(o instanceof String)) {
      throw new IllegalArgumentException("'" + field + "' is not a string: " + o);
    }
    return (String) o;
  }

  /** Writes (creates or replaces) the pause, atomically. */
  public void write(Pause pause) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling("." + NAME + ".tmp");
      Files.writeString(tmp, json(pause.fields()) + "\n");
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Removes the pause; true when there was a file. */
  public boolean remove() {
    try {
      return Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + file + ": " + e.getMessage(), e);
    }
  }

  /** Flat JSON of string (or null) values. */
  private static String json(Map<String, Object> m) {
    StringBuilder b = new StringBuilder("{");
    for (Map.Entry<String, Object> e : m.entrySet()) {
      if (b.length() > 1) {
        b.append(", ");
      }
      JsonStrings.quote(b, e.getKey());
      b.append(": ");
      if (e.getValue() == null) {
        b.append("null");
      } else {
        JsonStrings.quote(b, e.getValue().toString());
      }
    }
    return b.append('}').toString();
  }
}
