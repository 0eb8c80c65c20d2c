package dev.stackback.notify;

import dev.stackback.config.Config.Email;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Properties;

/**
 * E-mail over SMTP (Eclipse Angus Mail). Port 465: TLS from the start; 25 and 1025: plain; any
 * other port (587): STARTTLS when the server offers it, with the certificate and host name checked.
 * Logs in only when {@code EMAIL_HOST_USER} is set. Every socket operation is bounded.
 */
final class SmtpChannel implements Channel {
  private final Email email;
  private final Duration timeout;

  SmtpChannel(Email email, Duration timeout) {
    this.email = email;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "email (" + email.host().orElse("") + ":" + email.port() + ")";
  }

  @Override
  public List<String> secrets() {
    return email.password().map(List::of).orElse(List.of());
  }

  @Override
  public void send(Notification n) throws MessagingException {
    Session session = Session.getInstance(properties());
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(from()));
    m.setRecipients(
        Message.RecipientType.TO, InternetAddress.parse(String.join(",", email.sendTo())));
    m.setSubject(n.subject(), "UTF-8");
    m.setText(n.text(), "UTF-8");
    m.setSentDate(new Date());
    try (Transport t = session.getTransport("smtp")) {
      if (email.user().isPresent()) {
        t.connect(
            email.host().orElseThrow(),
            email.port(),
            email.user().get(),
            email.password().orElse(""));
      } else {
        t.connect();
      }
      t.sendMessage(m, m.getAllRecipients());
    }
  }

  Properties properties() {
    String ms = Long.toString(timeout.toMillis());
    Properties p = new Properties();
    p.put("mail.smtp.host", email.host().orElseThrow());
    p.put("mail.smtp.port", Integer.toString(email.port()));
    p.put("mail.smtp.connectiontimeout", ms);
    p.put("mail.smtp.timeout", ms);
    p.put("mail.smtp.writetimeout", ms);
    p.put("mail.smtp.auth", Boolean.toString(email.user().isPresent()));
    int port = email.port();
    if (port == 465) {
      p.put("mail.smtp.ssl.enable", "true");
      p.put("mail.smtp.ssl.checkserveridentity", "true");
    } else if (port != 25 && port != 1025) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "false");
      p.put("mail.smtp.ssl.checkserveridentity", "true");
    }
    return p;
  }

  /** The sender: the login when it is an address, else stack-back at the mail host. */
  String from() {
    return email
        .user()
        .filter(u -> u.contains("@"))
        .orElse("stack-back@" + email.host().orElseThrow());
  }
}
