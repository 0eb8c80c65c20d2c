package dev.stackback.util;

/**
 * JSON string literals for the small hand-written JSON of the daemon side (health body, pause
 * file), which stays free of Jackson.
 */
public final class JsonStrings {
  private JsonStrings() {}

  /** Appends {@code s} as a JSON string literal, quotes included. */
  public static void quote(StringBuilder b, String s) {
    b.append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
