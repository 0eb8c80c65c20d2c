package dev.stackback.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** POSTs JSON to a URL: Discord's webhook ({@code {"content": ...}}) or a generic webhook. */
final class HttpChannel implements Channel {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final String url;
  private final Function<Notification, Object> payload;
  private final Duration timeout;

  private HttpChannel(
      String name, String url, Function<Notification, Object> payload, Duration timeout) {
    this.name = name;
    this.url = url.trim();
    this.payload = payload;
    this.timeout = timeout;
  }

  /** Discord: the short text as {@code content}; mentions in output never ping anyone. */
  static HttpChannel discord(String url, Duration timeout) {
    return new HttpChannel(
        "discord",
        url,
        n -> {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("content", n.shortText());
          body.put("allowed_mentions", Map.of("parse", List.of()));
          return body;
        },
        timeout);
  }

  /** A {@code NOTIFY_URLS} entry: the notification's JSON document. */
  static HttpChannel webhook(int number, String url, Duration timeout) {
    return new HttpChannel(
        "webhook " + number + " (" + origin(url) + ")", url, Notification::document, timeout);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> secrets() {
    return secretsOf(url);
  }

  /** The parts of {@code url} that may be secret: all of it, its path, query and user-info. */
  static List<String> secretsOf(String url) {
    List<String> s = new ArrayList<>();
    s.add(url);
    try {
      URI u = new URI(url);
      if (u.getRawPath() != null && u.getRawPath().length() > 1) {
        s.add(u.getRawPath());
      }
      if (u.getRawQuery() != null) {
        s.add(u.getRawQuery());
      }
      if (u.getRawUserInfo() != null) {
        s.add(u.getRawUserInfo());
      }
    } catch (URISyntaxException e) {
      // the whole URL is already in the list
    }
    return s;
  }

  @Override
  public void send(Notification n) throws IOException, InterruptedException {
    post(url, "application/json", json(payload.apply(n)), timeout);
  }

  /**
   * POSTs {@code body} to {@code url} (user-info as basic authentication, no redirects), bounded by
   * {@code timeout}; an answer other than 2xx is an {@link IOException} quoting the answer's start.
   */
  static void post(String url, String contentType, String body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest request =
        authorized(URI.create(url))
            .timeout(timeout)
            .header("Content-Type", contentType)
            .header("User-Agent", "stack-back")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    try (HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build()) {
      HttpResponse<String> resp = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() / 100 != 2) {
        String answer = resp.body() == null ? "" : resp.body().strip();
        throw new IOException(
            "HTTP "
                + resp.statusCode()
                + (answer.isEmpty() ? "" : ": " + Messages.cap(answer.replace('\n', ' '), 200)));
      }
    }
  }

  /** A request to {@code uri}; its user-info, if any, as basic authentication. */
  static HttpRequest.Builder authorized(URI uri) {
    HttpRequest.Builder req = HttpRequest.newBuilder(withoutUserInfo(uri));
    if (uri.getRawUserInfo() != null) {
      // HttpClient ignores user-info in a URL; send it as basic authentication
      String userInfo = java.net.URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8);
      req.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
    }
    return req;
  }

  /** {@code scheme://host[:port]}: what a log line may show of a URL. */
  static String origin(String url) {
    try {
      URI u = new URI(url.trim());
      return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
    } catch (URISyntaxException e) {
      return "invalid URL";
    }
  }

  private static URI withoutUserInfo(URI u) {
    if (u.getRawUserInfo() == null) {
      return u;
    }
    String s = u.toString();
    int at = s.indexOf('@', s.indexOf("://") + 3);
    return URI.create(s.substring(0, s.indexOf("://") + 3) + s.substring(at + 1));
  }

  private static String json(Object body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }
}
