package dev.stackback.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackback.engine.RestorePoint.Kind;
import dev.stackback.engine.RestorePoint.Missing;
import dev.stackback.engine.fakes.Stack;
import dev.stackback.port.Snapshot;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Grouping snapshots by their run tag, and what a run lacks. */
class RestorePointTest {
  static final String RUN = "20260228T020000Z-abcd";

  static Snapshot snap(String id, String time, String path, String service, String run) {
    return new Snapshot(
        id,
        id.substring(0, 4),
        Instant.parse(time),
        "app",
        List.of(path),
        run == null
            ? List.of("stack-back", "service=" + service)
            : List.of("stack-back", "service=" + service, RestorePoint.tag(run)));
  }

  @Test
  void of_groupsByRun_newestFirst_itemsInSnapshotOrder_untaggedLeftOut() {
    List<RestorePoint> points =
        RestorePoint.of(
            List.of(
                snap("bbbb1", "2026-02-28T02:00:05Z", "/volumes/web/data", "web", RUN),
                snap("cccc1", "2026-02-27T02:00:00Z", "/volumes/web/data", "web", "older"),
                snap("dddd1", "2026-02-28T02:00:09Z", "/volumes/web/data", "web", null),
                snap("aaaa1", "2026-02-28T02:00:01Z", "/databases/db/app.sql", "db", RUN),
                snap("eeee1", "2026-02-28T02:00:02Z", "/etc/x", "odd", RUN)));

    assertEquals(List.of(RUN, "older"), points.stream().map(RestorePoint::runId).toList());
    RestorePoint p = points.get(0);
    assertEquals(List.of("db", "odd", "web"), p.services());
    assertEquals(
        List.of(Kind.DUMP, Kind.OTHER, Kind.VOLUMES),
        p.items().stream().map(RestorePoint.Item::kind).toList());
    assertEquals(Instant.parse("2026-02-28T02:00:01Z"), p.time());
    assertEquals(List.of("web"), p.only(List.of("web")).services());
    List<Snapshot> all =
        points.stream().flatMap(x -> x.items().stream()).map(i -> i.snapshot()).toList();
    assertEquals(Optional.of(p), RestorePoint.find(all, "latest"));
    assertEquals(Optional.of(points.get(1)), RestorePoint.find(all, "older"));
    assertEquals(Optional.empty(), RestorePoint.find(all, "nosuch"));
  }

  @Test
  void missing_fromTheRecordAndThePlan_onlyForTheGivenServices() {
    Stack stack = new Stack();
    stack.service("web").backsUpData();
    stack.service("db").postgres();
    stack.service("files").backsUpData();
    RestorePoint p =
        RestorePoint.of(
                List.of(snap("bbbb1", "2026-02-28T02:00:05Z", "/volumes/web/data", "web", RUN)))
            .get(0);
    Instant t = Instant.parse("2026-02-28T02:00:00Z");
    RunRecord record =
        new RunRecord(
            RUN,
            "manual",
            RunRecord.FAILED,
            1,
            "app",
            t,
            t,
            1,
            List.of(),
            List.of(
                new StepRecord("dump", "dump db", null, "db", "ok", t, 1, 0, 1, "snap", List.of()),
                new StepRecord(
                    "snapshot", "snapshot web", null, "web", "ok", t, 1, 0, 1, "x", List.of())),
            null);

    assertEquals(
        List.of(
            new Missing("db", Kind.DUMP, "its dump is no longer in the repository (forgotten?)"),
            new Missing("files", Kind.VOLUMES, "no volume snapshot in this run")),
        p.missing(stack.plan(), Optional.of(record), List.of()));
    assertEquals(
        List.of(new Missing("db", Kind.DUMP, "no database dump in this run")),
        p.missing(stack.plan(), Optional.empty(), List.of("db", "web")));
  }
}
