package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChildRunsTest {

  @Test
  void javaOptions_areTheLaunchersOptions() {
    assertEquals(
        List.of("@/opt/stack-back/jvm.options", "-Xmx256m"),
        ChildRuns.javaOptions(
            Map.of("STACK_BACK_JAVA_OPTS", "  @/opt/stack-back/jvm.options   -Xmx256m "), true));
    assertEquals(List.of("@/opt/stack-back/jvm.options"), ChildRuns.javaOptions(Map.of(), true));
    assertEquals(
        List.of("@/opt/stack-back/jvm.options"),
        ChildRuns.javaOptions(Map.of("STACK_BACK_JAVA_OPTS", " "), true),
        "an empty value means unset, as in the launcher's ${VAR:-default}");
    assertEquals(List.of(), ChildRuns.javaOptions(Map.of(), false));
  }

  @Test
  void command_isThisJvm_thenThisProgram_thenTheArguments() {
    List<String> cmd =
        ChildRuns.command(Map.of("STACK_BACK_JAVA_OPTS", "-Xmx99m"), List.of("backup", "-x"));
    assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toString(), cmd.get(0));
    assertEquals("-Xmx99m", cmd.get(1));
    assertEquals(List.of("backup", "-x"), cmd.subList(cmd.size() - 2, cmd.size()));
    // tests run from class directories: the class path and the main class instead of -jar
    assertTrue(
        cmd.contains(Main.class.getName()) || cmd.contains("-jar"), "starts our main: " + cmd);
  }
}
