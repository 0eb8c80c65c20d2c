package dev.stackback.engine;

import dev.stackback.config.Config;
import dev.stackback.engine.fakes.FakeContainerRuntime;
import dev.stackback.engine.fakes.FakeLocalShell;
import dev.stackback.engine.fakes.FakeRestic;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.engine.fakes.Stack;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import dev.stackback.state.StepRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A {@link RunEngine} wired to the journaling fakes, a {@link RunStore} in a temp dir and a sleeper
 * that journals {@code sleep 1s} instead of sleeping.
 */
final class EngineHarness {
  final Journal journal = new Journal();
  final Stack stack;
  final FakeContainerRuntime runtime;
  final FakeRestic restic;
  final FakeLocalShell shell;
  final RunStore store;
  final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
  final RunEngine engine;

  EngineHarness(Stack stack, Path stateDir) {
    this.stack = stack;
    Config config = stack.config();
    runtime = new FakeContainerRuntime(journal, stack.containers());
    restic = new FakeRestic(journal);
    shell = new FakeLocalShell(journal);
    store = new RunStore(stateDir);
    EngineSettings settings =
        new EngineSettings(
            config.stopTimeout(),
            config.stopTimeout().plusSeconds(60),
            Duration.ofHours(1),
            config.resticEnv(),
            config.keep(),
            config.maintenanceSchedule().isEmpty(),
            Duration.ofSeconds(1),
            config.healthTimeout(),
            config.backupConcurrency(),
            config.swarmMode());
    engine =
        new RunEngine(
                runtime,
                restic,
                shell,
                store,
                settings,
                Clock.fixed(Instant.parse("2026-03-01T02:00:00Z"), ZoneOffset.UTC),
                d -> {
                  sleeps.add(d);
                  journal.add("sleep " + d.toSeconds() + "s");
                })
            // no head start: the worker starts at the first stop or snapshot, so the journal's
            // order is deterministic (RunEngineWorkerPrestartTest covers the head start)
            .prestartWorkerWith(r -> {})
            // starts in line: the journal's order stays the plan's (RunEngineConcurrencyTest
            // covers starts in the background)
            .startsInBackground(false);
  }

  RunReport run() {
    return engine.run(stack.plan(), "manual");
  }

  /** The record on disk. */
  RunRecord latest() {
    return store.latest().orElseThrow(() -> new AssertionError("no run record"));
  }

  /** A record's steps as {@code "<name>: <outcome>"}, e.g. {@code "pre web#1: ok"}. */
  static List<String> steps(RunRecord r) {
    return r.steps().stream().map(s -> s.name() + ": " + s.outcome()).toList();
  }

  /** The one step named {@code name}. */
  static StepRecord step(RunRecord r, String name) {
    List<StepRecord> found = r.steps().stream().filter(s -> s.name().equals(name)).toList();
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " steps named '" + name + "' in " + steps(r));
    }
    return found.get(0);
  }

  /**
   * The stack most scenarios use: the stack-back container with a hook in every stage (local);
   * {@code db} a postgres dump; {@code files} and {@code web} volumes stopped during backup; hooks
   * on {@code files} (pre) and {@code web} (every stage). Default order: db, files, web.
   */
  static Stack standardStack() {
    Stack s = new Stack();
    s.self()
        .hook("pre", 1, "echo self-pre")
        .hook("post", 1, "echo self-post")
        .hook("error", 1, "echo self-error")
        .hook("finally", 1, "echo self-finally");
    s.service("db").postgres();
    s.service("files").backsUpData().stopDuringBackup().hook("pre", 1, "echo files-pre");
    s.service("web")
        .backsUpData()
        .stopDuringBackup()
        .hook("pre", 1, "echo web-pre")
        .hook("post", 1, "echo web-post")
        .hook("error", 1, "echo web-error")
        .hook("finally", 1, "echo web-finally");
    return s;
  }

  // journal lines of the standard stack
  static final String REPO = "restic ensureRepository";
  static final String SELF_PRE = "local sh -c echo self-pre";
  static final String FILES_PRE = "exec files sh -c echo files-pre";
  static final String WEB_PRE = "exec web sh -c echo web-pre";
  static final String DB_STDIN = "restic backupStdin /databases/db/all_databases.sql";
  static final String DB_STREAM = "stream db pg_dumpall";
  static final String WORKER_START = "worker start /volumes/files/data /volumes/web/data";
  static final String FILES_WORKER = "worker backup files /volumes/files/data";
  static final String WEB_WORKER = "worker backup web /volumes/web/data";
  static final String WORKER_REMOVE = "remove worker";
  static final String CONFIRM = "confirm running files web";
  static final String WEB_POST = "exec web sh -c echo web-post";
  static final String SELF_POST = "local sh -c echo self-post";
  static final String WEB_ERROR = "exec web sh -c echo web-error";
  static final String SELF_ERROR = "local sh -c echo self-error";
  static final String WEB_FINALLY = "exec web sh -c echo web-finally";
  static final String SELF_FINALLY = "local sh -c echo self-finally";
  static final String FORGET = "restic forget";
  static final String CHECK = "restic check";
}
