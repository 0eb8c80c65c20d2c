package dev.stackback.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The coordinator believes only answers signed for its request: a fake agent on a raw socket
 * answers an exec with frames signed one way or another. Signed right, the result is taken (so the
 * fake speaks the protocol); unsigned, signed with another token, for another request (a replayed
 * answer), reordered, or with a changed byte, the call fails and none of the frame's content is
 * used.
 */
class AgentAnswerTest {
  private static final String TOKEN = "test-token-0123456789";
  private static final byte[] OK =
      "{\"exitCode\":0,\"timedOut\":false,\"duration\":1.0,\"tail\":[]}"
          .getBytes(StandardCharsets.US_ASCII);

  /** One frame as the fake sends it: type, payload, and the nonce and number it signs them for. */
  private record Sent(byte type, byte[] payload) {}

  /**
   * Runs one exec against a fake agent whose answer is {@code frames}, each signed by {@code sign}
   * (request nonce, frame number, frame) into the bytes that follow the payload.
   */
  private static ExecResult exec(List<Sent> frames, Signer sign, List<String> lines)
      throws IOException {
    try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread agent =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (Socket s = fake.accept()) {
                      String nonce = readRequest(s.getInputStream());
                      ByteArrayOutputStream body = new ByteArrayOutputStream();
                      for (int i = 0; i < frames.size(); i++) {
                        Sent f = frames.get(i);
                        byte[] mac = sign.apply(nonce, i, f);
                        byte[] p = new byte[f.payload().length + mac.length];
                        System.arraycopy(f.payload(), 0, p, 0, f.payload().length);
                        System.arraycopy(mac, 0, p, f.payload().length, mac.length);
                        Frames.write(body, f.type(), p, 0, p.length);
                      }
                      OutputStream out = s.getOutputStream();
                      out.write(
                          ("HTTP/1.1 200 OK\r\nContent-Length: " + body.size() + "\r\n\r\n")
                              .getBytes(StandardCharsets.US_ASCII));
                      body.writeTo(out);
                      out.flush();
                    } catch (IOException e) {
                      // the client closed it
                    }
                  });
      try {
        AgentClient c =
            new AgentClient(
                "node2",
                new InetSocketAddress("127.0.0.1", fake.getLocalPort()),
                new AgentAuth(TOKEN, Clock.systemUTC()),
                Duration.ofSeconds(5));
        return c.exec(
            ExecRequest.shell("app1", "true", null, Duration.ofSeconds(5)),
            (stream, line) -> lines.add(stream + " " + line));
      } finally {
        agent.interrupt();
      }
    }
  }

  @FunctionalInterface
  private interface Signer {
    byte[] apply(String nonce, int seq, Sent frame);
  }

  /** Reads an HTTP request (head and Content-Length body); returns its nonce header. */
  private static String readRequest(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("request ended in its head");
      }
      head.append((char) b);
    }
    String nonce = null;
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith(AgentAuth.NONCE.toLowerCase(Locale.ROOT) + ":")) {
        nonce = line.substring(line.indexOf(':') + 1).strip();
      } else if (lower.startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
      }
    }
    in.readNBytes(length);
    return nonce;
  }

  private static final AgentAuth RIGHT = new AgentAuth(TOKEN, Clock.systemUTC());

  private static byte[] right(String nonce, int seq, Sent f) {
    return RIGHT.answerMac(nonce, seq, f.type(), f.payload(), 0, f.payload().length);
  }

  private static List<Sent> lineThenResult() {
    return List.of(
        new Sent(Frames.STDOUT_LINE, "snapshot 1234abcd saved".getBytes(StandardCharsets.UTF_8)),
        new Sent(Frames.RESULT, OK));
  }

  @Test
  void anAnswerSignedForThisRequest_isTaken() throws IOException {
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    ExecResult r = exec(lineThenResult(), AgentAnswerTest::right, lines);
    assertEquals(0, r.exitCode());
    assertEquals(List.of("STDOUT snapshot 1234abcd saved"), lines);
  }

  private static void refused(Signer sign) throws IOException {
    refused(lineThenResult(), sign);
  }

  private static void refused(List<Sent> frames, Signer sign) throws IOException {
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    ContainerRuntimeException e =
        assertThrows(ContainerRuntimeException.class, () -> exec(frames, sign, lines));
    assertTrue(e.getMessage().contains("on node node2"), e.getMessage());
    assertTrue(e.getMessage().contains("not signed for this request (frame 0)"), e.getMessage());
    assertEquals(List.of(), lines, "nothing of a refused frame is used");
  }

  @Test
  void anUnsignedAnswer_isRefused() throws IOException {
    // an agent of the old protocol: no MAC at all (the fake appends nothing)
    refused((nonce, seq, f) -> new byte[0]);
  }

  @Test
  void anAnswerSignedWithAnotherToken_isRefused() throws IOException {
    AgentAuth other = new AgentAuth("another-token-9876543210", Clock.systemUTC());
    refused(
        (nonce, seq, f) ->
            other.answerMac(nonce, seq, f.type(), f.payload(), 0, f.payload().length));
  }

  @Test
  void anAnswerToAnotherRequest_isRefused() throws IOException {
    // replayed: signed right, but for another request's nonce
    refused((nonce, seq, f) -> right("0123456789abcdef0123456789abcdef", seq, f));
  }

  @Test
  void aChangedFrame_isRefused() throws IOException {
    // a man in the middle turns a failed command into a success: the MAC was for the original
    byte[] failed =
        "{\"exitCode\":1,\"timedOut\":false,\"duration\":1.0,\"tail\":[]}"
            .getBytes(StandardCharsets.US_ASCII);
    refused(
        List.of(new Sent(Frames.RESULT, OK)),
        (nonce, seq, f) -> right(nonce, seq, new Sent(f.type(), failed)));
  }

  @Test
  void aFrameInAnotherPlace_isRefused() throws IOException {
    // the same frames, numbered as if a heartbeat had come first (one dropped or reordered)
    refused((nonce, seq, f) -> right(nonce, seq + 1, f));
  }

  @Test
  void anInputMacIsNoAnswerMac() {
    byte[] d = OK;
    byte[] input =
        RIGHT.inputMac("00112233445566778899aabbccddeeff", 0, Frames.RESULT, d, 0, d.length);
    byte[] answer =
        RIGHT.answerMac("00112233445566778899aabbccddeeff", 0, Frames.RESULT, d, 0, d.length);
    assertFalse(java.util.Arrays.equals(input, answer));
  }
}
