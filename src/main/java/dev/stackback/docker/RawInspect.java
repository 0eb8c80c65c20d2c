package dev.stackback.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.MountInfo;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /containers/{id}/json} read as a JSON tree and mapped to {@link ContainerInfo}, the
 * same fields {@link ContainerMapper#toInfo} takes from docker-java's model. docker-java first
 * builds its deserializers for the whole inspect model by reflection (dozens of classes), the
 * largest part of a short command's start-up on a cold JVM; a tree costs a fraction of that.
 */
final class RawInspect {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RawHttp http;
  // the API version docker-java speaks with this engine (pinned or negotiated); empty: unversioned
  private final java.util.function.Supplier<Optional<String>> version;

  /**
   * @param version the API version to put in the path, as docker-java's calls do (asked per call:
   *     the first one may negotiate it)
   */
  RawInspect(RawHttp http, java.util.function.Supplier<Optional<String>> version) {
    this.http = http;
    this.version = version;
  }

  Optional<ContainerInfo> inspect(String idOrName) {
    return json(idOrName).map(RawInspect::toInfo);
  }

  /** The inspect answer as it is, or empty for a container that does not exist. */
  Optional<JsonNode> json(String idOrName) {
    String path =
        version.get().map(v -> "/v" + v).orElse("")
            + "/containers/"
            + URLEncoder.encode(idOrName, StandardCharsets.UTF_8)
            + "/json";
    RawHttp.Response r;
    try {
      r = http.send("GET", path, null);
    } catch (IOException e) {
      throw new ContainerRuntimeException(
          "cannot inspect container '" + idOrName + "': " + e.getMessage(), e);
    }
    if (r.status() == 404) {
      return Optional.empty();
    }
    JsonNode c;
    try {
      c = JSON.readTree(r.body());
    } catch (IOException e) {
      throw new ContainerRuntimeException(
          "cannot inspect container '" + idOrName + "': the engine's answer is no JSON", e);
    }
    if (r.status() / 100 != 2) {
      throw new ContainerRuntimeException(
          "cannot inspect container '"
              + idOrName
              + "': "
              + r.status()
              + " "
              + c.path("message").asText(""));
    }
    return Optional.of(c);
  }

  /** The inspect answer {@code c} as {@link ContainerMapper#toInfo} maps docker-java's model. */
  static ContainerInfo toInfo(JsonNode c) {
    JsonNode config = c.path("Config");
    JsonNode state = c.path("State");
    boolean running =
        state.path("Running").asBoolean(false)
            && !state.path("Paused").asBoolean(false)
            && !state.path("Restarting").asBoolean(false);
    return new ContainerInfo(
        c.path("Id").asText(),
        text(c, "Name"),
        text(config, "Image"),
        strings(config.path("Labels")),
        ContainerMapper.parseEnv(array(config.path("Env"))),
        mounts(c.path("Mounts")),
        running,
        text(state, "Status"),
        text(c, "Image"));
  }

  /** The text of field {@code field} of {@code n}, or null when it is missing or no text. */
  static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isTextual() ? v.asText() : null;
  }

  private static Map<String, String> strings(JsonNode n) {
    Map<String, String> out = new LinkedHashMap<>();
    n.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static String[] array(JsonNode n) {
    if (!n.isArray()) {
      return null;
    }
    String[] out = new String[n.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = n.get(i).asText();
    }
    return out;
  }

  private static List<MountInfo> mounts(JsonNode mounts) {
    List<MountInfo> out = new ArrayList<>();
    for (JsonNode m : mounts) {
      String destination = text(m, "Destination");
      if (destination == null) {
        continue;
      }
      out.add(
          ContainerMapper.mount(
              text(m, "Type"),
              text(m, "Name"),
              text(m, "Source"),
              destination,
              m.path("RW").isBoolean() ? m.path("RW").asBoolean() : null));
    }
    out.sort(Comparator.comparing(MountInfo::destination));
    return out;
  }
}
