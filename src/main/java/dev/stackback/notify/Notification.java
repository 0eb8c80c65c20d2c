package dev.stackback.notify;

import java.util.Map;

/**
 * One message in the forms the channels need, built by {@link Messages}.
 *
 * @param subject e-mail subject
 * @param text the full plain text (e-mail body)
 * @param shortText a Markdown text within Discord's 2000-character limit
 * @param document the JSON document posted to {@code NOTIFY_URLS}
 */
public record Notification(
    String subject, String text, String shortText, Map<String, Object> document) {
  public Notification {
    document = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(document));
  }
}
