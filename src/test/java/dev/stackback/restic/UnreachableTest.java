package dev.stackback.restic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.OutputLine;
import dev.stackback.port.ResticException;
import dev.stackback.port.ResticException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unreachable backend is "cannot reach <repository>: <restic's reason>", at once, never "no
 * repository" (so never initialised). The lines are restic's own (0.14 and 0.19.1 print them
 * alike), the fake restic below prints them the way restic does and then keeps retrying.
 */
class UnreachableTest {
  private static final String REST_RETRY =
      "Stat(<config/>) returned error, retrying after 552.330144ms: Head"
          + " \"http://:***@127.0.0.1:1/config\": dial tcp 127.0.0.1:1: connect: connection refused";
  private static final String S3_RETRY =
      "Stat(<config/>) returned error, retrying after 1m2.477132844s: Stat: Get"
          + " \"http://127.0.0.1:1/bucket/?location=\": dial tcp 127.0.0.1:1: connect: connection"
          + " refused";
  private static final List<String> SFTP_REFUSED =
      List.of(
          "subprocess ssh: ssh: connect to host 127.0.0.1 port 1: Connection refused",
          "Fatal: unable to open repository at sftp://root@127.0.0.1:1//repo: unable to start the"
              + " sftp session, error: error receiving version packet from server: server"
              + " unexpectedly closed connection: unexpected EOF");

  @TempDir Path dir;

  @Test
  void sftpFailure_reportedAsJson_isReadAsItsText() {
    // restic 0.19.1 `snapshots --json` against a stopped sftp server (seen in SftpRepositoryIT)
    String json =
        "{\"message_type\":\"exit_error\",\"code\":1,\"message\":\"Fatal: unable to open"
            + " repository at sftp:root@sftp:/srv/repo: unable to start the sftp session, error:"
            + " error receiving version packet from server: server unexpectedly closed connection:"
            + " unexpected EOF\"}";
    String reason = Unreachable.reason(List.of(json)).orElseThrow();
    assertTrue(reason.startsWith("Fatal: unable to open repository"), reason);
    assertTrue(!reason.contains("message_type"), reason);
  }

  @Test
  void retryWhileOpening_unreadableLocalPath_isNotWaitedFor() {
    // restic 0.19.1 on a repository path that is a file (seen on this machine)
    assertEquals(
        Optional.of("stat /tmp/plainfile/config: not a directory"),
        Unreachable.retrying(
            "Stat(<config/>) returned error, retrying after 44.701199603s: stat"
                + " /tmp/plainfile/config: not a directory"));
  }

  @Test
  void retryWhileOpening_connectionError_isUnreachable() {
    assertEquals(
        Optional.of(
            "Head \"http://:***@127.0.0.1:1/config\": dial tcp 127.0.0.1:1: connect: connection"
                + " refused"),
        Unreachable.retrying(REST_RETRY));
    assertTrue(Unreachable.retrying(S3_RETRY).isPresent());
    assertTrue(
        Unreachable.retrying(
                "Load(<key/3f1e2d4c5b>, 0, 0) returned error, retrying after 720ms: Get"
                    + " \"https://s3.example/b/keys/3f1e\": dial tcp: lookup s3.example on"
                    + " 127.0.0.11:53: no such host")
            .isPresent());
    assertTrue(
        Unreachable.retrying(
                "List(key) returned error, retrying after 1.2s: Get \"https://h/keys/\": tls:"
                    + " failed to verify certificate: x509: certificate signed by unknown"
                    + " authority")
            .isPresent());
  }

  @Test
  void otherRetries_areLeftToRestic() {
    // a server error while opening: restic's retries may well get through
    assertEquals(
        Optional.empty(),
        Unreachable.retrying(
            "Stat(<config/>) returned error, retrying after 1s: 503 Service Unavailable"));
    // a connection error mid-backup: the repository was reached already, restic retries
    assertEquals(
        Optional.empty(),
        Unreachable.retrying(
            "Save(<data/4a2b>) returned error, retrying after 2s: Put \"http://h/data/4a2b\":"
                + " dial tcp 10.0.0.2:8000: connect: connection refused"));
    assertEquals(Optional.empty(), Unreachable.retrying("Fatal: unable to open config file"));
  }

