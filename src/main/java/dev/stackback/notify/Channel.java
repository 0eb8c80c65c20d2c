package dev.stackback.notify;

/** Where a notification goes: e-mail, Discord, a webhook. */
interface Channel {
  /** A name for logs and {@code alert}'s output; never contains a secret (no URL path, token). */
  String name();

  /** Sends, bounded by the channel's timeouts; throws when the message did not get through. */
  void send(Notification n) throws Exception;

  /** Secrets of this channel that must never show in a log line or in output. */
  java.util.List<String> secrets();
}
