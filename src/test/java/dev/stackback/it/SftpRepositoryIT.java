package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An SFTP repository the way users run it: a compose project with an OpenSSH server built from
 * Debian's packages ({@code stack-back-test/sshd:bookworm}, scripts/build-sshd-test-image.sh), an
 * app and the sidecar image, whose {@code /root/.ssh} is a bind mount holding the client key and a
 * {@code known_hosts} line for the server's (pre-made) host key. The worker containers get the
 * sidecar's mounts (so the same key) and join its compose network (so the name {@code sftp}
 * resolves). Needs {@code ssh} in the sidecar image (scripts/build-image.sh adds openssh-client).
 */
class SftpRepositoryIT {
  static final String SSHD_IMAGE = "stack-back-test/sshd:bookworm";

  @TempDir Path dir;

  @Test
  void sidecar_backupRestoreCheck_throughSftp_thenServerStopped_cannotReach() throws Exception {
    SidecarImageIT.requireImage(SSHD_IMAGE, "run scripts/build-test-images.sh");
    try (SidecarProject p = new SidecarProject("sbsftp")) {
      assertEquals(
          0,
          SidecarProject.docker(
                  Duration.ofSeconds(30),
                  "run",
                  "--rm",
                  "--entrypoint",
                  "sh",
                  SidecarProject.IMAGE,
                  "-c",
                  "command -v ssh")
              .exit(),
          SidecarProject.IMAGE + " has no ssh (scripts/build-image.sh must add openssh-client)");
      Path ssh = keys();
      Path compose = dir.resolve("docker-compose.yml");
      Files.writeString(compose, compose(ssh));
      long start = System.nanoTime();
      p.composeUp(Map.of(), compose);
      String backup = p.service("backup");
      String app = p.service("app");
      assertTrue(
          SidecarProject.poll(
              Duration.ofSeconds(30),
              () -> SidecarProject.exec(app, "test", "-f", "/data/sub/big.bin").exit() == 0));

      ComposeExamplesIT.awaitDaemon(backup);
      SidecarProject.Result run = SidecarProject.exec(backup, "stack-back", "backup");
      assertEquals(0, run.exit(), run::toString);
      SidecarProject.Result restore =
          SidecarProject.exec(
              backup, "stack-back", "restore", "--service", "app", "--target", "/tmp/restored");
      assertEquals(0, restore.exit(), restore::toString);
      String sums = "cd %s && sha256sum a.txt sub/big.bin";
      assertEquals(
          SidecarProject.ok(SidecarProject.exec(app, "sh", "-c", sums.formatted("/data"))).out(),
          SidecarProject.ok(
                  SidecarProject.exec(
                      backup, "sh", "-c", sums.formatted("/tmp/restored/volumes/app/data")))
              .out());
      SidecarProject.Result check = SidecarProject.exec(backup, "stack-back", "check");
      assertEquals(0, check.exit(), check::toString);
      System.out.printf(
          "[%s] sftp backup, restore, check in %d ms%n",
          p.name, (System.nanoTime() - start) / 1_000_000);

      SidecarProject.ok(SidecarProject.docker(Duration.ofSeconds(30), "stop", p.service("sftp")));
      for (String command : List.of("backup", "check", "snapshots")) {
        SidecarProject.Result r = SidecarProject.exec(backup, "stack-back", command);
        assertEquals(1, r.exit(), r::toString);
        // ssh's own complaint when it printed one ("ssh: Could not resolve hostname sftp..."),
        // else restic's "unable to start the sftp session ..."; never restic's raw JSON
        String said = r.out() + r.err();
        assertTrue(said.contains("cannot reach sftp:root@sftp:/srv/repo: "), r::toString);
        assertTrue(
            (said.contains("ssh: ") || said.contains("unable to start the sftp session"))
                && !said.contains("message_type"),
            r::toString);
      }
    }
  }

  /** A client key, a host key and the files each side mounts; returns the client's .ssh. */
  private Path keys() throws IOException, InterruptedException {
    Path client = Files.createDirectories(dir.resolve("client-ssh"));
    Path server = Files.createDirectories(dir.resolve("server-ssh"));
    keygen(client.resolve("id_ed25519"));
    keygen(server.resolve("ssh_host_ed25519_key"));
    Files.copy(client.resolve("id_ed25519.pub"), server.resolve("authorized_keys"));
    Files.writeString(
        client.resolve("known_hosts"),
        "sftp " + Files.readString(server.resolve("ssh_host_ed25519_key.pub")));
    for (Path f : List.of(client, server)) {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
    }
    return client;
  }

  private static void keygen(Path file) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", file.toString())
            .redirectErrorStream(true)
            .start();
    assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
  }

  private String compose(Path clientSsh) {
    Path server = dir.resolve("server-ssh");
    return """
        version: "2.4"
        services:
          sftp:
            image: %1$s
            volumes:
              - %2$s/ssh_host_ed25519_key:/etc/ssh/ssh_host_ed25519_key:ro
              - %2$s/authorized_keys:/root/.ssh/authorized_keys:ro
            command: ["sh", "-c", "mkdir -p /srv/repo && ssh-keygen -A && exec /usr/sbin/sshd -D -e"]
          app:
            image: %3$s
            volumes: [data:/data]
            labels:
              stack-back.volumes: "true"
              stack-back.volumes.stop-during-backup: "true"
            command: ["sh", "-c", "mkdir -p /data/sub; echo hello > /data/a.txt; [ -f /data/sub/big.bin ] || { head -c 1048576 /dev/urandom > /data/sub/.big && mv /data/sub/.big /data/sub/big.bin; }; trap 'exit 0' TERM; sleep 3600 & wait"]
          backup:
            image: %4$s
            depends_on: [sftp]
            volumes:
              - %5$s:/var/run/docker.sock
              - %6$s:/root/.ssh:ro
            environment:
              RESTIC_REPOSITORY: sftp:root@sftp:/srv/repo
              RESTIC_PASSWORD: %7$s
              STOP_TIMEOUT: 5s
        volumes:
          data:
        """
        .formatted(
            SSHD_IMAGE,
            server,
            SidecarProject.BUSYBOX,
            SidecarProject.IMAGE,
            SidecarImageIT.dockerSocket(),
            clientSsh,
            SidecarProject.PASSWORD);
  }
}
