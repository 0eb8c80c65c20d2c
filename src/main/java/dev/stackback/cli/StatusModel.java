package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.config.Redaction;
import dev.stackback.config.Schedule;
import dev.stackback.label.HookSpec.Stage;
import dev.stackback.label.Problem;
import dev.stackback.plan.HookStep;
import dev.stackback.plan.Plan;
import dev.stackback.plan.Service;
import dev.stackback.plan.Target;
import dev.stackback.plan.VolumeSnapshot;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import dev.stackback.util.Durations;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The data {@code status} shows, as plain maps and lists in a fixed order: serialised as is for
 * {@code --json} and rendered as text by {@link StatusCommand}. Secrets are redacted here.
 */
final class StatusModel {
  private StatusModel() {}

  static Map<String, Object> config(Config c, ZonedDateTime now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("repository", Redaction.url(c.resticRepository()));
    m.put("resticEnvironment", Redaction.env(c.resticEnv()));
    m.put("cronSchedule", c.cronSchedule().text());
    String zone = c.cronSchedule().zone().getId();
    m.put("timeZone", "Z".equals(zone) ? "UTC" : zone);
    m.put("nextBackup", next(c.cronSchedule(), now));
    m.put(
        "maintenanceSchedule",
        c.maintenanceSchedule().map(s -> s.text()).orElse("after each successful backup"));
    m.put("nextMaintenance", c.maintenanceSchedule().map(s -> next(s, now)).orElse(null));
    m.put("verifySchedule", c.verifySchedule().map(s -> s.text()).orElse(null));
    m.put("nextVerify", c.verifySchedule().map(s -> next(s, now)).orElse(null));
    Map<String, Object> keep = new LinkedHashMap<>();
    keep.put("daily", c.keep().daily());
    keep.put("weekly", c.keep().weekly());
    keep.put("monthly", c.keep().monthly());
    keep.put("yearly", c.keep().yearly());
    m.put("keep", keep);
    m.put("autoBackupAll", c.autoBackupAll());
    m.put("includeProjectName", c.includeProjectName());
    m.put("includeAllComposeProjects", c.includeAllComposeProjects());
    m.put("swarmMode", c.swarmMode());
    m.put("excludeBindMounts", c.excludeBindMounts());
    m.put("hookTimeout", Durations.format(c.hookTimeout()));
    m.put("stopTimeout", Durations.format(c.stopTimeout()));
    m.put("backupTimeout", Durations.format(c.backupTimeout()));
    m.put("healthTimeout", Durations.format(c.healthTimeout()));
    m.put("stopScope", lower(c.stopScope()));
    m.put("backupConcurrency", c.backupConcurrency());
    m.put("stateDir", c.stateDir().toString());
    m.put("notifications", notifications(c));
    m.put("logLevel", c.logLevel());
    return m;
  }

  /** The next time in the schedule's zone, ISO with offset (e.g. 2026-12-03T02:00+01:00). */
  private static String next(Schedule s, ZonedDateTime now) {
    return s.next(now).map(t -> t.toOffsetDateTime().toString()).orElse(null);
  }

  private static List<String> notifications(Config c) {
    List<String> out = new ArrayList<>();
    if (c.email().enabled()) {
      out.add("email via " + c.email().host().orElse("") + ":" + c.email().port());
    }
    c.discordWebhook().ifPresent(u -> out.add("discord"));
    if (!c.notifyUrls().isEmpty()) {
      out.add(c.notifyUrls().size() + " webhook URL(s)");
    }
    // the ping URL is a secret (its path is the check's key): only where it goes
    c.pingUrl().ifPresent(u -> out.add("pings to " + dev.stackback.notify.Pinger.origin(u)));
    return out;
  }

  static Map<String, Object> plan(Plan plan, Optional<RunRecord> last) {
    return plan(plan, last, Map.of());
  }

