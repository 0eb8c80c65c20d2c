package dev.stackback.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.state.FailureReport;
import dev.stackback.state.FailureReport.ContainerReport;
import dev.stackback.state.RunRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Notifications quote a run's failure report: its containers in the text, Discord and JSON. */
class MessagesFailureReportTest {
  private static RunRecord withReport() {
    RunRecord r = SampleRuns.failed("r1");
    ContainerReport web =
        new ContainerReport(
            "pre web#1",
            "0123456789abcdef",
            "app-web-1",
            "exited",
            137,
            true,
            2,
            null,
            null,
            List.of("connecting to https://u:secret@db/"),
            List.of("2026-12-02T10:00:01Z die (exitCode=137)"));
    return r.withFailure(
        new FailureReport(
            "pre web#1", "hook", "web", "failed", 7, "exit code 7", List.of(), List.of(web), null));
  }

  @Test
  void text_listsTheContainerStateLogAndEvents_credentialsHidden() {
    String text = Messages.forRun(withReport()).text();

    assertTrue(
        text.contains("Containers of pre web#1:\n  Container app-web-1 (0123456789ab)"), text);
    assertTrue(text.contains("    OOM killed:    yes\n"), text);
    assertTrue(text.contains("      connecting to https://***@db/\n"), text);
    assertTrue(text.contains("      2026-12-02T10:00:01Z die (exitCode=137)\n"), text);
  }

  @Test
  void discord_oneLinePerContainer() {
    String d = Messages.forRun(withReport()).shortText();

    assertTrue(
        d.contains("- container app-web-1: exited, exit 137, OOM killed, restarted 2x\n"), d);
    assertTrue(d.length() <= Messages.DISCORD_LIMIT);
  }

  @Test
  @SuppressWarnings("unchecked")
  void document_carriesTheReport() {
    Map<String, Object> doc = Messages.forRun(withReport()).document();

    Map<String, Object> f = (Map<String, Object>) doc.get("failure");
    assertEquals("pre web#1", f.get("step"));
    Map<String, Object> c = ((List<Map<String, Object>>) f.get("containers")).get(0);
    assertEquals(137, c.get("exitCode"));
    assertEquals(true, c.get("oomKilled"));
    assertEquals(List.of("connecting to https://***@db/"), c.get("logTail"));
  }
}
