package dev.stackback.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.SwarmLocks;
import dev.stackback.port.SwarmNode;
import dev.stackback.port.SwarmRuntime;
import dev.stackback.port.SwarmService;
import dev.stackback.port.SwarmTask;
import dev.stackback.port.SwarmUpdate;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link SwarmRuntime} and {@link SwarmLocks} through the engine's HTTP API as raw JSON. Raw on
 * purpose: a service update must send the whole spec back, and a typed model would silently drop
 * every field it does not know (then the task template changes and every task restarts, or a
 * setting is lost).
 */
final class SwarmApi implements SwarmRuntime, SwarmLocks {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RawHttp http;

  SwarmApi(RawHttp http) {
    this.http = http;
  }

  @Override
  public Optional<SwarmNode> localNode() {
    JsonNode swarm = get("/info").path("Swarm");
    String id = swarm.path("NodeID").asText("");
    if (!"active".equals(swarm.path("LocalNodeState").asText()) || id.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new SwarmNode(id, swarm.path("ControlAvailable").asBoolean(false)));
  }

  @Override
  public List<SwarmService> services() {
    List<SwarmService> out = new ArrayList<>();
    get("/services").forEach(s -> out.add(service(s)));
    return out;
  }

  @Override
  public Optional<SwarmService> service(String id) {
    return rawService(id).map(SwarmApi::service);
  }

  @Override
  public List<SwarmTask> runningTasks() {
    return tasks("{\"desired-state\":[\"running\"]}");
  }

  @Override
  public List<SwarmTask> tasksOf(String serviceId) {
    return tasks("{\"service\":[\"" + serviceId + "\"]}");
  }

  private List<SwarmTask> tasks(String filters) {
    List<SwarmTask> out = new ArrayList<>();
    get("/tasks?filters=" + URLEncoder.encode(filters, StandardCharsets.UTF_8))
        .forEach(t -> out.add(task(t)));
    return out;
  }

  private static SwarmTask task(JsonNode t) {
    return new SwarmTask(
        t.path("ID").asText(),
        t.path("ServiceID").asText(),
        t.path("NodeID").asText(""),
        t.path("DesiredState").asText(""),
        t.path("Status").path("State").asText(""),
        t.path("Status").path("ContainerStatus").path("ContainerID").asText(""));
  }

  @Override
  public Map<String, Map<String, String>> taskAddresses(String serviceId) {
    String filters = "{\"service\":[\"" + serviceId + "\"],\"desired-state\":[\"running\"]}";
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (JsonNode t : get("/tasks?filters=" + URLEncoder.encode(filters, StandardCharsets.UTF_8))) {
      String node = t.path("NodeID").asText("");
      if (node.isEmpty() || !"running".equals(t.path("Status").path("State").asText())) {
        continue;
      }
      Map<String, String> addresses = new LinkedHashMap<>();
      for (JsonNode a : t.path("NetworksAttachments")) {
        JsonNode network = a.path("Network");
        if (network.path("Spec").path("Ingress").asBoolean(false)
            || "ingress".equals(network.path("Spec").path("Name").asText())) {
          continue;
        }
        String address = a.path("Addresses").path(0).asText("");
        if (!address.isEmpty()) {
          addresses.put(network.path("ID").asText(), address.replaceFirst("/.*$", ""));
        }
      }
      out.putIfAbsent(node, addresses);
    }
    return out;
  }

  @Override
  public Map<String, String> nodeHostnames() {
    Map<String, String> out = new LinkedHashMap<>();
    get("/nodes")
        .forEach(
            n -> out.put(n.path("ID").asText(), n.path("Description").path("Hostname").asText()));
    return out;
  }

