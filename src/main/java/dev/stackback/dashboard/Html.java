package dev.stackback.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** HTML escaping and the page frame of the dashboard: one inline style sheet, no scripts. */
final class Html {
  private Html() {}

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  /** {@code s} safe in element text and in quoted attribute values; null is empty. */
  static String esc(Object o) {
    if (o == null) {
      return "";
    }
    String s = o.toString();
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          // control characters (but tab and newline) have no business in a page
          if (c < 0x20 && c != '\n' && c != '\t') {
            b.append('\uFFFD');
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /** A path segment for a URL we build (run ids, service names): percent-encoded UTF-8. */
  static String seg(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20");
  }

  static String time(Instant t) {
    return t == null ? "" : TIME.format(t);
  }

  /** 1h02m, 3m05s, 4.2s, 120ms. */
  static String duration(Duration d) {
    if (d == null) {
      return "";
    }
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(java.util.Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }

  static final String CSS =
      """
      *{box-sizing:border-box}
      body{margin:0;font:15px/1.45 system-ui,-apple-system,"DejaVu Sans",sans-serif;color:#1d2330;\
      background:#f4f6f9}
      header{background:#1f2a3c;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;\
      gap:.4rem 1.2rem;align-items:center}
      header b{font-size:1.1rem}header a{color:#cfe0ff;text-decoration:none}
      header a.on{color:#fff;border-bottom:2px solid #7fb0ff}
      main{max-width:1100px;margin:0 auto;padding:1rem}
      section{background:#fff;border:1px solid #dde3ec;border-radius:8px;padding:.8rem 1rem;\
      margin:0 0 1rem}
      h1{font-size:1.3rem;margin:.2rem 0 .8rem}h2{font-size:1.05rem;margin:.1rem 0 .6rem}
      table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .4rem;\
      border-bottom:1px solid #eef1f5;vertical-align:top}th{font-weight:600;color:#4a5568}
      .scroll{overflow-x:auto}code,pre{font:13px/1.4 ui-monospace,"DejaVu Sans Mono",monospace}
      pre{background:#0f1520;color:#e2e8f0;padding:.6rem;border-radius:6px;overflow-x:auto;\
      white-space:pre-wrap;word-break:break-all}
      .pill{display:inline-block;padding:0 .5rem;border-radius:999px;font-size:.85em;\
      background:#e2e8f0}
      .succeeded,.ok{background:#c6f6d5;color:#22543d}.failed,.timeout{background:#fed7d7;\
      color:#822727}.incomplete,.running,.paused{background:#fefcbf;color:#744210}\
      .skipped{background:#e2e8f0;color:#4a5568}
      .warn{color:#975a16}.muted{color:#718096}.msg{background:#ebf8ff;border-color:#90cdf4}
      .msg.bad{background:#fff5f5;border-color:#feb2b2}
      form.inline{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.3rem 0}
      input,button{font:inherit;padding:.35rem .6rem;border-radius:6px;border:1px solid #a0aec0}
      button{background:#2b6cb0;color:#fff;border-color:#2b6cb0;cursor:pointer}
      .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:.6rem}
      .kv b{display:block;font-size:.8rem;color:#718096;font-weight:600}
      svg{display:block;width:100%;height:auto}svg text{font:11px "DejaVu Sans",sans-serif}
      @media (max-width:600px){main{padding:.5rem}td,th{padding:.25rem}.hide-s{display:none}}
      """;

  /** The whole page: {@code title}, a nav with {@code active} marked, {@code body}. */
  static String page(String title, String active, String body) {
    StringBuilder b = new StringBuilder(body.length() + 4096);
    b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
        .append("<title>")
        .append(esc(title))
        .append(" · stack-back</title><style>")
        .append(CSS)
        .append("</style></head><body><header><b>stack-back</b>");
    nav(b, "/", "Overview", active);
    nav(b, "/runs", "Runs", active);
    nav(b, "/services", "Services", active);
    b.append("</header><main>").append(body).append("</main></body></html>");
    return b.toString();
  }

  private static void nav(StringBuilder b, String href, String text, String active) {
    b.append("<a href=\"")
        .append(href)
        .append('"')
        .append(href.equals(active) ? " class=\"on\"" : "")
        .append('>')
        .append(text)
        .append("</a>");
  }

  /** A state word as a coloured pill (the class is one of a fixed set, else none). */
  static String pill(String state) {
    String cls =
        state == null
            ? ""
            : switch (state) {
              case "succeeded",
                  "ok",
                  "failed",
                  "timeout",
                  "incomplete",
                  "running",
                  "skipped",
                  "paused" ->
                  " " + state;
              default -> "";
            };
    return "<span class=\"pill" + cls + "\">" + esc(state) + "</span>";
  }
}
