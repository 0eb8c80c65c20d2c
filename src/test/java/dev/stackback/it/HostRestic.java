package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The restic CLI on the host, to set up and read back repositories independently of stack-back. */
final class HostRestic {
  private final Path repo;
  private final String password;

  HostRestic(Path repo, String password) {
    this.repo = repo;
    this.password = password;
  }

  DockerFixture.Result run(String... args) {
    List<String> argv = new ArrayList<>(List.of("restic", "--no-cache"));
    argv.addAll(List.of(args));
    return DockerFixture.command(
        argv, Map.of("RESTIC_REPOSITORY", repo.toString(), "RESTIC_PASSWORD", password));
  }

  String ok(String... args) {
    DockerFixture.Result r = run(args);
    assertEquals(0, r.exit(), () -> "restic " + String.join(" ", args) + ": " + r.output());
    return r.output();
  }

  void init() {
    ok("init");
  }

  /** {@code restic snapshots --json}: every snapshot in the repository. */
  JsonNode snapshots() throws IOException {
    return Cli.JSON.readTree(ok("snapshots", "--json"));
  }

  void restore(String snapshotId, Path target) {
    ok("restore", snapshotId, "--target", target.toString());
  }
}
