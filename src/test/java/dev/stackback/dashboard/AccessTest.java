package dev.stackback.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AccessTest {
  private final Access access = new Access(Optional.of("0123456789abcdef"));

  @Test
  void noToken_refusesEverything() {
    Access none = new Access(Optional.empty());
    assertFalse(none.actionsEnabled());
    assertTrue(none.refusal("anything", null, null, "h").contains("read-only"));
  }

  @Test
  void rightToken_sameOrigin_orNoBrowserHeaders_allowed() {
    assertNull(access.refusal("0123456789abcdef", null, null, "h:8080"));
    assertNull(access.refusal("0123456789abcdef\n", "http://h:8080", "same-origin", "h:8080"));
    assertNull(access.refusal("0123456789abcdef", "http://h", "none", "h:80"));
    // the browser's own Sec-Fetch-Site decides (a form under Referrer-Policy no-referrer)
    assertNull(access.refusal("0123456789abcdef", "null", "same-origin", "h:8080"));
  }

  @Test
  void wrongToken_otherOrigin_crossSite_refused() {
    assertEquals("wrong token", access.refusal("0123456789abcdeF", null, null, "h"));
    assertEquals("no token given", access.refusal(null, null, null, "h"));
    assertTrue(access.refusal("0123456789abcdef", "http://evil:8080", null, "h:8080") != null);
    assertTrue(access.refusal("0123456789abcdef", "null", null, "h:8080") != null);
    assertTrue(access.refusal("0123456789abcdef", null, "same-site", "h:8080") != null);
    assertTrue(access.refusal("0123456789abcdef", null, "cross-site", "h:8080") != null);
  }

  @Test
  void sameHost_defaultPorts() {
    assertTrue(Access.sameHost("http://a:80", "a"));
    assertTrue(Access.sameHost("https://a", "a:443"));
    assertFalse(Access.sameHost("https://a", "a:80"));
    assertFalse(Access.sameHost("http://a.evil", "a"));
    assertFalse(Access.sameHost("not a url", "a"));
  }
}
