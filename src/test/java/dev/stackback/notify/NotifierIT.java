package dev.stackback.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.stackback.config.Config;
import dev.stackback.config.ConfigLoader;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real SMTP (GreenMail) and a real HTTP server, all on 127.0.0.1. */
class NotifierIT {
  @RegisterExtension
  static final GreenMailExtension MAIL =
      new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
          .withConfiguration(GreenMailConfiguration.aConfig().withUser("ops@example.com", "pw"));

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DISCORD = "/api/webhooks/42/DiscordT0ken";
  private static final String HOOK = "/hooks/s3cretpath";

  private LocalHttp http;

  @BeforeEach
  void startHttp() {
    http = new LocalHttp();
  }

  @AfterEach
  void stopHttp() {
    http.close();
  }

  private Map<String, String> env(String notifyOn) {
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", "/tmp/repo");
    env.put("RESTIC_PASSWORD", "x");
    env.put("EMAIL_HOST", "127.0.0.1");
    env.put("EMAIL_PORT", Integer.toString(MAIL.getSmtp().getPort()));
    env.put("EMAIL_SEND_TO", "ops@example.com, dev@example.com");
    env.put("DISCORD_WEBHOOK", http.url(DISCORD));
    env.put("NOTIFY_URLS", http.url(HOOK));
    env.put("NOTIFY_ON", notifyOn);
    return env;
  }

  private static Notifier notifier(Map<String, String> env) {
    Config c = ConfigLoader.load(env).config().orElseThrow();
    return Notifier.from(c, Duration.ofSeconds(5));
  }

  @Test
  void failedRun_reachesMailDiscordAndWebhook_withWhatFailedAndItsOutput() throws Exception {
    notifier(env("failure")).runEnded(SampleRuns.failed("run-1"));

    MimeMessage[] mails = MAIL.getReceivedMessages();
    assertEquals(2, mails.length, "one per recipient");
    assertTrue(mails[0].getSubject().contains("backup failed on demo"), mails[0].getSubject());
    String mailBody = GreenMailUtil.getBody(mails[0]);
    assertTrue(mailBody.contains("pre web#1 (hook): failed, exit 7"), mailBody);
    assertTrue(mailBody.contains("out 30"), mailBody);

    LocalHttp.Request discord = http.to(DISCORD).get(0);
    assertEquals("POST", discord.method());
    assertEquals("application/json", discord.contentType());
    JsonNode d = JSON.readTree(discord.body());
    String content = d.get("content").asText();
    assertTrue(content.contains("backup failed"), content);
    assertTrue(content.contains("pre web#1"), content);
    assertTrue(content.contains("out 30"), content);
    assertTrue(content.length() <= 2000);

    JsonNode hook = JSON.readTree(http.to(HOOK).get(0).body());
    assertEquals("run-1", hook.get("runId").asText());
    assertEquals("failed", hook.get("state").asText());
    assertEquals("demo", hook.get("host").asText());
    assertEquals(1, hook.get("exitCode").asInt());
    assertEquals(65.0, hook.get("durationSeconds").asDouble());
    JsonNode step = hook.get("failedSteps").get(0);
    assertEquals("pre web#1", step.get("name").asText());
    assertEquals(7, step.get("exitCode").asInt());
    assertEquals("out 30", step.get("tail").get(19).asText());
  }

  @Test
  void notifyOnFailure_successSendsNothing() {
    notifier(env("failure")).runEnded(SampleRuns.succeeded("run-2", 10));

    assertEquals(0, MAIL.getReceivedMessages().length);
    assertEquals(List.of(), http.requests);
  }

  @Test
  void notifyOnAlways_successReachesEveryChannel() throws Exception {
    notifier(env("always")).runEnded(SampleRuns.succeeded("run-3", 10));

    assertEquals(2, MAIL.getReceivedMessages().length);
    assertTrue(MAIL.getReceivedMessages()[0].getSubject().contains("succeeded"));
    assertEquals(1, http.to(DISCORD).size());
    assertEquals("succeeded", JSON.readTree(http.to(HOOK).get(0).body()).get("state").asText());
  }

  @Test
  void discord500AndClosedWebhookPort_otherChannelsStillGetIt_andNothingThrows() {
    http.answer(DISCORD, 500);
    Map<String, String> env = env("failure");
    String closed = "http://127.0.0.1:" + LocalHttp.closedPort() + "/closed/T0KEN";
    env.put("NOTIFY_URLS", closed + "," + http.url(HOOK));

    List<Notifier.Result> results = notifier(env).send(Messages.forRun(SampleRuns.failed("r")));

    assertEquals(
        List.of(true, false, false, true), results.stream().map(Notifier.Result::ok).toList());
    assertTrue(results.get(1).error().startsWith("HTTP 500"), results.get(1).error());
    assertEquals(2, MAIL.getReceivedMessages().length);
    assertEquals(1, http.to(HOOK).size());
    for (Notifier.Result r : results) {
      String all = r.channel() + " " + r.error();
      assertFalse(all.contains("DiscordT0ken"), all);
      assertFalse(all.contains("T0KEN"), all);
    }

    // and through runEnded, the caller's path: no exception
    notifier(env).runEnded(SampleRuns.failed("r2"));
    assertEquals(2, http.to(HOOK).size());
  }

  @Test
  void smtpDown_webhooksStillSent() {
    Map<String, String> env = env("failure");
    env.put("EMAIL_PORT", Integer.toString(LocalHttp.closedPort()));

    List<Notifier.Result> results = notifier(env).send(Messages.forRun(SampleRuns.failed("r")));

    assertFalse(results.get(0).ok());
    assertTrue(results.get(1).ok() && results.get(2).ok(), results.toString());
  }

  @Test
  void smtpWithLogin_authenticates_andWrongPasswordFailsWithoutShowingIt() throws Exception {
    Map<String, String> env = env("failure");
    env.put("EMAIL_HOST_USER", "ops@example.com");
    env.put("EMAIL_HOST_PASSWORD", "pw");
    env.remove("DISCORD_WEBHOOK");
    env.remove("NOTIFY_URLS");

    assertTrue(notifier(env).send(Messages.test("demo", SampleRuns.T0)).get(0).ok());
    assertEquals("ops@example.com", MAIL.getReceivedMessages()[0].getFrom()[0].toString());

    env.put("EMAIL_HOST_PASSWORD", "Wr0ngPassw0rd");
    Notifier.Result bad = notifier(env).send(Messages.test("demo", SampleRuns.T0)).get(0);
    assertFalse(bad.ok());
    assertFalse(bad.error().contains("Wr0ngPassw0rd"), bad.error());
  }
}
