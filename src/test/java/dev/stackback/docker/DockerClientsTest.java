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
            () ->
                DockerClients.fromEnvironment(
                    Map.of("DOCKER_TLS_VERIFY", "1", "DOCKER_HOST", "tcp://127.0.0.1:2376")));
    assertTrue(e.getMessage().contains("DOCKER_CERT_PATH"), e.getMessage());
  }

  @Test
  void theTlsContextOfASocket_isNeverUsable_andSaysWhy() {
    javax.net.ssl.SSLContext unused = new UnusedTlsContext();
    IllegalStateException e = assertThrows(IllegalStateException.class, unused::getSocketFactory);
    assertTrue(e.getMessage().contains("DOCKER_TLS_VERIFY"), e.getMessage());
    assertThrows(IllegalStateException.class, unused::createSSLEngine);
  }

  @Test
  void unset_usesVarRunSocket_whenItExists() {
    assertEquals(
        URI.create("unix:///var/run/docker.sock"), DockerClients.resolveHost(null, p -> true));
  }

  @Test
  void unset_fallsBackToTmpSocket_thePythonToolsMount() {
    assertEquals(
        URI.create("unix:///tmp/docker.sock"),
        DockerClients.resolveHost(null, p -> p.equals("/tmp/docker.sock")));
  }

  @Test
  void unset_noSocketAtAll_namesBothPathsAndTheVariable() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> DockerClients.resolveHost("", p -> false));
    assertTrue(e.getMessage().contains("/var/run/docker.sock"), e.getMessage());
    assertTrue(e.getMessage().contains("/tmp/docker.sock"), e.getMessage());
    assertTrue(e.getMessage().contains("DOCKER_HOST is not set"), e.getMessage());
  }

  @Test
  void setToMissingSocket_namesThePathAndTheVariable_noFallback() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DockerClients.resolveHost(
                    "unix:///run/other.sock", p -> p.equals("/var/run/docker.sock")));
    assertTrue(e.getMessage().contains("/run/other.sock"), e.getMessage());
    assertTrue(e.getMessage().contains("DOCKER_HOST=unix:///run/other.sock"), e.getMessage());
  }

  @Test
  void pythonDefault_twoSlashes_meansTheAbsolutePath() {
    assertEquals(
        URI.create("unix:///tmp/docker.sock"), DockerClients.dockerHost("unix://tmp/docker.sock"));
    assertEquals(
        URI.create("unix:///tmp/docker.sock"),
        DockerClients.resolveHost("unix://tmp/docker.sock", p -> p.equals("/tmp/docker.sock")));
  }

  @Test
  void tcpHost_isNotProbed() {
    assertEquals(
        URI.create("tcp://proxy:2375"), DockerClients.resolveHost("tcp://proxy:2375", p -> false));
  }
}
