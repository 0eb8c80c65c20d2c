package dev.stackback.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HtmlTest {
  @Test
  void esc_escapesMarkupQuotesAndControlCharacters() {
    assertEquals(
        "&lt;a href=&quot;x&quot; b=&#39;y&#39;&gt;&amp;", Html.esc("<a href=\"x\" b='y'>&"));
    assertEquals("a\uFFFDb\nc", Html.esc("a\u0000b\nc"));
    assertEquals("", Html.esc(null));
  }

  @Test
  void seg_encodesPathSegments() {
    assertEquals("a%20b%2F..%3F", Html.seg("a b/..?"));
  }

  @Test
  void pill_classIsFromAFixedSet() {
    assertTrue(Html.pill("failed").contains("class=\"pill failed\""));
    String odd = Html.pill("x\" onmouseover=\"y");
    assertTrue(odd.startsWith("<span class=\"pill\">"), odd);
    assertFalse(odd.contains("\" onmouseover"), odd);
  }

  @Test
  void whole_numbersFromJsonWithoutPointZero() {
    assertEquals("2", Pages.whole(2.0));
    assertEquals("2.5", Pages.whole(2.5));
    assertEquals("x", Pages.whole("x"));
  }

  @Test
  void duration_readable() {
    assertEquals("120ms", Html.duration(Duration.ofMillis(120)));
    assertEquals("4.2s", Html.duration(Duration.ofMillis(4200)));
    assertEquals("3m05s", Html.duration(Duration.ofSeconds(185)));
    assertEquals("1h02m", Html.duration(Duration.ofMinutes(62)));
  }

  @Test
  void page_hasViewportAndNoExternalResources() {
    String p = Html.page("t<", "/", "<p>x</p>");
    assertTrue(p.contains("name=\"viewport\""));
    assertTrue(p.contains("<title>t&lt; · stack-back</title>"));
    assertFalse(p.contains("http://") || p.contains("https://") || p.contains("<script"), p);
  }
}
