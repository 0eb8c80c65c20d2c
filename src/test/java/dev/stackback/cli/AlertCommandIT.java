package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.stackback.notify.LocalHttp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** {@code stack-back alert} against a real SMTP server and a real HTTP server on 127.0.0.1. */
class AlertCommandIT {
  @RegisterExtension
  static final GreenMailExtension MAIL =
      new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));

  private LocalHttp http;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void start() {
    http = new LocalHttp();
  }

  @AfterEach
  void stop() {
    http.close();
  }

  private static Map<String, String> base() {
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", "/tmp/repo");
    env.put("RESTIC_PASSWORD", "x");
    env.put("BACKUP_HOST", "demo");
    return env;
  }

  private int alert(Map<String, String> env) {
    CommandLine cl = StackBackCommand.commandLine(new RealApp(env));
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute("alert");
  }

  @Test
  void noChannel_saysSoAndExits1() {
    assertEquals(1, alert(base()));
    assertTrue(err.toString().contains("no notification channel is configured"), err.toString());
  }

  @Test
  void invalidConfig_exits2() {
    Map<String, String> env = base();
    env.put("NOTIFY_ON", "sometimes");
    assertEquals(2, alert(env));
  }

  @Test
  void allChannelsOk_exit0_andEachReceivedTheTest() {
    Map<String, String> env = base();
    env.put("EMAIL_HOST", "127.0.0.1");
    env.put("EMAIL_PORT", Integer.toString(MAIL.getSmtp().getPort()));
    env.put("EMAIL_SEND_TO", "ops@example.com");
    env.put("DISCORD_WEBHOOK", http.url("/api/webhooks/1/Tok3n"));
    env.put("NOTIFY_URLS", http.url("/a") + "," + http.url("/b"));

    assertEquals(0, alert(env), err.toString());

    String o = out.toString();
    assertTrue(o.contains("email (127.0.0.1:" + MAIL.getSmtp().getPort() + "): ok"), o);
    assertTrue(o.contains("discord: ok"), o);
    assertTrue(o.contains("webhook 1 (http://127.0.0.1:"), o);
    assertTrue(o.contains("all 4 channel(s) ok"), o);
    assertFalse(o.contains("Tok3n"), o);
    assertEquals(1, MAIL.getReceivedMessages().length);
    assertEquals(1, http.to("/api/webhooks/1/Tok3n").size());
    assertTrue(http.to("/a").get(0).body().contains("\"event\":\"test\""));
    assertEquals(1, http.to("/b").size());
  }

  @Test
  void oneChannelFails_exit1_othersStillSent_noSecretsPrinted() {
    http.answer("/api/webhooks/1/Tok3n", 500);
    Map<String, String> env = base();
    env.put("DISCORD_WEBHOOK", http.url("/api/webhooks/1/Tok3n"));
    env.put("NOTIFY_URLS", http.url("/ok"));

    assertEquals(1, alert(env));

    String all = out.toString() + err.toString();
    assertTrue(all.contains("discord: failed: HTTP 500"), all);
    assertTrue(all.contains("webhook 1 (http://127.0.0.1:" + port(http) + "): ok"), all);
    assertTrue(all.contains("1 of 2 channel(s) failed"), all);
    assertFalse(all.contains("Tok3n"), all);
    assertEquals(1, http.to("/ok").size());
  }

  private static String port(LocalHttp h) {
    String u = h.url("");
    return u.substring(u.lastIndexOf(':') + 1);
  }
}
