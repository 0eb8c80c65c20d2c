package dev.stackback.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.stackback.config.Config.Email;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SmtpChannelTest {
  private static SmtpChannel channel(int port, String user) {
    return new SmtpChannel(
        new Email(
            Optional.of("mail.example"),
            port,
            Optional.ofNullable(user),
            Optional.ofNullable(user == null ? null : "pw"),
            List.of("ops@example.com")),
        Duration.ofSeconds(10));
  }

  @Test
  void port587_startTlsWhenOffered_withHostCheckAndTimeouts() {
    Properties p = channel(587, "me@example.com").properties();

    assertEquals("true", p.get("mail.smtp.starttls.enable"));
    assertEquals("false", p.get("mail.smtp.starttls.required"));
    assertEquals("true", p.get("mail.smtp.ssl.checkserveridentity"));
    assertEquals("true", p.get("mail.smtp.auth"));
    assertEquals("10000", p.get("mail.smtp.connectiontimeout"));
    assertEquals("10000", p.get("mail.smtp.timeout"));
    assertEquals("10000", p.get("mail.smtp.writetimeout"));
  }

  @Test
  void ports25And1025_plain_noAuthWithoutUser() {
    for (int port : new int[] {25, 1025}) {
      Properties p = channel(port, null).properties();
      assertNull(p.get("mail.smtp.starttls.enable"));
      assertNull(p.get("mail.smtp.ssl.enable"));
      assertEquals("false", p.get("mail.smtp.auth"));
    }
  }

  @Test
  void port465_tlsFromTheStart() {
    assertEquals("true", channel(465, null).properties().get("mail.smtp.ssl.enable"));
  }

  @Test
  void sender_isTheLoginWhenItIsAnAddress_elseStackBackAtMailHost() {
    assertEquals("me@example.com", channel(587, "me@example.com").from());
    assertEquals("stack-back@mail.example", channel(587, "apikey").from());
    assertEquals("stack-back@mail.example", channel(587, null).from());
  }

  @Test
  void nameHasNoPassword_andPasswordIsASecret() {
    SmtpChannel c = channel(587, "me@example.com");
    assertEquals("email (mail.example:587)", c.name());
    assertFalse(c.name().contains("pw"));
    assertEquals(List.of("pw"), c.secrets());
  }
}
