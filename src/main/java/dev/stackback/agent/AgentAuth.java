package dev.stackback.agent;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of every request between the coordinator and an agent: HMAC-SHA256 with the shared
 * {@code AGENT_TOKEN} over method, path, timestamp, nonce and the SHA-256 of the body. The agent
 * rejects a timestamp more than {@link #MAX_SKEW} away from its clock and a nonce it has seen
 * within twice that (a replay); signatures are compared in constant time.
 */
public final class AgentAuth {
  /** Header with the request's time (epoch seconds). */
  public static final String TIMESTAMP = "X-Stack-Back-Timestamp";

  /** Header with the request's nonce (random, 32 hex digits). */
  public static final String NONCE = "X-Stack-Back-Nonce";

  /** Header with the signature (hex HMAC-SHA256). */
  public static final String SIGNATURE = "X-Stack-Back-Signature";

  /** The largest difference between the request's time and the agent's clock. */
  public static final Duration MAX_SKEW = Duration.ofSeconds(60);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_NONCES = 100_000;

  private final byte[] key;
  private final Clock clock;
  // nonce -> when it expires from the replay window; oldest first; guarded by this
  private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

  public AgentAuth(String token, Clock clock) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("empty agent token");
    }
    this.key = token.getBytes(StandardCharsets.UTF_8);
    this.clock = clock;
  }

  /** The headers (name to value) that sign a request. */
  public Map<String, String> sign(String method, String path, byte[] body) {
    String timestamp = Long.toString(clock.instant().getEpochSecond());
    byte[] n = new byte[16];
    RANDOM.nextBytes(n);
    String nonce = HexFormat.of().formatHex(n);
    return Map.of(
        TIMESTAMP,
        timestamp,
        NONCE,
        nonce,
        SIGNATURE,
        HexFormat.of().formatHex(mac(method, path, timestamp, nonce, body)));
  }

  /**
   * Checks a request's signature; empty when it is genuine and new (its nonce is then remembered),
   * else why it is refused (never what the right signature would have been).
   */
  public Optional<String> verify(
      String method, String path, String timestamp, String nonce, String signature, byte[] body) {
    if (timestamp == null || nonce == null || signature == null) {
      return Optional.of("unsigned request");
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      return Optional.of("bad timestamp");
    }
    if (!nonce.matches("[0-9a-f]{16,64}")) {
      return Optional.of("bad nonce");
    }
    byte[] given;
    try {
      given = HexFormat.of().parseHex(signature);
    } catch (IllegalArgumentException e) {
      return Optional.of("bad signature");
    }
    byte[] expected = mac(method, path, timestamp, nonce, body);
    if (!MessageDigest.isEqual(expected, given)) {
      return Optional.of("bad signature");
    }
    Instant now = clock.instant();
    Instant sent = Instant.ofEpochSecond(seconds);
    if (Duration.between(sent, now).abs().compareTo(MAX_SKEW) > 0) {
      return Optional.of("timestamp too far from the agent's clock (more than 60 s)");
    }
    synchronized (this) {
      for (Iterator<Instant> i = seen.values().iterator(); i.hasNext(); ) {
        if (i.next().isBefore(now)) {
          i.remove();
        } else {
          break;
        }
      }
      if (seen.containsKey(nonce)) {
        return Optional.of("replayed request");
      }
      if (seen.size() >= MAX_NONCES) {
        return Optional.of("too many requests");
      }
      seen.put(nonce, now.plus(MAX_SKEW.multipliedBy(2)));
    }
    return Optional.empty();
  }

  /**
   * The MAC of frame {@code seq} (0, 1, ...) of a streamed request input ({@code /v1/exec/input}):
   * HMAC-SHA256 with the token over a fixed prefix, the signed request's nonce, the frame's number
   * and type, and its data. Bound to the request (whose own signature is checked and whose nonce is
   * never accepted twice) and to its place in the stream: a frame changed, dropped, reordered, or
   * taken from another request fails.
   */
  public byte[] inputMac(String nonce, long seq, byte type, byte[] data, int off, int len) {
    return frameMac("stack-back input", nonce, seq, type, data, off, len);
  }

  /**
   * The MAC of frame {@code seq} (0, 1, ...) of the agent's answer to the request with {@code
   * nonce}: as {@link #inputMac}, with another prefix (an input frame is no answer frame). The
   * coordinator checks every frame of an answer before it uses it: an answer forged or changed on
   * the way (the agents' port is reachable on the swarm's network), spliced from another answer,
   * reordered or cut short is refused, so no fake "snapshot done" reaches a run.
   */
  public byte[] answerMac(String nonce, long seq, byte type, byte[] data, int off, int len) {
    return frameMac("stack-back answer", nonce, seq, type, data, off, len);
  }

  private byte[] frameMac(
      String purpose, String nonce, long seq, byte type, byte[] data, int off, int len) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(
          (purpose + "\n" + nonce + "\n" + seq + "\n" + (char) type + "\n")
              .getBytes(StandardCharsets.US_ASCII));
      mac.update(data, off, len);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no HmacSHA256", e);
    }
  }

  /** The length of an {@link #inputMac} or {@link #answerMac}. */
  public static final int INPUT_MAC_LENGTH = 32;

  private byte[] mac(String method, String path, String timestamp, String nonce, byte[] body) {
    try {
      byte[] bodyHash =
          MessageDigest.getInstance("SHA-256").digest(body == null ? new byte[0] : body);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      String text =
          method
              + "\n"
              + path
              + "\n"
              + timestamp
              + "\n"
              + nonce
              + "\n"
              + HexFormat.of().formatHex(bodyHash);
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no HmacSHA256", e);
    }
  }
}