  @Override
  public void updateService(String id, long version, SwarmUpdate change) {
    JsonNode current =
        rawService(id).orElseThrow(() -> new ContainerRuntimeException("no service '" + id + "'"));
    ObjectNode spec = (ObjectNode) current.path("Spec").deepCopy();
    if (change.replicas().isPresent()) {
      JsonNode replicated = spec.path("Mode").path("Replicated");
      if (!replicated.isObject()) {
        throw new ContainerRuntimeException(
            "service '" + spec.path("Name").asText(id) + "' is not replicated: cannot scale it");
      }
      ((ObjectNode) replicated).put("Replicas", change.replicas().getAsLong());
    }
    ObjectNode labels = object(spec, "Labels");
    change.removeLabels().forEach(labels::remove);
    change.addLabels().forEach(labels::put);
    if (!change.addConstraints().isEmpty() || !change.removeConstraints().isEmpty()) {
      constrain(spec, change);
    }
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(spec);
    } catch (IOException e) {
      throw new ContainerRuntimeException("cannot write the spec of service '" + id + "'", e);
    }
    request(
        "POST",
        "/services/" + id + "/update?version=" + version,
        body,
        "update service '" + spec.path("Name").asText(id) + "'");
  }

  /** Removes and appends placement constraints; the others keep their order. */
  private static void constrain(ObjectNode spec, SwarmUpdate change) {
    ObjectNode placement = object(object(spec, "TaskTemplate"), "Placement");
    List<String> constraints = new ArrayList<>();
    placement.path("Constraints").forEach(c -> constraints.add(c.asText()));
    constraints.removeAll(change.removeConstraints());
    change.addConstraints().stream()
        .filter(c -> !constraints.contains(c))
        .forEach(constraints::add);
    ArrayNode out = placement.putArray("Constraints");
    constraints.forEach(out::add);
  }

  /** The object at {@code field} of {@code parent}, created when missing. */
  private static ObjectNode object(ObjectNode parent, String field) {
    return parent.path(field).isObject()
        ? (ObjectNode) parent.path(field)
        : parent.putObject(field);
  }

  @Override
  public Optional<String> createConfig(String name, Map<String, String> labels, byte[] data) {
    ObjectNode spec = JSON.createObjectNode();
    spec.put("Name", name);
    ObjectNode l = spec.putObject("Labels");
    labels.forEach(l::put);
    spec.put("Data", Base64.getEncoder().encodeToString(data));
    byte[] answer;
    try {
      answer =
          request(
              "POST",
              "/configs/create",
              JSON.writeValueAsBytes(spec),
              "create swarm config '" + name + "'");
    } catch (Conflict e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new ContainerRuntimeException("cannot write swarm config '" + name + "'", e);
    }
    try {
      return Optional.of(JSON.readTree(answer).path("ID").asText());
    } catch (IOException e) {
      throw new ContainerRuntimeException("create swarm config '" + name + "': no JSON", e);
    }
  }

  @Override
  public Optional<SwarmConfig> config(String name) {
    String filters = "{\"name\":[\"" + name + "\"]}";
    for (JsonNode c :
        get("/configs?filters=" + URLEncoder.encode(filters, StandardCharsets.UTF_8))) {
      // the name filter also matches longer names: only the exact one counts
      if (name.equals(c.path("Spec").path("Name").asText())) {
        return Optional.of(
            new SwarmConfig(c.path("ID").asText(), name, strings(c.path("Spec").path("Labels"))));
      }
    }
    return Optional.empty();
  }

  @Override
  public void removeConfig(String id) {
    try {
      request("DELETE", "/configs/" + id, null, "remove swarm config " + id);
    } catch (NotFound e) {
      // already gone
    }
  }

  @Override
  public Optional<SwarmTask> task(String id) {
    try {
      return Optional.of(task(get("/tasks/" + id)));
    } catch (NotFound e) {
      return Optional.empty();
    }
  }

  @Override
  public List<SwarmNodeStatus> nodes() {
    List<SwarmNodeStatus> out = new ArrayList<>();
    get("/nodes")
        .forEach(
            n ->
                out.add(
                    new SwarmNodeStatus(
                        n.path("ID").asText(),
                        n.path("Description").path("Hostname").asText(),
                        n.path("Status").path("State").asText(""),
                        "manager".equals(n.path("Spec").path("Role").asText()),
                        n.path("ManagerStatus").path("Leader").asBoolean(false))));
    return out;
  }

  private Optional<JsonNode> rawService(String id) {
    try {
      return Optional.of(get("/services/" + id));
    } catch (NotFound e) {
      return Optional.empty();
    }
  }

  private static SwarmService service(JsonNode s) {
    JsonNode spec = s.path("Spec");
    JsonNode template = spec.path("TaskTemplate");
    JsonNode container = template.path("ContainerSpec");
    List<String> constraints = new ArrayList<>();
    template.path("Placement").path("Constraints").forEach(c -> constraints.add(c.asText()));
    List<String> volumes = new ArrayList<>();
    List<String> binds = new ArrayList<>();
    container
        .path("Mounts")
        .forEach(
            m -> {
              String type = m.path("Type").asText("volume");
              if ("volume".equals(type)) {
                volumes.add(m.path("Source").asText(""));
              } else if ("bind".equals(type)) {
                binds.add(m.path("Source").asText(""));
              }
            });
    return new SwarmService(
        s.path("ID").asText(),
        spec.path("Name").asText(),
        s.path("Version").path("Index").asLong(),
        spec.path("Mode").has("Global"),
        spec.path("Mode").path("Replicated").path("Replicas").asLong(0),
        strings(spec.path("Labels")),
        strings(container.path("Labels")),
        constraints,
        volumes,
        digest(spec),
        container.path("Image").asText(""),
        binds);
  }

  /** SHA-256 of the spec as the manager reported it (the engine writes its fields in one order). */
  private static String digest(JsonNode spec) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsBytes(spec)));
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot digest a service spec", e);
    }
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> out = new LinkedHashMap<>();
    object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /** 404 of a GET. */
  private static final class NotFound extends ContainerRuntimeException {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }

  /** 409 of a create: the name is taken. */
  private static final class Conflict extends ContainerRuntimeException {
    private static final long serialVersionUID = 1L;

    Conflict(String message) {
      super(message);
    }
  }

  private JsonNode get(String path) {
    byte[] body = request("GET", path, null, "GET " + path);
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new ContainerRuntimeException("GET " + path + ": the engine's answer is no JSON", e);
    }
  }

  private byte[] request(String method, String path, byte[] body, String what) {
    RawHttp.Response r;
    try {
      r = http.send(method, path, body);
    } catch (IOException e) {
      throw new ContainerRuntimeException("cannot " + what + ": " + e.getMessage(), e);
    }
    if (r.status() == 404) {
      throw new NotFound("cannot " + what + ": " + message(r.body()));
    }
    if (r.status() == 409) {
      throw new Conflict("cannot " + what + ": " + message(r.body()));
    }
    if (r.status() / 100 != 2) {
      throw new ContainerRuntimeException(
          "cannot " + what + ": " + r.status() + " " + message(r.body()));
    }
    return r.body();
  }

  private static String message(byte[] answer) {
    try {
      return JSON.readTree(answer)
          .path("message")
          .asText(new String(answer, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new String(answer, StandardCharsets.UTF_8).strip();
    }
  }
}
