package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertFalse;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stackback.cli.RealApp;
import dev.stackback.cli.StackBackCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * Runs the real {@code stack-back} command line in-process with a given environment, capturing
 * stdout, stderr and every log line written meanwhile.
 */
final class Cli {
  static final ObjectMapper JSON = new ObjectMapper();

  private Cli() {}

  /** What one command did. */
  record Result(int exit, String out, String err, String log) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("stdout is not JSON: " + out, e);
      }
    }

    /** Everything it printed or logged. */
    String all() {
      return out + "\n" + err + "\n" + log;
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err + "\n--- log\n" + log;
    }
  }

  /**
   * {@code stack-back args...} with {@code env} as its whole environment, plus the {@code
   * DOCKER_HOST} of the engine under test ({@link TestEngine}) when {@code env} names none.
   */
  static Result run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Map<String, String> whole = new java.util.HashMap<>(TestEngine.env());
    whole.putAll(env);
    var cl = StackBackCommand.commandLine(new RealApp(whole));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger ours = (Logger) LoggerFactory.getLogger("stack-back");
    Level before = ours.getLevel();
    ours.setLevel(Level.INFO);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    int code;
    try {
      code = cl.execute(args);
    } finally {
      root.detachAppender(logs);
      ours.setLevel(before);
    }
    String log =
        logs.list.stream()
            .map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage())
            .collect(Collectors.joining("\n"));
    return new Result(code, out.toString(), err.toString(), log);
  }

  /** The run records under {@code STATE_DIR/runs}, oldest first (by start), as JSON. */
  static List<JsonNode> records(Path stateDir) {
    return RunRecords.of(stateDir);
  }

  /** The names of a record's steps with their outcome: {@code "stop app=ok"}. */
  static List<String> steps(JsonNode record) {
    List<String> out = new java.util.ArrayList<>();
    record
        .get("steps")
        .forEach(s -> out.add(s.get("name").asText() + "=" + s.get("outcome").asText()));
    return out;
  }

  /** Fails if {@code secret} appears in any result or in any file under {@code stateDir}. */
  static void assertSecretAbsent(String secret, Path stateDir, List<Result> results) {
    for (Result r : results) {
      assertFalse(r.all().contains(secret), "the secret leaked into the output:\n" + r);
    }
    if (stateDir == null || !Files.exists(stateDir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(stateDir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertFalse(Files.readString(f).contains(secret), "the secret leaked into " + f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
