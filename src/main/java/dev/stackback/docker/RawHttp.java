package dev.stackback.docker;

import dev.stackback.util.Uninterruptibly;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Plain JSON requests to the engine, for the calls docker-java's typed model would lose fields in
 * ({@link SwarmApi}): HTTP/1.1 over the unix socket ({@code Connection: close}, one request per
 * connection), or over plain {@code tcp://}. Every request is bounded by {@link #TIMEOUT}. TLS is
 * not supported here (the request fails saying so).
 */
final class RawHttp {
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** A response: status code and the whole body. */
  record Response(int status, byte[] body) {}

  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "stack-back-raw-http-timeout");
            t.setDaemon(true);
            return t;
          });

  private final URI host;
  private final boolean tls;

  RawHttp(URI host, boolean tls) {
    this.host = host;
    this.tls = tls;
  }

  /**
   * Sends one request; {@code body} (JSON) may be null. An interrupt of the calling thread does not
   * cut the request (as it does not cut docker-java's): a cancelled run still inspects and removes
   * its containers. A socket channel is closed by an interrupt in the middle of a read, so the
   * request runs on its own (platform) thread and is awaited; the interrupt is kept for the caller.
   * Not a virtual thread: starting their scheduler cost a short command ~0.2 s of wall time.
   */
  Response send(String method, String path, byte[] body) throws IOException {
    FutureTask<Response> task = new FutureTask<>(() -> sendNow(method, path, body));
    Thread.ofPlatform().daemon().name("stack-back-raw-http").start(task);
    try {
      return Uninterruptibly.get(task);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(e.getCause());
    }
  }

  private Response sendNow(String method, String path, byte[] body) throws IOException {
    if (tls) {
      throw new IOException(
          "the Swarm API over a TLS DOCKER_HOST is not supported; use the socket");
    }
    return switch (host.getScheme()) {
      case "unix" -> unix(method, path, body);
      case "tcp" -> tcp(method, path, body);
      default -> throw new IOException("the Swarm API needs a unix:// or tcp:// DOCKER_HOST");
    };
  }

  private Response tcp(String method, String path, byte[] body) throws IOException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + host.getAuthority() + path))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    try {
      HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      return new Response(r.statusCode(), r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private Response unix(String method, String path, byte[] body) throws IOException {
    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(host.getPath()))) {
      java.io.Closeable closer = channel; // the watchdog cuts a request that hangs
      ScheduledFuture<?> timeout =
          WATCHDOG.schedule(
              () -> {
                try {
                  closer.close();
                } catch (IOException e) {
                  // closing is all we can do
                }
              },
              TIMEOUT.toMillis(),
              TimeUnit.MILLISECONDS);
      try {
        byte[] payload = body == null ? new byte[0] : body;
        String head =
            method
                + " "
                + path
                + " HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n"
                + (body == null ? "" : "Content-Type: application/json\r\n")
                + "Content-Length: "
                + payload.length
                + "\r\n\r\n";
        var out = Channels.newOutputStream(channel);
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(payload);
        out.flush();
        return parse(Channels.newInputStream(channel).readAllBytes());
      } catch (IOException e) {
        if (timeout.isDone()) {
          throw new IOException("no answer within " + TIMEOUT.toSeconds() + "s", e);
        }
        throw e;
      } finally {
        timeout.cancel(false);
      }
    }
  }

  /** Parses a whole HTTP/1.1 response (Content-Length, chunked, or up to the end). */
  static Response parse(byte[] raw) throws IOException {
    int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
    if (end < 0) {
      throw new IOException("the engine's answer has no HTTP header");
    }
    String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
    String[] status = lines[0].split(" ", 3);
    if (status.length < 2 || !status[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP answer: " + lines[0]);
    }
    int code;
    try {
      code = Integer.parseInt(status[1]);
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP answer: " + lines[0], e);
    }
    Map<String, String> headers = new java.util.HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    int start = end + 4;
    if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
      return new Response(code, dechunk(raw, start));
    }
    int length = raw.length - start;
    if (headers.containsKey("content-length")) {
      length = Math.min(length, Integer.parseInt(headers.get("content-length")));
    }
    return new Response(code, java.util.Arrays.copyOfRange(raw, start, start + length));
  }

  private static byte[] dechunk(byte[] raw, int pos) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
    while (true) {
      int eol = indexOf(raw, crlf, pos);
      if (eol < 0) {
        throw new IOException("the engine's chunked answer is cut short");
      }
      String size = new String(raw, pos, eol - pos, StandardCharsets.US_ASCII);
      int semi = size.indexOf(';');
      int n;
      try {
        n = Integer.parseInt((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
      } catch (NumberFormatException e) {
        throw new IOException("the engine's chunked answer is malformed", e);
      }
      if (n == 0) {
        return out.toByteArray();
      }
      if (eol + 2 + n > raw.length) {
        throw new IOException("the engine's chunked answer is cut short");
      }
      out.write(raw, eol + 2, n);
      pos = eol + 2 + n + 2;
    }
  }

  private static int indexOf(byte[] data, byte[] needle, int from) {
    outer:
    for (int i = from; i <= data.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (data[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
