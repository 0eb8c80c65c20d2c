package dev.stackback.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Parsing the engine's HTTP/1.1 answers for the Swarm API calls. */
class RawHttpTest {
  private static RawHttp.Response parse(String raw) throws IOException {
    return RawHttp.parse(raw.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static String body(RawHttp.Response r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void contentLength() throws IOException {
    RawHttp.Response r =
        parse("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]");
    assertEquals(200, r.status());
    assertEquals("[]", body(r));
  }

  @Test
  void chunked_isReassembled() throws IOException {
    RawHttp.Response r =
        parse(
            "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\n{\"mes\r\nb;ext=1\r\nsage\":\"no\"}\r\n0\r\n\r\n");
    assertEquals(404, r.status());
    assertEquals("{\"message\":\"no\"}", body(r));
  }

  @Test
  void untilTheEnd_withoutLength() throws IOException {
    assertEquals("{}", body(parse("HTTP/1.0 200 OK\r\n\r\n{}")));
  }

  @Test
  void cutShortOrNotHttp_isAnError() {
    assertThrows(IOException.class, () -> parse("HTTP/1.1 200 OK\r\nContent-"));
    assertThrows(IOException.class, () -> parse("SSH-2.0\r\n\r\n"));
    assertThrows(
        IOException.class,
        () -> parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort"));
    assertThrows(
        IOException.class,
        () -> parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n"));
  }
}
