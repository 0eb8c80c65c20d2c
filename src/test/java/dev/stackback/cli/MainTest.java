package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
