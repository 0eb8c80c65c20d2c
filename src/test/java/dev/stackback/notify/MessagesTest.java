package dev.stackback.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessagesTest {
  @Test
  void failedRestoreDrill_isCalledSo_inSubjectSummaryAndDiscord() {
    RunRecord b = SampleRuns.failed("r9");
    RunRecord drill =
        new RunRecord(
            b.id(),
            "verify",
            b.state(),
            b.pid(),
            b.host(),
            b.startedAt(),
            b.endedAt(),
            b.exitCode(),
            b.stopped(),
            b.steps(),
            "verify dump db failed: does not load");
    Notification n = Messages.forRun(drill);

    assertTrue(n.subject().startsWith("[stack-back] restore drill failed on demo"), n.subject());
    assertTrue(n.text().startsWith("stack-back restore drill failed on host 'demo'"), n.text());
    assertTrue(Messages.discord(drill).startsWith("**stack-back: restore drill failed"));
    assertTrue(Messages.forRun(b).subject().startsWith("[stack-back] backup failed"));
  }

  @Test
  void failedRun_textNamesFailedStepExitCodeAndLast20LinesOfItsOutput() {
    Notification n = Messages.forRun(SampleRuns.failed("r1"));

    assertTrue(n.subject().contains("failed"), n.subject());
    assertTrue(n.subject().contains("demo"), n.subject());
    assertTrue(n.text().contains("Failed steps:\n  - pre web#1 (hook): failed, exit 7"), n.text());
    assertTrue(n.text().contains("Output of pre web#1"), n.text());
    assertTrue(n.text().contains("  out 11\n"), n.text());
    assertTrue(n.text().contains("  out 30\n"), n.text());
    assertFalse(n.text().contains("  out 10\n"), "only the last 20 lines: " + n.text());
    assertTrue(n.text().contains("Duration:  1m5s"), n.text());
    // the steps that went fine are listed, not reported as failed
    assertFalse(n.text().contains("- pre backup#1"), n.text());
    assertTrue(n.text().contains("pre backup#1"), n.text());
  }

  @Test
  void failedRun_documentHasRunFieldsAndFailedStepsWithTail() {
    Map<String, Object> doc = Messages.forRun(SampleRuns.failed("r1")).document();

    assertEquals("run", doc.get("event"));
    assertEquals("r1", doc.get("runId"));
    assertEquals("failed", doc.get("state"));
    assertEquals("demo", doc.get("host"));
    assertEquals("2025-03-01T02:00:00Z", doc.get("startedAt"));
    assertEquals("2025-03-01T02:01:05Z", doc.get("endedAt"));
    assertEquals(65.0, doc.get("durationSeconds"));
    assertEquals(1, doc.get("exitCode"));
    assertEquals("pre hook 'pre web#1' failed (exit 7)", doc.get("error"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> steps = (List<Map<String, Object>>) doc.get("failedSteps");
    assertEquals(1, steps.size());
    Map<String, Object> s = steps.get(0);
    assertEquals("pre web#1", s.get("name"));
    assertEquals("failed", s.get("outcome"));
    assertEquals(7, s.get("exitCode"));
    assertEquals("message of pre web#1", s.get("message"));
    assertEquals(SampleRuns.output(30).subList(10, 30), s.get("tail"));
  }

  @Test
  void credentialsInUrlsOfStepOutputAndErrors_areRedactedEverywhere() {
    RunRecord r =
        SampleRuns.ended(
            "r2",
            RunRecord.FAILED,
            1,
            "cannot reach rest:https://alice:s3cr3t@repo.example/",
            List.of(
                SampleRuns.hook(
                    "pre web#1",
                    "failed",
                    1,
                    List.of("curl https://bob:hunter2@api.example/x failed"))));

    Notification n = Messages.forRun(r);

    for (String form : List.of(n.text(), n.shortText(), n.document().toString())) {
      assertFalse(form.contains("s3cr3t"), form);
      assertFalse(form.contains("hunter2"), form);
      assertTrue(form.contains("***@api.example"), form);
    }
  }

  @Test
  void discordText_staysWithin2000Chars_andKeepsTheLastLinesOfOutput() {
    List<String> longOutput = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      longOutput.add("line " + i + " " + "x".repeat(150));
    }
    RunRecord r =
        SampleRuns.ended(
            "r3",
            RunRecord.FAILED,
            1,
            "boom",
            List.of(SampleRuns.hook("pre web#1", "failed", 2, longOutput)));

    String d = Messages.forRun(r).shortText();

    assertTrue(d.length() <= Messages.DISCORD_LIMIT, "length " + d.length());
    assertTrue(d.contains("pre web#1"), d);
    assertTrue(d.contains("line 40 "), d);
    assertFalse(d.contains("line 21 "), "only the last 20 lines at most: " + d);
    assertTrue(d.endsWith("```"), d);
  }

  @Test
  void discordText_withManyFailedSteps_isCutAt2000Chars() {
    List<StepRecord> steps = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      steps.add(SampleRuns.hook("post web#" + i, "failed", 1, List.of("out")));
    }
    RunRecord r = SampleRuns.ended("r4", RunRecord.FAILED, 1, "x".repeat(1000), steps);

    String d = Messages.forRun(r).shortText();

    assertEquals(Messages.DISCORD_LIMIT, d.length());
    assertTrue(d.startsWith("**stack-back: backup failed**"), d);
  }

  @Test
  void discordText_escapesCodeFencesInOutput() {
    RunRecord r =
        SampleRuns.ended(
            "r5",
            RunRecord.FAILED,
            1,
            null,
            List.of(SampleRuns.hook("pre web#1", "failed", 1, List.of("a ``` b"))));

    String d = Messages.forRun(r).shortText();

    assertTrue(d.contains("a ''' b"), d);
  }

  @Test
  void runWithAnAnomaly_everyFormSaysIt() {
    Notification n = Messages.forRun(SampleRuns.withAnomaly(SampleRuns.succeeded("r7", 1)));
    String message =
        "dump db read 1.0 KiB, 99% less than its median of 100 KiB over the previous 4 runs";
    assertEquals("[stack-back] backup succeeded with 1 anomaly on demo (run r7)", n.subject());
    assertTrue(
        n.text().contains("Anomalies (much smaller or slower than usual):\n  - " + message),
        n.text());
    assertTrue(n.shortText().startsWith("**stack-back: backup succeeded with 1 anomaly**"));
    assertTrue(n.shortText().contains("- anomaly: " + message), n.shortText());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> anomalies = (List<Map<String, Object>>) n.document().get("anomalies");
    assertEquals(1, anomalies.size());
    assertEquals("smaller", anomalies.get(0).get("type"));
    assertEquals("dump db", anomalies.get(0).get("step"));
    assertEquals(1024L, anomalies.get(0).get("value"));
    assertEquals(102_400L, anomalies.get(0).get("median"));
    assertEquals(message, anomalies.get(0).get("message"));
    assertTrue(((String) n.document().get("summary")).contains("succeeded with 1 anomaly"));
  }

  @Test
  void succeededRun_saysSoWithoutFailedSteps() {
    Notification n = Messages.forRun(SampleRuns.succeeded("r6", 1234));

    assertTrue(n.subject().contains("succeeded"), n.subject());
    assertFalse(n.text().contains("Failed steps"), n.text());
    assertEquals(List.of(), n.document().get("failedSteps"));
    assertEquals(List.of(), n.document().get("anomalies"));
    assertFalse(n.text().contains("Anomalies"), n.text());
  }

  @Test
  void incompleteSnapshot_isReportedAsFailedStep() {
    StepRecord incomplete =
        new StepRecord(
            "snapshot",
            "snapshot web",
            null,
            "web",
            "incomplete",
            SampleRuns.T0,
            10,
            3,
            1,
            "some files unreadable",
            List.of("error: open /volumes/web/x: permission denied"));
    RunRecord r = SampleRuns.ended("r7", RunRecord.INCOMPLETE, 3, null, List.of(incomplete));

    Notification n = Messages.forRun(r);

    assertTrue(n.text().contains("- snapshot web (snapshot): incomplete, exit 3"), n.text());
    assertTrue(n.shortText().contains("permission denied"), n.shortText());
  }

  @Test
  void testNotification_namesHostAndIsMarkedAsTest() {
    Notification n = Messages.test("demo", SampleRuns.T0);

    assertTrue(n.subject().contains("test"), n.subject());
    assertTrue(n.text().contains("'demo'"), n.text());
    assertEquals("test", n.document().get("event"));
  }

  private static StepRecord step(
      String kind, String name, String stage, String outcome, List<String> tail) {
    return new StepRecord(
        kind, name, stage, "web", outcome, SampleRuns.T0, 331, 1, 1, "msg " + name, tail);
  }

  @Test
  void snapshotFailedThenErrorHookFailed_quotesTheSnapshotNotTheErrorHook() {
    RunRecord r =
        SampleRuns.ended(
            "r9",
            RunRecord.FAILED,
            1,
            "snapshot of web failed: repository is full",
            List.of(
                step("snapshot", "snapshot web", null, "failed", List.of("disk full")),
                step("hook", "error web#1", "error", "failed", List.of("error hook noise"))));
    Notification n = Messages.forRun(r);
    assertEquals("snapshot web", Messages.decisiveStep(r).orElseThrow().name());
    assertTrue(n.text().contains("Output of snapshot web"), n.text());
    assertFalse(n.text().contains("error hook noise"), n.text());
    assertTrue(n.shortText().contains("disk full"), n.shortText());
    assertEquals("snapshot web", n.document().get("decisiveStep"));
  }

  @Test
  void decisiveStepWithoutOutput_quotesNoOtherStepsOutput() {
    RunRecord r =
        SampleRuns.ended(
            "r10",
            RunRecord.FAILED,
            1,
            "could not stop web: timeout",
            List.of(
                step("hook", "pre web#1", "pre", "failed", List.of("continue hook output")),
                step("stop", "stop web", null, "failed", List.of()),
                step("hook", "error web#1", "error", "failed", List.of("error hook output"))));
    Notification n = Messages.forRun(r);
    assertEquals("stop web", Messages.decisiveStep(r).orElseThrow().name());
    assertFalse(n.text().contains("Output of"), n.text());
  }

  @Test
  void preStageFailed_quotesTheAbortingHook_notAnEarlierContinueHook() {
    RunRecord r =
        SampleRuns.ended(
            "r11",
            RunRecord.FAILED,
            1,
            "a pre hook failed",
            List.of(
                step("hook", "pre web#1", "pre", "failed", List.of("continue hook output")),
                step("hook", "pre web#2", "pre", "failed", List.of("the real reason")),
                step("hook", "pre web#3", "pre", "skipped", List.of()),
                step("hook", "error web#1", "error", "failed", List.of("error hook output"))));
    Notification n = Messages.forRun(r);
    assertEquals("pre web#2", Messages.decisiveStep(r).orElseThrow().name());
    assertTrue(n.text().contains("Output of pre web#2"), n.text());
    assertFalse(n.text().contains("  continue hook output"), n.text());
  }

  @Test
  void incompleteRun_quotesTheIncompleteSnapshot() {
    RunRecord r =
        SampleRuns.ended(
            "r12",
            RunRecord.INCOMPLETE,
            3,
            null,
            List.of(
                step("hook", "post web#1", "post", "failed", List.of("continue")),
                step("snapshot", "snapshot web", null, "incomplete", List.of("unreadable"))));
    assertEquals("snapshot web", Messages.decisiveStep(r).orElseThrow().name());
  }

  @Test
  void stepDurations_readLikePeopleWriteThem() {
    RunRecord r =
        SampleRuns.ended(
            "r13",
            RunRecord.FAILED,
            1,
            "could not stop web: x",
            List.of(step("stop", "stop web", null, "failed", List.of())));
    String text = Messages.forRun(r).text();
    assertTrue(text.contains("331ms"), text);
    assertFalse(text.contains("PT"), text);
  }
}