  @Test
  void sftp_sshsOwnComplaintIsTheReason() {
    assertEquals(
        Optional.of("ssh: connect to host 127.0.0.1 port 1: Connection refused"),
        Unreachable.reason(SFTP_REFUSED));
    assertEquals(
        Optional.of("Host key verification failed."),
        Unreachable.reason(
            List.of(
                "subprocess ssh: Host key verification failed.",
                "Fatal: unable to open repository at sftp:u@h:/r: unable to start the sftp"
                    + " session, error: EOF")));
  }

  @Test
  void noRepositoryAtAReachableBackend_isNotUnreachable() {
    assertEquals(
        Optional.empty(),
        Unreachable.reason(
            List.of(
                "Fatal: unable to open config file: Stat: The specified key does not exist.",
                "Is there a repository at the following location?",
                "s3:http://127.0.0.1:9000/bucket")));
  }

  @Test
  void restKeepsRetrying_stoppedAtTheFirstRetry_cannotReach_neverInit() throws IOException {
    ResticCli cli =
        cli(
            "rest:http://user:s3cr3t@127.0.0.1:1/",
            """
            [ "$1" = init ] && exit 0
            trap 'kill $!; echo "signal interrupt received, cleaning up" >&2; exit 130' INT
            echo '%s' >&2
            sleep 60 & wait
            """
                .formatted(REST_RETRY));
    long start = System.nanoTime();

    ResticException e = assertThrows(ResticException.class, cli::ensureRepository);

    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    assertEquals(Kind.UNREACHABLE, e.kind());
    assertEquals(
        "cannot reach rest:http://user:***@127.0.0.1:1/: Head \"http://:***@127.0.0.1:1/config\":"
            + " dial tcp 127.0.0.1:1: connect: connection refused",
        e.getMessage());
    assertTrue(seconds < 10, "took " + seconds + "s, restic would retry for 15 minutes");
    assertEquals(List.of("cat config"), calls(), "never initialised");
  }

  @Test
  void exit10WithAConnectionError_isUnreachable_notNoRepository() throws IOException {
    ResticCli cli =
        cli(
            "s3:http://127.0.0.1:1/bucket",
            """
            echo 'Fatal: unable to open config file: Stat: Get "http://127.0.0.1:1/bucket/?location=": dial tcp 127.0.0.1:1: connect: connection refused' >&2
            echo 'Is there a repository at the following location?' >&2
            exit 10
            """);

    ResticException e = assertThrows(ResticException.class, cli::ensureRepository);

    assertEquals(Kind.UNREACHABLE, e.kind());
    assertTrue(
        e.getMessage().startsWith("cannot reach s3:http://127.0.0.1:1/bucket: "), e.getMessage());
    assertTrue(e.getMessage().endsWith("connect: connection refused"), e.getMessage());
    assertEquals(List.of("cat config"), calls(), "never initialised");
  }

  @Test
  void snapshotsAndCheck_sayCannotReachToo() throws IOException {
    String body =
        String.join("\n", SFTP_REFUSED.stream().map(l -> "echo '" + l + "' >&2").toList())
            + "\nexit 1\n";
    ResticCli cli = cli("sftp://root@127.0.0.1:1//repo", body);

    ResticException snapshots =
        assertThrows(ResticException.class, () -> cli.snapshots("h", List.of("stack-back")));
    ResticException check =
        assertThrows(
            ResticException.class, () -> cli.check(Optional.empty(), OutputLine.discard()));

    for (ResticException e : List.of(snapshots, check)) {
      assertEquals(Kind.UNREACHABLE, e.kind());
      assertEquals(
          "cannot reach sftp://root@127.0.0.1:1//repo: ssh: connect to host 127.0.0.1 port 1:"
              + " Connection refused",
          e.getMessage());
    }
    assertFalse(calls().isEmpty());
  }

  private List<String> calls() throws IOException {
    Path calls = dir.resolve("calls");
    return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
  }

  private ResticCli cli(String repository, String body) throws IOException {
    Path script = dir.resolve("restic-" + System.nanoTime());
    Files.writeString(script, "#!/bin/sh\nD='" + dir + "'\necho \"$*\" >> \"$D/calls\"\n" + body);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return new ResticCli(
        script.toString(),
        Map.of("RESTIC_REPOSITORY", repository, "RESTIC_PASSWORD", "pw"),
        Duration.ofSeconds(30),
        false,
        null);
  }
}
