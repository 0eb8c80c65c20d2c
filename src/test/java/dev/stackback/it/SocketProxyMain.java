package dev.stackback.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * A Docker socket proxy for ComposeExamplesIT (no tecnativa image offline) with the switches of
 * tecnativa/docker-socket-proxy: every request is checked on its own (keep-alive too), API sections
 * are allowed by environment variables ({@code CONTAINERS}, {@code EXEC}, {@code IMAGES}, {@code
 * VOLUMES}, ...; {@code PING}, {@code VERSION}, {@code EVENTS} default to 1), methods other than
 * GET/HEAD need {@code POST=1} ({@code DELETE} needs {@code DELETE=1}); anything else is answered
 * 403. Upgraded connections (exec attach) are piped through. It runs in a container made {@code
 * FROM stack-back:local} (which has a JRE) on port 2375, forwarding to {@code
 * /var/run/docker.sock}. Plain Java, java.base only.
 */
public final class SocketProxyMain {
  private static final Map<String, String> DEFAULTS =
      Map.of("PING", "1", "VERSION", "1", "EVENTS", "1");

  private SocketProxyMain() {}

  public static void main(String[] args) throws IOException {
    String socket = System.getenv().getOrDefault("SOCKET_PATH", "/var/run/docker.sock");
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress("0.0.0.0", 2375));
      System.err.println("socket proxy on :2375 -> " + socket);
      while (true) {
        Socket client = server.accept();
        Thread.ofVirtual().start(() -> serve(client, socket));
      }
    }
  }

  static boolean on(String name) {
    String v = System.getenv().getOrDefault(name, DEFAULTS.getOrDefault(name, "0"));
    return v.equals("1") || v.equalsIgnoreCase("true");
  }

  /** The switch guarding {@code path} ({@code /v1.41/containers/json} → CONTAINERS), or null. */
  static String section(String path) {
    String p = path.replaceFirst("^/v[0-9.]+/", "/");
    int q = p.indexOf('?');
    p = q < 0 ? p : p.substring(0, q);
    String first = p.length() > 1 ? p.substring(1).split("/", 2)[0] : "";
    return switch (first) {
      case "_ping" -> "PING";
      case "version" -> "VERSION";
      case "events" -> "EVENTS";
      case "containers",
          "exec",
          "images",
          "volumes",
          "networks",
          "services",
          "tasks",
          "nodes",
          "secrets",
          "configs",
          "plugins",
          "swarm",
          "system",
          "info",
          "build",
          "auth",
          "session",
          "distribution",
          "commit" ->
          first.toUpperCase(Locale.ROOT);
      default -> null;
    };
  }

  static boolean allowed(String method, String path) {
    String section = section(path);
    if (section == null || !on(section)) {
      return false;
    }
    return switch (method) {
      case "GET", "HEAD" -> true;
      case "DELETE" -> on("DELETE");
      default -> on("POST");
    };
  }

  private static void serve(Socket client, String socket) {
    SocketChannel upstream = null;
    try (client) {
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
        String method = requestLine[0];
        String path = requestLine.length > 1 ? requestLine[1] : "";
        if (!allowed(method, path)) {
          System.err.println("403 " + method + " " + path);
          byte[] body = "Forbidden by the socket proxy\n".getBytes(StandardCharsets.UTF_8);
          out.write(
              ("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: "
                      + body.length
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.write(body);
          out.flush();
          return;
        }
        System.err.println("ok  " + method + " " + path);
        if (upstream == null) {
          upstream = SocketChannel.open(StandardProtocolFamily.UNIX);
          upstream.connect(UnixDomainSocketAddress.of(socket));
          InputStream fromDocker = Channels.newInputStream(upstream);
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      fromDocker.transferTo(out);
                    } catch (IOException e) {
                      // the client or the engine closed the connection
                    } finally {
                      try {
                        client.close();
                      } catch (IOException ignored) {
                        // closing anyway
                      }
                    }
                  });
        }
        OutputStream toDocker = Channels.newOutputStream(upstream);
        toDocker.write(head.getBytes(StandardCharsets.ISO_8859_1));
        String lower = head.toLowerCase(Locale.ROOT);
        long length = header(lower, "content-length").map(Long::parseLong).orElse(0L);
        if (header(lower, "transfer-encoding").orElse("").contains("chunked")) {
          copyChunked(in, toDocker);
        } else {
          copy(in, toDocker, length);
        }
        toDocker.flush();
        if (header(lower, "upgrade").isPresent()) {
          in.transferTo(toDocker); // hijacked (exec attach): raw bytes from now on
          return;
        }
      }
    } catch (IOException e) {
      // connection gone
    } finally {
      if (upstream != null) {
        try {
          upstream.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
  }

  private static java.util.Optional<String> header(String lowerHead, String name) {
    for (String line : lowerHead.split("\r\n")) {
      if (line.startsWith(name + ":")) {
        return java.util.Optional.of(line.substring(name.length() + 1).trim());
      }
    }
    return java.util.Optional.empty();
  }

  /** The request line and headers through the blank line, or null at end of stream. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int c = in.read();
      if (c < 0) {
        return null;
      }
      b.write(c);
      state =
          (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
              ? state + 1
              : (c == '\r' ? 1 : 0);
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static String readLine(InputStream in, OutputStream copy) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      copy.write(c);
      if (c == '\n') {
        break;
      }
      b.write(c);
    }
    return b.toString(StandardCharsets.ISO_8859_1).trim();
  }

  private static void copyChunked(InputStream in, OutputStream out) throws IOException {
    while (true) {
      String size = readLine(in, out);
      long n = Long.parseLong(size.split(";")[0].trim(), 16);
      if (n == 0) {
        while (!readLine(in, out).isEmpty()) {
          // trailers
        }
        return;
      }
      copy(in, out, n);
      readLine(in, out); // CRLF after the chunk
    }
  }

  private static void copy(InputStream in, OutputStream out, long n) throws IOException {
    byte[] buf = new byte[8192];
    while (n > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, n));
      if (r < 0) {
        throw new IOException("request body ended early");
      }
      out.write(buf, 0, r);
      n -= r;
    }
  }
}
