package dev.stackback.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.RemoteApiVersion;
import com.sun.net.httpserver.HttpServer;
import dev.stackback.port.ContainerRuntimeException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ApiVersionsTest {
  private static final String HOST = "unix:///var/run/docker.sock";

  private static Optional<String> choose(String api, String min) {
    return ApiVersions.choose(api, min, HOST).map(RemoteApiVersion::getVersion);
  }

  @Test
  void engine20_10_getsItsOwnVersion() {
    assertEquals(Optional.of("1.41"), choose("1.41", "1.12"));
  }

  @Test
  void engine28_getsTheNewestDockerJavaKnows() {
    assertEquals(Optional.of("1.44"), choose("1.51", "1.24"));
  }

  @Test
  void engine29_refusingBelow1_44_gets1_44() {
    assertEquals(Optional.of("1.44"), choose("1.52", "1.44"));
  }

  @Test
  void engineExactlyAtOurNewest_getsIt() {
    assertEquals(Optional.of("1.44"), choose("1.44", "1.24"));
  }

  @Test
  void versionsCompareNumerically_notAsText() {
    // "1.9" < "1.41" numerically, though not as a string
    assertEquals(Optional.of("1.9"), choose("1.9", "1.1"));
    assertEquals(Optional.of("1.44"), choose("1.100", "1.24"));
  }

  @Test
  void engineWhoseOldestIsNewerThanOurNewest_isAClearError() {
    ContainerRuntimeException e =
        assertThrows(ContainerRuntimeException.class, () -> choose("1.60", "1.50"));
    assertTrue(e.getMessage().contains(HOST), e.getMessage());
    assertTrue(e.getMessage().contains("1.50 to 1.60"), e.getMessage());
    assertTrue(e.getMessage().contains("at most 1.44"), e.getMessage());
  }

  @Test
  void engineWithoutVersionOrMin_staysUnpinned_orIgnoresTheMin() {
    assertEquals(Optional.empty(), choose(null, null));
    assertEquals(Optional.empty(), choose("", "1.24"));
    assertEquals(Optional.of("1.41"), choose("1.41", null));
    assertEquals(Optional.of("1.41"), choose("1.41", "garbage"));
  }

  @Test
  void dockerApiVersionVariable_unsetOrBlank_isEmpty() {
    assertEquals(Optional.empty(), ApiVersions.fromVariable(null));
    assertEquals(Optional.empty(), ApiVersions.fromVariable("  "));
  }

  @Test
  void dockerApiVersionVariable_acceptsWithOrWithoutV() {
    assertEquals("1.43", ApiVersions.fromVariable("1.43").orElseThrow().getVersion());
    assertEquals("1.41", ApiVersions.fromVariable(" v1.41 ").orElseThrow().getVersion());
  }

  @Test
  void dockerApiVersionVariable_malformed_namesTheVariable() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ApiVersions.fromVariable("latest"));
    assertTrue(e.getMessage().startsWith("DOCKER_API_VERSION: 'latest'"), e.getMessage());
  }

  @Test
  void negotiation_overHttp_asksVersionOnce_thenSpeaksTheChosenVersion() throws Exception {
    List<String> seen = engine("{\"ApiVersion\":\"1.51\",\"MinAPIVersion\":\"1.24\"}", 200);
    assertEquals(
        List.of("/version", "/v1.44/containers/json", "/v1.44/containers/json"), seen, "" + seen);
  }

  @Test
  void versionRefused_byAProxy_staysUnversioned_andIsNotAskedAgain() throws Exception {
    List<String> seen = engine("{\"message\":\"forbidden\"}", 403);
    assertEquals(List.of("/version", "/containers/json", "/containers/json"), seen, "" + seen);
  }

  /**
   * Two container lists through a client on a tiny HTTP engine whose {@code /version} answers
   * {@code status}/{@code body}; returns the paths it was asked.
   */
  private static List<String> engine(String versionBody, int status) throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        x -> {
          String path = x.getRequestURI().getPath();
          seen.add(path);
          boolean version = path.equals("/version");
          byte[] body = (version ? versionBody : "[]").getBytes(StandardCharsets.UTF_8);
          x.getResponseHeaders().set("Content-Type", "application/json");
          x.sendResponseHeaders(version ? status : 200, body.length);
          try (OutputStream o = x.getResponseBody()) {
            o.write(body);
          }
        });
    server.start();
    try (DockerClient client =
        DockerClients.fromEnvironment(
            Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + server.getAddress().getPort()))) {
      assertEquals(List.of(), client.listContainersCmd().exec());
      assertEquals(List.of(), client.listContainersCmd().exec());
    } finally {
      server.stop(0);
    }
    return List.copyOf(seen);
  }

  @Test
  void malformedDockerApiVersion_failsBuildingTheClient() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DockerClients.fromEnvironment(Map.of("DOCKER_API_VERSION", "1.x")));
    assertTrue(e.getMessage().contains("DOCKER_API_VERSION"), e.getMessage());
  }
}
