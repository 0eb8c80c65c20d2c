package dev.stackback.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stackback.port.ContainerInfo;
import dev.stackback.port.MountInfo;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerEnvTest {
  private static ContainerInfo self(MountInfo... mounts) {
    return new ContainerInfo(
        "sb",
        "st_backup.1",
        "stack-back",
        Map.of(),
        Map.of(),
        List.of(mounts),
        true,
        "running",
        "");
  }

  private static final MountInfo SOCKET =
      new MountInfo(
          MountInfo.Type.BIND, null, "/var/run/docker.sock", "/var/run/docker.sock", false);
  private static final MountInfo SECRETS_BIND =
      new MountInfo(MountInfo.Type.BIND, null, "/srv/secrets", "/run/secrets", true);
  private static final MountInfo STATE =
      new MountInfo(MountInfo.Type.VOLUME, "st_state", "/var/lib/docker/v/_data", "/state", false);
  private static final MountInfo TMP = new MountInfo(MountInfo.Type.TMPFS, null, "", "/tmp", false);

  @Test
  void aPasswordFileNoWorkerSees_isPassedAsItsTrimmedValue_theRestUnchanged() {
    // a swarm secret: Docker lists no mount at /run/secrets
    Map<String, String> env =
        Map.of(
            "RESTIC_PASSWORD_FILE", "/run/secrets/restic_password",
            "RESTIC_REPOSITORY", "/backups",
            "AWS_ACCESS_KEY_ID", "k");

    Map<String, String> out =
        WorkerEnv.of(
            env,
            self(SOCKET, STATE, TMP),
            p -> {
              assertEquals(Path.of("/run/secrets/restic_password"), p);
              return "s3cret pass\n";
            });

    assertEquals(
        Map.of(
            "RESTIC_PASSWORD",
            "s3cret pass",
            "RESTIC_REPOSITORY",
            "/backups",
            "AWS_ACCESS_KEY_ID",
            "k"),
        out);
  }

  @Test
  void aPasswordFileOnAVolumeOrBindMount_staysAFile() {
    Map<String, String> env = Map.of("RESTIC_PASSWORD_FILE", "/run/secrets/../secrets/pw");
    assertSame(
        env,
        WorkerEnv.of(
            env,
            self(SECRETS_BIND),
            p -> {
              throw new AssertionError("read " + p);
            }));
    Map<String, String> onState = Map.of("RESTIC_PASSWORD_FILE", "/state/pw");
    assertSame(onState, WorkerEnv.of(onState, self(STATE), p -> "never"));
  }

  @Test
  void aFileOnTmpfsTheSocketOrAPrefixLookalike_isNotShared() {
    assertEquals(false, WorkerEnv.sharedWithWorkers(self(TMP), "/tmp/pw"));
    assertEquals(false, WorkerEnv.sharedWithWorkers(self(SOCKET), "/var/run/docker.sock"));
    assertEquals(false, WorkerEnv.sharedWithWorkers(self(STATE), "/statefile"));
  }

  @Test
  void withoutAPasswordFile_theEnvironmentIsUnchanged() {
    Map<String, String> env = Map.of("RESTIC_PASSWORD", "pw");
    assertSame(env, WorkerEnv.of(env, self(), p -> "never"));
  }

  @Test
  void anUnreadableFile_failsNamingIt(@TempDir Path dir) {
    Path missing = dir.resolve("gone");
    UncheckedIOException e =
        assertThrows(
            UncheckedIOException.class,
            () -> WorkerEnv.of(Map.of("RESTIC_PASSWORD_FILE", missing.toString()), self()));
    assertEquals(
        "cannot read RESTIC_PASSWORD_FILE " + missing + " for the worker container",
        e.getMessage());
  }

  @Test
  void theRealReader_readsTheFile(@TempDir Path dir) throws Exception {
    Path pw = dir.resolve("pw");
    Files.writeString(pw, "  from file \n");
    assertEquals(
        Map.of("RESTIC_PASSWORD", "from file"),
        WorkerEnv.of(Map.of("RESTIC_PASSWORD_FILE", pw.toString()), self()));
  }

  @Test
  void offline_onlyForARepositoryOnAPath_withoutAPasswordCommand() {
    assertEquals(true, WorkerEnv.offline(Map.of("RESTIC_REPOSITORY", "/repo")));
    assertEquals(true, WorkerEnv.offline(Map.of("RESTIC_REPOSITORY", " local:/srv/restic ")));
    for (Map<String, String> env :
        List.<Map<String, String>>of(
            Map.of("RESTIC_REPOSITORY", "s3:https://minio:9000/bucket"),
            Map.of("RESTIC_REPOSITORY", "rest:http://rest:8000/"),
            Map.of("RESTIC_REPOSITORY", "rclone:remote:repo"),
            Map.of("RESTIC_REPOSITORY", "repo"),
            Map.of("RESTIC_REPOSITORY", "/repo", "RESTIC_PASSWORD_COMMAND", "vault read pw"),
            Map.of("RESTIC_REPOSITORY_FILE", "/run/secrets/repo"),
            Map.of())) {
      assertEquals(false, WorkerEnv.offline(env), env.toString());
    }
  }
}