  /** The plan, with the answer of each database ({@link DatabasePings}) by service name. */
  static Map<String, Object> plan(
      Plan plan, Optional<RunRecord> last, Map<String, DatabasePings.Ping> pings) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("project", plan.project());
    m.put("host", plan.host());
    m.put("backupContainer", plan.self().primary().name());
    m.put("order", plan.ordered() ? "ordered (stack-back.order.<N>)" : "default (service name)");
    List<Object> targets = new ArrayList<>();
    for (Target t : plan.targets()) {
      targets.add(target(t, pings.get(t.name())));
    }
    m.put("targets", targets);
    m.put("hookOnly", plan.hookOnly().stream().map(Service::name).toList());
    Map<String, Object> hooks = new LinkedHashMap<>();
    for (Stage s : Stage.values()) {
      List<Object> list = new ArrayList<>();
      for (HookStep h : plan.hooks(s)) {
        list.add(hook(h, last));
      }
      hooks.put(s.word(), list);
    }
    m.put("hooks", hooks);
    return m;
  }

  private static Map<String, Object> target(Target t, DatabasePings.Ping ping) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("service", t.name());
    m.put("project", t.service().project());
    m.put("containers", t.service().refs().stream().map(r -> r.name()).toList());
    m.put("stopDuringBackup", t.stops());
    List<Object> vols = new ArrayList<>();
    for (VolumeSnapshot v : t.volumes()) {
      Map<String, Object> vm = new LinkedHashMap<>();
      vm.put("type", lower(v.mount().type()));
      vm.put("name", v.mount().displayName());
      vm.put("destination", v.mount().destination());
      vm.put("snapshotPath", v.snapshotPath());
      vols.add(vm);
    }
    m.put("volumes", vols);
    m.put(
        "skippedMounts",
        t.skippedMounts().stream()
            .map(s -> Map.of("destination", s.destination(), "reason", s.reason()))
            .toList());
    m.put(
        "database",
        t.dump()
            .map(
                d -> {
                  Map<String, Object> dm = new LinkedHashMap<>();
                  dm.put("kind", d.kind().labelSuffix());
                  dm.put("dump", dumpTool(d));
                  dm.put("snapshotPath", d.snapshotPath());
                  dm.put("detectedBy", d.detectedBy());
                  dm.put("answers", ping == null ? null : ping.answers());
                  dm.put("answer", ping == null ? null : ping.message());
                  return dm;
                })
            .orElse(null));
    m.put("tags", t.tags());
    return m;
  }

  static String dumpTool(dev.stackback.plan.DatabaseDump d) {
    return switch (d.kind()) {
      case POSTGRES -> d.allDatabases() ? "pg_dumpall" : "pg_dump";
      case MYSQL, MARIADB -> "mariadb-dump/mysqldump --all-databases";
    };
  }

  private static Map<String, Object> hook(HookStep h, Optional<RunRecord> last) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("hook", h.spec().stage().word() + " " + h.from() + "#" + h.spec().index());
    m.put("cmd", h.spec().cmd());
    m.put("from", h.from() + (h.fromBackupContainer() ? " (stack-back container)" : ""));
    m.put("context", h.spec().context());
    m.put("runsIn", h.whereText());
    m.put("onError", h.spec().onError().word());
    m.put("mode", h.spec().mode().word());
    m.put("retries", h.spec().retries());
    m.put("timeout", Durations.format(h.timeout()));
    m.put("user", h.spec().user());
    m.put("label", h.spec().labelPrefix());
    m.put("lastOutcome", lastOutcome(h, last));
    return m;
  }

  private static String lastOutcome(HookStep h, Optional<RunRecord> last) {
    String name = h.spec().stage().word() + " " + h.from() + "#" + h.spec().index();
    return last.flatMap(
            r ->
                r.steps().stream()
                    .filter(s -> "hook".equals(s.kind()) && name.equals(s.name()))
                    .reduce((a, b) -> b)
                    .map(StepRecord::outcome))
        .orElse(null);
  }

  static Map<String, Object> run(RunRecord r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("trigger", r.trigger());
    m.put("state", r.state());
    m.put("startedAt", r.startedAt().toString());
    m.put("endedAt", r.endedAt() == null ? null : r.endedAt().toString());
    m.put("durationSeconds", r.duration() == null ? null : r.duration().toMillis() / 1000.0);
    m.put("exitCode", r.exitCode());
    m.put("error", r.error());
    m.put("reason", r.reason());
    m.put("steps", r.steps().size());
    m.put("bytesAdded", r.bytesAdded());
    m.put(
        "failedSteps",
        r.steps().stream().filter(StepRecord::failed).map(StepRecord::name).toList());
    m.put("anomalies", r.anomalies());
    m.put("failureReport", r.failure() == null ? null : r.failure().step());
    return m;
  }

  static List<String> problems(List<Problem> problems) {
    return problems.stream().map(Problem::toString).toList();
  }

  static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
