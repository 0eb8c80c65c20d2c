package dev.stackback.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parsing the engine's HTTP/1.1 answers for the Swarm API calls; requests that survive interrupts.
 */
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

  @Test
  void anInterruptDuringTheRequest_doesNotCutIt_andIsKeptForTheCaller(@TempDir Path dir)
      throws Exception {
    Path socket = dir.resolve("engine.sock");
    try (ServerSocketChannel engine = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      engine.bind(UnixDomainSocketAddress.of(socket));
      Thread slowEngine =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try (SocketChannel c = engine.accept()) {
                      c.read(ByteBuffer.allocate(4096));
                      Thread.sleep(400); // the caller is interrupted meanwhile
                      c.write(
                          ByteBuffer.wrap(
                              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
                                  .getBytes(StandardCharsets.US_ASCII)));
                    } catch (IOException | InterruptedException e) {
                      throw new IllegalStateException(e);
                    }
                  });
      Thread caller = Thread.currentThread();
      Thread interrupter =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      Thread.sleep(150);
                    } catch (InterruptedException e) {
                      return;
                    }
                    caller.interrupt(); // e.g. SIGTERM cancels a run that is removing a container
                  });
      RawHttp http = new RawHttp(URI.create("unix://" + socket), false);
      try {
        RawHttp.Response r = http.send("GET", "/containers/x/json", null);
        assertEquals(200, r.status());
        assertEquals("{}", body(r));
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept");
      } finally {
        Thread.interrupted();
        interrupter.join();
        slowEngine.join();
      }
    }
  }
}
