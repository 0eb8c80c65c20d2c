package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A run a person watches, against the real engine and real restic: a dump streamed for 8 s logs its
 * progress at INFO (restic's status lines, throttled, sizes human); no raw status line reaches the
 * log or the run record; maintenance is one line with restic's tables in the step's tail.
 */
class ProgressIT {
  static final String PASSWORD = "pw-" + UUID.randomUUID();
  // 16 x 4 MiB with 0.5 s pauses: restic's stdin backup runs at least 8 s on any machine, so
  // its status line of 6 s (one every 2 s) is past the 5 s of quiet and is logged
  static final String SLOW_DUMP =
      "#!/bin/sh\n"
          + "i=0; while [ $i -lt 16 ]; do head -c 4194304 /dev/urandom; sleep 0.5;"
          + " i=$((i+1)); done\n";

  static DockerFixture fx;

  @BeforeAll
  static void setUp() {
    fx = DockerFixture.create("progress");
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void longDump_logsThrottledProgress_noStatusLinesKept_maintenanceInOneLine() throws Exception {
    String project = fx.project("p");
    Path repo = fx.hostDir("repo");
    fx.container(project, "backup").mount(repo.toString(), repo.toString()).start();
    String app =
        fx.container(project, "app")
            .mount(fx.volume("app"), "/data")
            .label("stack-back.volumes", "true")
            .label("stack-back.volumes.stop-during-backup", "true")
            .start();
    fx.exec(app, "head -c 104857600 /dev/urandom > /data/big");
    // a "postgres" whose pg_dumpall is slow: the dump's restic runs as long as it streams
    String db = fx.container(project, "db").label("stack-back.postgres", "true").start();
    fx.exec(db, "cat > /bin/pg_dumpall <<'EOF'\n" + SLOW_DUMP + "EOF\nchmod +x /bin/pg_dumpall");

    // two snapshots of one more group of ours: maintenance (keep 1 daily) removes one and prunes
    HostRestic restic = new HostRestic(repo, PASSWORD);
    restic.init();
    Path old = fx.hostDir("old");
    for (int i = 0; i < 2; i++) {
      Files.write(old.resolve("f"), randomBytes(1 << 20));
      restic.ok("backup", "-q", "--host", project, "--tag", "stack-back", old.toString());
    }

    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", repo.toString());
    env.put("RESTIC_PASSWORD", PASSWORD);
    env.put("STATE_DIR", fx.dir.resolve("state").toString());
    env.put("STACK_BACK_CONTAINER", project + "-backup");
    env.put("STOP_TIMEOUT", "5s");
    env.put("RESTIC_KEEP_DAILY", "1");
    env.put("RESTIC_KEEP_WEEKLY", "0");
    env.put("RESTIC_KEEP_MONTHLY", "0");
    env.put("RESTIC_KEEP_YEARLY", "0");

    long started = System.nanoTime();
    Cli.Result r = Cli.run(env, "backup");
    long seconds = (System.nanoTime() - started) / 1_000_000_000L;

    assertEquals(0, r.exit(), r::toString);
    String log = r.log();
    // the dump ran >= 8 s: progress from 5 s on, at most every 10 s, human sizes and a rate
    List<String> dumpProgress = lines(log, "INFO stack-back.backup dump db: ");
    assertTrue(!dumpProgress.isEmpty(), log);
    assertTrue(dumpProgress.size() <= 1 + seconds / 10, dumpProgress::toString);
    Pattern human =
        Pattern.compile(".*dump db: \\d+(\\.\\d)? MiB read \\(\\d+(\\.\\d)? [KM]iB/s\\)");
    dumpProgress.forEach(l -> assertTrue(human.matcher(l).matches(), l));
    // no raw status line anywhere in the log, none in the record
    assertFalse(log.contains("\"message_type\":\"status\""), log);
    JsonNode rec = Cli.records(Path.of(env.get("STATE_DIR"))).get(0);
    assertFalse(rec.toString().contains("\\\"message_type\\\":\\\"status\\\""), rec::toString);
    // the steps say their sizes for people
    String snapshot = step(rec, "snapshot app").get("message").asText();
    assertTrue(snapshot.matches(".* (\\d+(\\.\\d)?) MiB added of 100 MiB read"), snapshot);
    String dump = step(rec, "dump db").get("message").asText();
    assertTrue(dump.matches(".* (\\d+(\\.\\d)?) MiB added of 64 MiB read"), dump);
    // maintenance: one line, restic's tables only in the step's tail
    JsonNode maintenance = step(rec, "forget + prune");
    String summary = maintenance.get("message").asText();
    assertTrue(
        summary.matches("kept 3, removed 1 snapshot; prune freed \\d+(\\.\\d)? (KiB|MiB)"),
        summary);
    assertTrue(
        maintenance.get("tail").toString().contains("remove 1 snapshots:"), maintenance::toString);
    assertEquals(1, lines(log, summary).size(), log);
    assertFalse(log.contains("remove 1 snapshots:"), log);
    assertFalse(log.contains("Applying Policy"), log);
  }

  private static List<String> lines(String log, String containing) {
    return log.lines().filter(l -> l.contains(containing)).toList();
  }

  private static JsonNode step(JsonNode rec, String name) {
    for (JsonNode st : rec.get("steps")) {
      if (st.get("name").asText().equals(name)) {
        return st;
      }
    }
    throw new AssertionError("no step '" + name + "' in " + rec);
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new java.util.Random().nextBytes(b);
    return b;
  }
}
