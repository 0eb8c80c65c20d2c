package dev.stackback.notify;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP server on 127.0.0.1 standing for Discord and webhooks: records every request and
 * answers each path with its configured status (204 by default).
 */
public final class LocalHttp implements AutoCloseable {
  /** One request as received. */
  public record Request(String method, String path, String contentType, String auth, String body) {}

  private final HttpServer server;
  public final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> status = new ConcurrentHashMap<>();

  public LocalHttp() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/",
        ex -> {
          String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          String path = ex.getRequestURI().getRawPath();
          requests.add(
              new Request(
                  ex.getRequestMethod(),
                  path,
                  ex.getRequestHeaders().getFirst("Content-Type"),
                  ex.getRequestHeaders().getFirst("Authorization"),
                  body));
          int code = status.getOrDefault(path, 204);
          byte[] answer = code == 204 ? new byte[0] : "{\"message\":\"nope\"}".getBytes();
          ex.sendResponseHeaders(code, code == 204 ? -1 : answer.length);
          ex.getResponseBody().write(answer);
          ex.close();
        });
    server.start();
  }

  /** {@code http://127.0.0.1:<port><path>}. */
  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  public LocalHttp answer(String path, int code) {
    status.put(path, code);
    return this;
  }

  public List<Request> to(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  /** A port on 127.0.0.1 where nothing listens (bound, then closed). */
  public static int closedPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
