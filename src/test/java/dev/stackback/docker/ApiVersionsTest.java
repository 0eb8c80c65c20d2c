package dev.stackback.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.core.RemoteApiVersion;
import dev.stackback.port.ContainerRuntimeException;
import java.util.Map;
import java.util.Optional;
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
  void malformedDockerApiVersion_failsBuildingTheClient() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DockerClients.fromEnvironment(Map.of("DOCKER_API_VERSION", "1.x")));
    assertTrue(e.getMessage().contains("DOCKER_API_VERSION"), e.getMessage());
  }
}
