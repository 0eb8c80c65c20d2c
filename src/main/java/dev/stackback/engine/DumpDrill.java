package dev.stackback.engine;

import dev.stackback.engine.VerifyRun.Finding;
import dev.stackback.label.DatabaseKind;
import dev.stackback.plan.Plan;
import dev.stackback.plan.Target;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine;
import dev.stackback.port.Restic;
import dev.stackback.port.ScratchSpec;
import dev.stackback.port.Snapshot;
import dev.stackback.util.Bytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drill of a service's database dump: a scratch container is made from the exact image of the
 * service's database container (never the real one), with fresh credentials and no network; once
 * its real server answers, the latest dump is streamed in and loaded with the same client commands
 * as {@code restore --dump}, then tables and rows are counted. The scratch container carries the
 * worker label and is removed afterwards whatever happens (crash recovery removes a leftover).
 */
final class DumpDrill {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.verify");

  /** How long a scratch server may take to initialise and answer. */
  static final Duration READY_TIMEOUT = Duration.ofMinutes(5);

  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);

  /** Label with the run id on a scratch container. */
  static final String RUN_LABEL = "stack-back.verify.run";

  /**
   * Errors of a {@code pg_dumpall} file that a fresh server always reports: it re-creates the
   * superuser role and cannot drop it or the database it is connected to. Anything else fails.
   */
  private static final Pattern BENIGN_PG_ERROR =
      Pattern.compile(
          "ERROR: +(role \".*\" already exists|current user cannot be dropped"
              + "|cannot drop the currently open database)");

  private final ContainerRuntime runtime;
  private final Restic restic;
  private final EngineSettings settings;
  private final Plan plan;
  private final HookRunner.Sleeper sleeper;

  DumpDrill(
      ContainerRuntime runtime,
      Restic restic,
      EngineSettings settings,
      Plan plan,
      HookRunner.Sleeper sleeper) {
    this.runtime = runtime;
    this.restic = restic;
    this.settings = settings;
    this.plan = plan;
    this.sleeper = sleeper;
  }

  Finding run(Target t, List<Snapshot> snapshots, String runId) {
    Optional<Snapshot> snap = DumpRestore.pick(snapshots, "latest");
    if (snap.isEmpty()) {
      return Finding.failed("no database dump of service '" + t.name() + "' in the repository");
    }
    DatabaseKind kind = t.dump().orElseThrow().kind();
    ContainerInfo real = t.service().primary();
    ScratchSpec spec =
        new ScratchSpec(
            real.exactImage(),
            scratchName(runId, t.name()),
            scratchEnv(kind, real.env()),
            Map.of(
                BackupPhase.WORKER_HOST_LABEL,
                plan.host(),
                BackupPhase.WORKER_SERVICE_LABEL,
                t.name(),
                RUN_LABEL,
                runId));
    String id = null;
    try {
      LOG.info(
          "starting scratch {} '{}' from image {}", kind.labelSuffix(), spec.name(), spec.image());
      id = runtime.startScratch(spec);
      return loadAndCount(t, kind, snap.get(), id, spec);
    } finally {
      if (id != null) {
        remove(id, spec.name());
      }
    }
  }

  private Finding loadAndCount(
      Target t, DatabaseKind kind, Snapshot snap, String id, ScratchSpec spec) {
    Optional<String> notReady = awaitReady(id, kind);
    if (notReady.isPresent()) {
      return Finding.failed(
          "the scratch "
              + kind.labelSuffix()
              + " from image "
              + spec.image()
              + " "
              + notReady.get());
    }
    String path = DumpRestore.dumpPath(snap).orElseThrow();
    List<String> errors = new ArrayList<>();
    OutputLine log =
        (stream, line) -> {
          LOG.debug("[verify {}] {}", t.name(), line);
          if (line.contains("ERROR:") && !BENIGN_PG_ERROR.matcher(line).find()) {
            synchronized (errors) {
              errors.add(line);
            }
          }
        };
    DumpRestore.Result loaded;
    try {
      loaded =
          new DumpRestore(runtime, restic, settings.backupTimeout())
              .run(id, kind, snap.id(), path, log);
    } catch (DumpRestore.Failed e) {
      return new Finding(
          false,
          path + " of snapshot " + snap.shortId() + " does not load: " + e.getMessage(),
          errors);
    }
    String what =
        path + " of snapshot " + snap.shortId() + " (" + Bytes.format(loaded.bytes()) + ")";
    if (!errors.isEmpty()) {
      return new Finding(
          false,
          what + " loads with " + errors.size() + " error(s), first: " + errors.get(0),
          errors);
    }
    List<String> rows = new ArrayList<>();
    ExecResult counted =
        runtime.exec(
            new ExecRequest(
                id,
                DumpCommands.count(kind, path.endsWith("/all_databases.sql")),
                null,
                Map.of(),
                settings.backupTimeout()),
            (stream, line) -> {
              if (stream == OutputLine.Stream.STDOUT) {
                rows.add(line);
              }
            });
    if (!counted.succeeded()) {
      return new Finding(
          false,
          what + " loaded, but counting its tables failed (" + HookRunner.describe(counted) + ")",
          counted.tail());
    }
    List<String> counts = describeCounts(rows);
    return new Finding(
        true,
        what
            + " loads into a scratch "
            + kind.labelSuffix()
            + " ("
            + (counts.isEmpty() ? "no user tables" : String.join("; ", counts))
            + ")",
        counts);
  }

  /** {@code db|tables|rows} lines as {@code db: N table(s), M row(s)}. */
  static List<String> describeCounts(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      String[] p = line.strip().split("\\|");
      if (p.length == 3) {
        out.add(p[0] + ": " + p[1] + " table(s), " + p[2] + " row(s)");
      }
    }
    return List.copyOf(out);
  }

  /** Empty once the real server answers; else why not (exited, or not within the bound). */
  private Optional<String> awaitReady(String id, DatabaseKind kind) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    ExecResult last = null;
    while (System.nanoTime() < deadline) {
      Optional<ContainerInfo> c = runtime.inspect(id);
      if (c.isEmpty() || !c.get().running()) {
        return Optional.of(
            "stopped during start-up ("
                + c.map(ContainerInfo::state).orElse("gone")
                + "): check that the image starts with fresh credentials");
      }
      last =
          runtime.exec(
              new ExecRequest(id, DumpCommands.scratchReady(kind), null, Map.of(), PROBE_TIMEOUT),
              OutputLine.discard());
      if (last.succeeded()) {
        return Optional.empty();
      }
      try {
        sleeper.sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of("was not waited for: the run was interrupted");
      }
    }
    return Optional.of(
        "did not answer within "
            + READY_TIMEOUT.toMinutes()
            + " min"
            + (last == null ? "" : " (" + String.join(" | ", last.tail()) + ")"));
  }

  private void remove(String id, String name) {
    // a cancel interrupted this thread: clear it so the removal is not interrupted too (the run's
    // cancelled flag still stops the drills after this one)
    Thread.interrupted();
    try {
      runtime.remove(id);
      LOG.info("removed scratch container '{}'", name);
    } catch (RuntimeException e) {
      LOG.error(
          "could not remove scratch container '{}': {} (the next run's recovery removes it)",
          name,
          e.getMessage());
    }
  }

  /** {@code stack-back-verify-<run id>-<service>}, reduced to a valid container name. */
  static String scratchName(String runId, String service) {
    String s = service.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]+", "-");
    return "stack-back-verify-" + runId.toLowerCase(Locale.ROOT) + "-" + s;
  }

  /**
   * The scratch server's environment: the real container's, without its database credentials (their
   * {@code *_FILE} forms name files the scratch container does not have), with a fresh random
   * password. Postgres keeps {@code POSTGRES_USER} and {@code POSTGRES_DB}, so a {@code pg_dump}
   * file finds its owner role and database.
   */
  static Map<String, String> scratchEnv(DatabaseKind kind, Map<String, String> real) {
    Map<String, String> env = new HashMap<>();
    real.forEach(
        (k, v) -> {
          boolean credential =
              k.startsWith("POSTGRES_") || k.startsWith("MARIADB_") || k.startsWith("MYSQL_");
          if (!credential
              || k.equals("POSTGRES_USER")
              || k.equals("POSTGRES_DB")
              || k.equals("POSTGRES_INITDB_ARGS")) {
            env.put(k, v);
          }
        });
    env.remove("PGPASSWORD");
    env.remove("MYSQL_PWD");
    String password = UUID.randomUUID().toString();
    if (kind == DatabaseKind.POSTGRES) {
      env.put("POSTGRES_PASSWORD", password);
    } else {
      env.put("MARIADB_ROOT_PASSWORD", password);
      env.put("MYSQL_ROOT_PASSWORD", password);
    }
    return Map.copyOf(env);
  }
}
