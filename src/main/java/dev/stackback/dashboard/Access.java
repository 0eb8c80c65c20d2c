package dev.stackback.dashboard;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may use the dashboard's actions: nobody without a {@code DASHBOARD_TOKEN}; with one, a POST
 * whose token (form field {@code token}, or header {@code Authorization: Bearer ...}) equals it,
 * compared in constant time, and that no other site sent: a {@code Sec-Fetch-Site} other than
 * {@code same-origin} or {@code none} is refused, and without that header (older browsers, curl) an
 * {@code Origin} other than the {@code Host} asked for (CSRF). No cookie is set.
 */
final class Access {
  private final byte[] tokenHash;

  /** {@code token}: the configured token, or empty for a read-only dashboard. */
  Access(Optional<String> token) {
    this.tokenHash = token.map(Access::sha256).orElse(null);
  }

  /** Whether actions exist at all (a token is configured). */
  boolean actionsEnabled() {
    return tokenHash != null;
  }

  /** Why a POST is refused, or null when it may act. */
  String refusal(String presented, String origin, String secFetchSite, String host) {
    if (tokenHash == null) {
      return "the dashboard is read-only: no DASHBOARD_TOKEN is set";
    }
    if (secFetchSite != null) {
      // set by the browser itself (no page can forge it): it decides where it is sent
      String s = secFetchSite.trim().toLowerCase(Locale.ROOT);
      if (!s.equals("same-origin") && !s.equals("none")) {
        return "refused a request from another site (Sec-Fetch-Site: " + s + ")";
      }
    } else if (origin != null && !sameHost(origin, host)) {
      // older browsers: the Origin must be us ("null" from a sandbox or file is not)
      return "refused a request from another origin";
    }
    if (presented == null || presented.isEmpty()) {
      return "no token given";
    }
    // digests of both: equal length, so isEqual's time does not depend on where they differ
    if (!MessageDigest.isEqual(tokenHash, sha256(presented.trim()))) {
      return "wrong token";
    }
    return null;
  }

  /** Whether {@code origin} (scheme://host[:port]) names {@code host} (the Host header). */
  static boolean sameHost(String origin, String host) {
    if (host == null || "null".equals(origin.trim())) {
      return false;
    }
    try {
      URI u = URI.create(origin.trim());
      if (u.getHost() == null) {
        return false;
      }
      String authority = u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
      String h = host.trim().toLowerCase(Locale.ROOT);
      String a = authority.toLowerCase(Locale.ROOT);
      // a default port may be left out of either
      return h.equals(a)
          || h.equals(a + ":80") && "http".equals(u.getScheme())
          || h.equals(a + ":443") && "https".equals(u.getScheme())
          || a.equals(h + ":80") && "http".equals(u.getScheme())
          || a.equals(h + ":443") && "https".equals(u.getScheme());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }
}
