package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code backup --dry-run} prints the ordered steps and touches nothing. */
class DryRunIT {
  static final String PASSWORD = "pw-" + UUID.randomUUID();

  static DockerFixture fx;

  @BeforeAll
  static void setUp() {
    fx = DockerFixture.create("dryrun");
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void dryRun_printsOrderedSteps_touchesNothing() throws Exception {
    String project = fx.project("p");
    Path marker = fx.hostDir("marker").resolve("journal");
    Path repo = fx.dir.resolve("no-such-repo"); // need not exist, and must not be created
    Path state = fx.dir.resolve("state");
    String hook = "echo ran >> " + marker;
    String self =
        fx.container(project, "backup")
            .labels(
                Map.of(
                    "stack-back.hooks.pre.1.cmd", hook,
                    "stack-back.hooks.finally.1.cmd", hook))
            .start();
    String dataVolume = fx.volume("app-data");
    String app =
        fx.container(project, "app")
            .mount(dataVolume, "/data")
            .labels(
                Map.of(
                    "stack-back.volumes", "true",
                    "stack-back.volumes.stop-during-backup", "true",
                    "stack-back.hooks.pre.1.cmd", "true",
                    "stack-back.hooks.post.1.cmd", "true",
                    "stack-back.hooks.post.1.on-error", "continue",
                    "stack-back.hooks.post.1.mode", "async",
                    "stack-back.hooks.post.1.retries", "2"))
            .start();
    String filesVolume = fx.volume("web-files");
    String web =
        fx.container(project, "web")
            .mount(filesVolume, "/srv/files")
            .label("stack-back.volumes", "true")
            .start();
    DockerFixture.State appBefore = fx.state(app);
    DockerFixture.State webBefore = fx.state(web);
    Map<String, String> env =
        Map.of(
            "RESTIC_REPOSITORY",
            repo.toString(),
            "RESTIC_PASSWORD",
            PASSWORD,
            "STATE_DIR",
            state.toString(),
            "STACK_BACK_CONTAINER",
            self,
            "STOP_TIMEOUT",
            "5s");

    Cli.Result r = Cli.run(env, "backup", "--dry-run");

    assertEquals(0, r.exit(), r::toString);
    assertEquals(
        List.of(
            "Dry run: nothing is touched. Host '" + project + "', stop scope service.",
            "  1. check repository " + repo + " (initialise it if missing)",
            "  2. hook pre backup#1 in local: " + hook + "  [on-error abort]",
            "  3. hook pre app#1 in exec app (" + app + "): true  [on-error abort]",
            "  4. stop app (" + app + ")",
            "  5. snapshot app via worker container: " + dataVolume + " -> /volumes/app/data",
            "  6. start app (" + app + ")",
            "  7. snapshot web via worker container: " + filesVolume + " -> /volumes/web/srv/files",
            "if everything above succeeded:",
            "  8. hook post app#1 in exec app ("
                + app
                + "): true  [on-error continue, async, retries 2]",
            "if anything failed:",
            "      (no error hooks)",
            "always:",
            "  9. hook finally backup#1 in local: " + hook + "  [on-error abort]",
            " 10. maintenance: forget (host '"
                + project
                + "', tag stack-back, keep daily 7 weekly 4 monthly 12 yearly 3) + prune, if all"
                + " succeeded"),
        r.out().lines().toList(),
        r::toString);
    assertFalse(Files.exists(repo), "the repository was created");
    assertFalse(Files.exists(marker), "a hook ran");
    assertFalse(Files.exists(state.resolve("runs")), "a run was recorded");
    assertEquals(appBefore, fx.state(app), "the app was stopped");
    assertEquals(webBefore, fx.state(web));
    Cli.assertSecretAbsent(PASSWORD, state, List.of(r));
  }
}
