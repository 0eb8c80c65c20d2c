package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
  private final App app = new RealApp(Map.of());

  @Test
  void versionWithoutPicocli_printsWhatTheVersionCommandPrints() {
    for (String arg : List.of("version", "--version", "-V")) {
      StringWriter picocli = new StringWriter();
      CommandLine full = StackBackCommand.commandLine(app);
      full.setOut(new PrintWriter(picocli));
      assertEquals(0, full.execute(arg));
      assertEquals(picocli.toString(), fastPath(arg), arg);
    }
  }

  @Test
  void aSubcommandAloneHasTheSameUsageAsInTheFullCommandLine() {
    CommandLine full = StackBackCommand.commandLine(app);
    assertEquals(StackBackCommand.SUBCOMMANDS, List.copyOf(full.getSubcommands().keySet()));
    for (String name : StackBackCommand.SUBCOMMANDS) {
      CommandLine alone = StackBackCommand.commandLine(app, new String[] {name, "--help"});
      assertEquals(List.of(name), List.copyOf(alone.getSubcommands().keySet()));
      assertEquals(
          full.getSubcommands().get(name).getUsageMessage(),
          alone.getSubcommands().get(name).getUsageMessage(),
          name);
    }
    // anything else gets every subcommand (so picocli can list them or suggest one)
    assertEquals(
        StackBackCommand.SUBCOMMANDS,
        List.copyOf(
            StackBackCommand.commandLine(app, new String[] {"--help"}).getSubcommands().keySet()));
  }

  @Test
  void logLevelOption_replacesLogLevelAndItsFileForm_anywhereOnTheLine() {
    Map<String, String> env = Map.of("LOG_LEVEL_FILE", "/run/secrets/level", "X", "y");
    assertEquals(
        Map.of("LOG_LEVEL", "debug", "X", "y"),
        Main.withLogLevel(new String[] {"--log-level", "debug", "backup"}, env));
    assertEquals(
        Map.of("LOG_LEVEL", "warning", "X", "y"),
        Main.withLogLevel(new String[] {"backup", "--log-level=warning"}, env));
    assertEquals(env, Main.withLogLevel(new String[] {"backup"}, env));
  }

  @Test
  void logLevelOption_pythonNamesAccepted_beforeOrAfterTheCommand_othersExit2() {
    for (String[] args :
        List.of(
            new String[] {"--log-level", "WARNING", "version"},
            new String[] {"version", "--log-level", "debug"},
            new String[] {"version", "--log-level=error"})) {
      assertEquals(
          0, quiet(StackBackCommand.commandLine(app)).execute(args), List.of(args).toString());
    }
    StringWriter err = new StringWriter();
    CommandLine cl = quiet(StackBackCommand.commandLine(app));
    cl.setErr(new PrintWriter(err));
    assertEquals(2, cl.execute("--log-level", "loud", "version"));
    assertTrue(
        err.toString().contains("'loud' is not one of debug, info, warning, error"),
        err.toString());
  }

  @Test
  void logLevelOption_setsTheLevelOfOurLoggers() {
    ch.qos.logback.classic.Logger ours =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.stackback");
    ch.qos.logback.classic.Level before = ours.getLevel();
    Map<String, String> env = Map.of("RESTIC_REPOSITORY", "/r", "RESTIC_PASSWORD", "x");
    try {
      Logging.configure(Main.withLogLevel(new String[] {"--log-level", "error", "status"}, env));
      assertEquals(ch.qos.logback.classic.Level.ERROR, ours.getLevel());
      Logging.configure(Main.withLogLevel(new String[] {"--log-level", "debug", "status"}, env));
      assertEquals(ch.qos.logback.classic.Level.DEBUG, ours.getLevel());
    } finally {
      ours.setLevel(before);
    }
  }

  private static CommandLine quiet(CommandLine cl) {
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(new StringWriter()));
    return cl;
  }

  private static String fastPath(String arg) {
    PrintStream saved = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      assertEquals(0, Main.run(new String[] {arg}, Map.of()));
    } finally {
      System.setOut(saved);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
