package dev.stackback.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.MountInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The inspect answer read as a JSON tree gives exactly what docker-java's model gave (the mapping
 * both roads share is {@link ContainerMapper}'s).
 */
class RawInspectTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper DOCKER_JAVA =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** An engine's answer, trimmed to what either road reads plus some it does not. */
  private static final String RUNNING =
      """
      {"Id":"8a1c","Created":"2026-12-03T07:20:00Z","Name":"/sbexp_svc1_1",
       "Image":"sha256:b0b0","RestartCount":0,
       "State":{"Status":"running","Running":true,"Paused":false,"Restarting":false,
                "OOMKilled":false,"Dead":false,"Pid":4242,"ExitCode":0,
                "StartedAt":"2026-12-03T07:20:01.5Z","FinishedAt":"0001-01-01T00:00:00Z"},
       "HostConfig":{"NetworkMode":"sbexp_default","Binds":["/srv/in:/in:ro"]},
       "Mounts":[
         {"Type":"volume","Name":"sbexp_data_svc1","Source":"/var/lib/docker/volumes/d/_data",
          "Destination":"/data","Driver":"local","Mode":"rw","RW":true,"Propagation":""},
         {"Type":"bind","Source":"/srv/in","Destination":"/in","Mode":"ro","RW":false,
          "Propagation":"rprivate"},
         {"Type":"tmpfs","Source":"","Destination":"/tmp","Mode":"","RW":true,"Propagation":""}],
       "Config":{"Hostname":"8a1c","Image":"busybox:latest",
                 "Env":["PATH=/bin","A=1=2","EMPTY=","A=last","NOEQUALS"],
                 "Labels":{"com.docker.compose.project":"sbexp","stack-back.volumes":"true"}},
       "NetworkSettings":{"Networks":{"sbexp_default":{"IPAddress":"172.18.0.3"}}}}
      """;

  private static final String EXITED =
      """
      {"Id":"9b2d","Name":"/gone","Image":"sha256:c1c1",
       "State":{"Status":"exited","Running":false,"Paused":false,"Restarting":false,"ExitCode":137},
       "Mounts":[],"Config":{"Image":"postgres:16","Env":null,"Labels":null}}
      """;

  private static ContainerInfo viaDockerJava(String json) throws Exception {
    return ContainerMapper.toInfo(DOCKER_JAVA.readValue(json, InspectContainerResponse.class));
  }

  /** {@link #RUNNING} without its tmpfs (see {@link #aTmpfs_isATmpfs_notABindMount}). */
  private static final String RUNNING_NO_TMPFS =
      RUNNING.replaceAll(",\\s*\\{\"Type\":\"tmpfs\"[^}]*}", "");

  @Test
  void aRunningContainer_mapsAsDockerJavasModelDid() throws Exception {
    assertEquals(
        viaDockerJava(RUNNING_NO_TMPFS), RawInspect.toInfo(JSON.readTree(RUNNING_NO_TMPFS)));
    ContainerInfo raw = RawInspect.toInfo(JSON.readTree(RUNNING));
    assertEquals("sbexp_svc1_1", raw.name());
    assertEquals(
        Map.of("PATH", "/bin", "A", "last", "EMPTY", "", "NOEQUALS", ""), raw.env(), "last wins");
    assertEquals(
        List.of(
            new MountInfo(
                MountInfo.Type.VOLUME,
                "sbexp_data_svc1",
                "/var/lib/docker/volumes/d/_data",
                "/data",
                false),
            new MountInfo(MountInfo.Type.BIND, null, "/srv/in", "/in", true),
            new MountInfo(MountInfo.Type.TMPFS, null, "", "/tmp", false)),
        raw.mounts());
  }

  @Test
  void aTmpfs_isATmpfs_notABindMount() throws Exception {
    // docker-java's model dropped the mount's Type here, and a tmpfs became a bind mount of ""
    assertEquals(
        MountInfo.Type.BIND,
        viaDockerJava(RUNNING).mounts().stream()
            .filter(m -> m.destination().equals("/tmp"))
            .findFirst()
            .orElseThrow()
            .type());
    assertEquals(
        MountInfo.Type.TMPFS,
        RawInspect.toInfo(JSON.readTree(RUNNING)).mounts().stream()
            .filter(m -> m.destination().equals("/tmp"))
            .findFirst()
            .orElseThrow()
            .type());
  }

  @Test
  void anExitedContainerWithoutEnvAndLabels_mapsAsDockerJavasModelDid() throws Exception {
    ContainerInfo raw = RawInspect.toInfo(JSON.readTree(EXITED));
    assertEquals(viaDockerJava(EXITED), raw);
    assertEquals(false, raw.running());
    assertEquals("exited", raw.state());
    assertEquals(Map.of(), raw.labels());
  }

  @Test
  void aPausedOrRestartingContainer_isNotRunning() throws Exception {
    for (String flag : List.of("Paused", "Restarting")) {
      String json = RUNNING_NO_TMPFS.replace("\"" + flag + "\":false", "\"" + flag + "\":true");
      ContainerInfo raw = RawInspect.toInfo(JSON.readTree(json));
      assertEquals(false, raw.running(), flag);
      assertEquals(viaDockerJava(json), raw, flag);
    }
  }
}
