package dev.stackback.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.config.Config.NotifyOn;
import dev.stackback.state.RunRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NotifierTest {
  /** A channel that records what it was sent, or fails. */
  static final class FakeChannel implements Channel {
    final String name;
    final Exception failure;
    final List<Notification> sent = new ArrayList<>();

    FakeChannel(String name, Exception failure) {
      this.name = name;
      this.failure = failure;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void send(Notification n) throws Exception {
      if (failure != null) {
        throw failure;
      }
      sent.add(n);
    }

    @Override
    public List<String> secrets() {
      return List.of("/api/webhooks/123/t0ken", "t0ken");
    }
  }

  @Test
  void failedAndIncompleteRuns_areAlwaysNotified_successOnlyWithAlways() {
    Notifier onFailure = new Notifier(List.of(new FakeChannel("a", null)), NotifyOn.FAILURE);
    Notifier always = new Notifier(List.of(new FakeChannel("a", null)), NotifyOn.ALWAYS);
    RunRecord ok = SampleRuns.succeeded("1", 1);
    RunRecord failed = SampleRuns.failed("2");
    RunRecord incomplete = SampleRuns.ended("3", RunRecord.INCOMPLETE, 3, null, List.of());
    RunRecord running = SampleRuns.ended("4", RunRecord.RUNNING, 0, null, List.of());

    assertFalse(onFailure.wants(ok));
    assertTrue(onFailure.wants(failed));
    assertTrue(onFailure.wants(incomplete));
    assertFalse(onFailure.wants(running));
    assertTrue(always.wants(ok));
    assertTrue(always.wants(failed));
    assertFalse(always.wants(running));
  }

  @Test
  void succeededRunWithAnAnomaly_isNotifiedAlsoOnFailureOnly() {
    FakeChannel c = new FakeChannel("c", null);
    Notifier onFailure = new Notifier(List.of(c), NotifyOn.FAILURE);
    RunRecord flagged = SampleRuns.withAnomaly(SampleRuns.succeeded("s", 1));
    assertTrue(onFailure.wants(flagged));
    assertFalse(onFailure.wants(SampleRuns.succeeded("s", 1)));
    onFailure.runEnded(flagged);
    assertEquals(1, c.sent.size());
    assertEquals(
        "[stack-back] backup succeeded with 1 anomaly on demo (run s)", c.sent.get(0).subject());
  }

  @Test
  void aFailingChannel_doesNotStopTheOthers_andItsErrorHasNoSecrets() {
    FakeChannel first = new FakeChannel("first", null);
    FakeChannel broken =
        new FakeChannel("broken", new IOException("POST /api/webhooks/123/t0ken: refused"));
    FakeChannel throwsRuntime = new FakeChannel("npe", new NullPointerException());
    FakeChannel last = new FakeChannel("last", null);
    Notifier n = new Notifier(List.of(first, broken, throwsRuntime, last), NotifyOn.FAILURE);

    List<Notifier.Result> results = n.send(Messages.forRun(SampleRuns.failed("r")));

    assertEquals(1, first.sent.size());
    assertEquals(1, last.sent.size());
    assertEquals(
        List.of(true, false, false, true), results.stream().map(Notifier.Result::ok).toList());
    assertEquals("POST ***: refused", results.get(1).error());
    assertEquals("NullPointerException", results.get(2).error());
  }

  @Test
  void runEnded_neverThrows_evenWhenEveryChannelFails() {
    Notifier n =
        new Notifier(
            List.of(new FakeChannel("x", new IllegalStateException("bad"))), NotifyOn.ALWAYS);

    n.runEnded(SampleRuns.failed("r"));
    n.runEnded(SampleRuns.succeeded("s", 1));
  }

  @Test
  void runEnded_onSuccessWithFailureOnly_sendsNothing() {
    FakeChannel c = new FakeChannel("c", null);
    new Notifier(List.of(c), NotifyOn.FAILURE).runEnded(SampleRuns.succeeded("s", 1));
    assertEquals(0, c.sent.size());
  }

  @Test
  void webhookChannelName_showsOnlySchemeHostAndPort() {
    HttpChannel c =
        HttpChannel.webhook(
            2, "https://user:pw@hooks.example.com:8443/T000/B000/XXXX?token=abc", Duration.ZERO);
    HttpChannel d = HttpChannel.discord("https://discord.com/api/webhooks/1/tok", Duration.ZERO);

    assertEquals("webhook 2 (https://hooks.example.com:8443)", c.name());
    assertEquals("discord", d.name());
    assertTrue(c.secrets().contains("/T000/B000/XXXX"));
    assertTrue(c.secrets().contains("token=abc"));
    assertTrue(c.secrets().contains("user:pw"));
  }

  @Test
  void scrub_replacesLongestSecretFirst() {
    assertEquals("a *** b ***", Notifier.scrub("a /x/tok b tok", List.of("tok", "/x/tok", "")));
  }
}
