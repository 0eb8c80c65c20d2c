package dev.stackback.docker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny TCP-to-unix-socket forwarder on 127.0.0.1, standing in for a Docker socket proxy. It
 * remembers the request lines it forwarded ({@code GET /v1.44/containers/json HTTP/1.1}).
 */
final class TcpToUnixProxy implements AutoCloseable {

  private static final Pattern REQUEST_LINE =
      Pattern.compile("(?m)^(GET|POST|PUT|DELETE|HEAD) /\\S* HTTP/1\\.1");

  private final ServerSocketChannel server;
  private final Path socket;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  TcpToUnixProxy(Path socket) throws IOException {
    this.socket = socket;
    this.server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    Thread.ofVirtual().start(this::acceptLoop);
  }

  int port() throws IOException {
    return ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  int connections() {
    return connections.get();
  }

  /** The request lines seen so far, in order (a request line split across reads is missed). */
  List<String> requests() {
    return List.copyOf(requests);
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel client = server.accept();
        SocketChannel engine = SocketChannel.open(StandardProtocolFamily.UNIX);
        engine.connect(UnixDomainSocketAddress.of(socket));
        connections.incrementAndGet();
        Thread.ofVirtual().start(() -> pump(client, engine, requests));
        Thread.ofVirtual().start(() -> pump(engine, client, null));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void pump(SocketChannel from, SocketChannel to, List<String> requestLines) {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    try (from;
        to) {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        if (requestLines != null) {
          Matcher m =
              REQUEST_LINE.matcher(
                  new String(buffer.array(), 0, buffer.limit(), StandardCharsets.ISO_8859_1));
          while (m.find()) {
            requestLines.add(m.group());
          }
        }
        while (buffer.hasRemaining()) {
          to.write(buffer);
        }
        buffer.clear();
      }
    } catch (IOException e) {
      // one side closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
