package dev.stackback.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DockerClientConfig;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.MountInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerMapperTest {

  @Test
  void parseEnv_splitsAtFirstEquals_andKeepsBareNames() {
    assertEquals(
        Map.of("A", "1", "URL", "x=y=z", "EMPTY", "", "BARE", ""),
        ContainerMapper.parseEnv(new String[] {"A=1", "URL=x=y=z", "EMPTY=", "BARE"}));
  }

  @Test
  void parseEnv_laterDuplicateWins() {
    assertEquals(Map.of("A", "2"), ContainerMapper.parseEnv(new String[] {"A=1", "A=2"}));
  }

  /** A list-API entry as the engine sends it (docker-java parses the real JSON). */
  private static Container listed(String image, String labelsJson) throws Exception {
    String json =
        """
        {"Id":"abc123","Names":["/other/alias","/app-db-1"],"Image":"%s",
         "ImageID":"sha256:feed","State":"running","Status":"Up 2 minutes",
         "Labels":%s,
         "Mounts":[{"Type":"volume","Name":"app_data","Source":"/var/lib/docker/volumes/app_data/_data",
                    "Destination":"/var/lib/data","Driver":"local","Mode":"z","RW":true},
                   {"Type":"bind","Source":"/srv/conf","Destination":"/etc/app","Mode":"ro","RW":false}]}
        """
            .formatted(image, labelsJson);
    return DockerClientConfig.getDefaultObjectMapper().readValue(json, Container.class);
  }

  @Test
  void fromList_takesNameStateMountsAndImageFromTheListResponse() throws Exception {
    ContainerInfo c =
        ContainerMapper.fromList(listed("nginx:1.27", "{\"com.docker.compose.project\":\"app\"}"));
    assertEquals("abc123", c.id());
    assertEquals("app-db-1", c.name());
    assertEquals("nginx:1.27", c.image());
    assertEquals("sha256:feed", c.imageId());
    assertTrue(c.running());
    assertEquals("running", c.state());
    assertEquals(Map.of("com.docker.compose.project", "app"), c.labels());
    assertEquals(Map.of(), c.env());
    assertEquals(
        List.of(
            new MountInfo(MountInfo.Type.BIND, null, "/srv/conf", "/etc/app", true),
            new MountInfo(
                MountInfo.Type.VOLUME,
                "app_data",
                "/var/lib/docker/volumes/app_data/_data",
                "/var/lib/data",
                false)),
        c.mounts());
  }

  @Test
  void fromList_pausedIsNotRunning() throws Exception {
    Container paused =
        DockerClientConfig.getDefaultObjectMapper()
            .readValue(
                "{\"Id\":\"x\",\"Names\":[\"/p\"],\"Image\":\"busybox\",\"State\":\"paused\",\"Mounts\":[]}",
                Container.class);
    assertFalse(ContainerMapper.fromList(paused).running());
  }

  @Test
  void needsInspect_onlyForOurLabelsDatabaseImagesAndImagesWeCannotName() throws Exception {
    assertFalse(
        ContainerMapper.needsInspect(
            listed("nginx:1.27", "{\"com.docker.compose.project\":\"app\"}")));
    assertTrue(
        ContainerMapper.needsInspect(listed("nginx:1.27", "{\"stack-back.volumes\":\"true\"}")));
    assertTrue(
        ContainerMapper.needsInspect(
            listed("nginx:1.27", "{\"restic-compose-backup.volumes\":\"true\"}")));
    // AUTO_BACKUP_ALL may dump it: its env names the database
    assertTrue(ContainerMapper.needsInspect(listed("registry.local:5000/lib/postgres:16", "{}")));
    assertTrue(ContainerMapper.needsInspect(listed("mariadb:11", "{}")));
    // the tag moved to another image: the list gives the id, the image as created is in inspect
    assertTrue(ContainerMapper.needsInspect(listed("sha256:feed", "{}")));
    assertFalse(ContainerMapper.needsInspect(listed("prom/postgres-exporter:0.15", "{}")));
  }

  @Test
  void primaryName_isTheOneWithoutALinkPath() {
    assertEquals("/app-db-1", ContainerMapper.primaryName(new String[] {"/web/db", "/app-db-1"}));
    assertNull(ContainerMapper.primaryName(null));
  }
}
