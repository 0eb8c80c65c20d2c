package dev.stackback.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerClientsTest {

  @Test
  void dockerHost_defaultsToLocalSocket() {
    assertEquals(URI.create("unix:///var/run/docker.sock"), DockerClients.dockerHost(null));
    assertEquals(URI.create("unix:///var/run/docker.sock"), DockerClients.dockerHost(" "));
  }

  @Test
  void dockerHost_acceptsTcpProxy() {
    assertEquals(
        URI.create("tcp://docker-proxy:2375"), DockerClients.dockerHost("tcp://docker-proxy:2375"));
  }

  @Test
  void dockerHost_rejectsUnknownScheme_namingTheVariable() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DockerClients.dockerHost("ftp://x"));
    assertTrue(e.getMessage().startsWith("DOCKER_HOST"), e.getMessage());
  }

  @Test
  void tlsVerifyWithoutCertPath_isAClearError() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DockerClients.fromEnvironment(Map.of("DOCKER_TLS_VERIFY", "1")));
    assertTrue(e.getMessage().contains("DOCKER_CERT_PATH"), e.getMessage());
  }
}
