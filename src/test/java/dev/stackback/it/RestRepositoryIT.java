package dev.stackback.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A REST repository: Debian's {@code rclone serve restic} (scripts/ensure-docker.sh installs
 * rclone) on the address of Docker's default bridge, with basic authentication given in the URL
 * (restic 0.14 has no RESTIC_REST_USERNAME/PASSWORD); the password never shows.
 */
class RestRepositoryIT {
  static final String USER = "sb";
  static final String PASS = "rest-pass-" + Long.toHexString(System.nanoTime());

  DockerFixture fx;
  Process rclone;

  @AfterEach
  void tearDown() throws Exception {
    stopServer();
    if (fx != null) {
      fx.close();
    }
  }

  void stopServer() throws InterruptedException {
    if (rclone != null) {
      rclone.destroy();
      if (!rclone.waitFor(10, TimeUnit.SECONDS)) {
        rclone.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      rclone = null;
    }
  }

  static int freePort(String host) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(host, 0));
      return s.getLocalPort();
    }
  }

  Process startServer(String host, int port, Path dir, Path log) throws Exception {
    Process p =
        new ProcessBuilder(
                List.of(
                    "rclone",
                    "serve",
                    "restic",
                    "--addr",
                    host + ":" + port,
                    "--user",
                    USER,
                    "--pass",
                    PASS,
                    dir.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long end = System.nanoTime() + 30_000_000_000L;
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), 500);
        return p;
      } catch (IOException notYet) {
        if (!p.isAlive() || System.nanoTime() > end) {
          p.destroyForcibly();
          throw new AssertionError("rclone serve restic did not start", notYet);
        }
        Thread.sleep(50);
      }
    }
  }

  @Test
  void backupRestoreCheck_throughRest_thenServerStopped_cannotReach() throws Exception {
    fx = DockerFixture.create("rest");
    String host = DockerFixture.bridgeGateway();
    int port = freePort(host);
    rclone = startServer(host, port, fx.hostDir("rest"), fx.dir.resolve("rclone.log"));
    String repository = "rest:http://" + USER + ":" + PASS + "@" + host + ":" + port + "/";
    RemoteScenario sc =
        new RemoteScenario(fx, Map.of("RESTIC_REPOSITORY", repository), DockerFixture.IMAGE);

    sc.backupRestoreCheck();

    stopServer();
    sc.unreachable("rest:http://" + USER + ":***@" + host + ":" + port + "/");
    sc.assertSecretsAbsent(PASS);
  }
}
