package dev.stackback.plan;

import dev.stackback.config.Config;
import dev.stackback.label.ContainerLabels;
import dev.stackback.label.DatabaseKind;
import dev.stackback.label.LabelKeys;
import dev.stackback.label.Problem;
import dev.stackback.plan.Target.SkippedMount;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.MountInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Decides what of one service is backed up: which mounts to which paths, which dump. */
final class TargetBuilder {
  private final Config config;
  private final List<Problem> warnings;

  TargetBuilder(Config config, List<Problem> warnings) {
    this.config = config;
    this.warnings = warnings;
  }

  Optional<Target> build(Service s) {
    ContainerLabels labels = s.labels();
    Optional<DatabaseDump> dump = dump(s);
    boolean volumesOn = labels.volumes().orElse(config.autoBackupAll());
    List<VolumeSnapshot> volumes = new ArrayList<>();
    List<SkippedMount> skipped = new ArrayList<>();
    if (volumesOn) {
      selectMounts(s, dump.map(DatabaseDump::kind), volumes, skipped);
      if (volumes.isEmpty() && dump.isEmpty() && labels.volumes().orElse(false)) {
        warnings.add(
            Problem.label(
                s.primary().name(),
                LabelKeys.key(LabelKeys.VOLUMES),
                "no volume or bind mount is left to back up"));
      }
    }
    if (volumes.isEmpty() && dump.isEmpty()) {
      return Optional.empty();
    }
    if (labels.stopDuringBackup() && volumes.isEmpty()) {
      warnings.add(
          Problem.label(
              s.primary().name(),
              LabelKeys.key(LabelKeys.STOP_DURING_BACKUP),
              "ignored: no volume of this container is backed up (dumps run while it runs)"));
    }
    return Optional.of(new Target(s, volumes, skipped, dump, labels.stopDuringBackup(), tags(s)));
  }

  private List<String> tags(Service s) {
    List<String> tags = new ArrayList<>(List.of("stack-back"));
    if (!s.project().isEmpty()) {
      tags.add("project=" + s.project());
    }
    tags.add("service=" + s.name());
    String node = config.swarmMode() ? s.primary().label(LabelKeys.SWARM_NODE) : null;
    if (node != null && !node.isEmpty()) {
      tags.add("node=" + node); // issue 11: which node's volume this is
    }
    return tags;
  }

  private String root(String kind, Service s) {
    boolean withProject = config.includeProjectName() && !s.project().isEmpty();
    return "/" + kind + (withProject ? "/" + s.project() : "") + "/" + s.name();
  }

  // --- databases ---

  private Optional<DatabaseDump> dump(Service s) {
    ContainerInfo c = s.primary();
    Optional<DatabaseKind> kind = s.labels().database();
    String by = kind.map(k -> "label '" + LabelKeys.key(k.labelSuffix()) + "'").orElse(null);
    if (kind.isEmpty() && config.autoBackupAll() && !hasDatabaseLabel(c)) {
      kind = DatabaseDetector.detect(c.image());
      by = "image '" + c.image() + "' (AUTO_BACKUP_ALL)";
    }
    if (kind.isEmpty()) {
      return Optional.empty();
    }
    boolean all = kind.get() != DatabaseKind.POSTGRES || postgresAll(s);
    String file = all ? "all_databases.sql" : postgresDb(c) + ".sql";
    return Optional.of(new DatabaseDump(kind.get(), all, root("databases", s) + "/" + file, by));
  }

  private static boolean hasDatabaseLabel(ContainerInfo c) {
    for (DatabaseKind k : DatabaseKind.values()) {
      if (c.labels().containsKey(LabelKeys.key(k.labelSuffix()))
          || c.labels().containsKey(LabelKeys.legacyKey(k.labelSuffix()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean postgresAll(Service s) {
    ContainerInfo c = s.primary();
    return s.labels().postgresAll()
        || (blank(c.env().get("POSTGRES_DB")) && blank(c.env().get("POSTGRES_DB_FILE")));
  }

  /** The database name for the dump's file name; a *_FILE secret is only read at dump time. */
  private static String postgresDb(ContainerInfo c) {
    String db = c.env().get("POSTGRES_DB");
    return blank(db) ? "database" : db.trim().replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  // --- mounts ---

  private void selectMounts(
      Service s,
      Optional<DatabaseKind> db,
      List<VolumeSnapshot> volumes,
      List<SkippedMount> skipped) {
    ContainerInfo c = s.primary();
    List<String> include = s.labels().include();
    List<String> exclude = s.labels().exclude();
    String dataDir = db.map(k -> dataDir(k, c)).orElse(null);
    List<MountInfo> mounts =
        c.mounts().stream().sorted(Comparator.comparing(MountInfo::destination)).toList();
    for (MountInfo m : mounts) {
      String why = skipReason(m, include, exclude, dataDir);
      if (why != null) {
        skipped.add(new SkippedMount(m.destination(), why));
      } else {
        volumes.add(new VolumeSnapshot(m, root("volumes", s) + normalise(m.destination())));
      }
    }
  }

  private String skipReason(
      MountInfo m, List<String> include, List<String> exclude, String dataDir) {
    if (m.type() != MountInfo.Type.VOLUME && m.type() != MountInfo.Type.BIND) {
      return m.type().name().toLowerCase(Locale.ROOT) + " mount";
    }
    if (m.isDockerSocket()) {
      return "Docker socket";
    }
    if (m.type() == MountInfo.Type.BIND && config.excludeBindMounts()) {
      return "bind mount (EXCLUDE_BIND_MOUNTS)";
    }
    if (!include.isEmpty() && include.stream().noneMatch(t -> matches(m, t))) {
      return "not matched by volumes.include";
    }
    if (exclude.stream().anyMatch(t -> matches(m, t))) {
      return "matched by volumes.exclude";
    }
    if (dataDir != null && overlaps(normalise(m.destination()), dataDir)) {
      return "database data directory (the dump covers it)";
    }
    return null;
  }

  private static boolean matches(MountInfo m, String token) {
    return (m.name() != null && m.name().contains(token))
        || m.destination().contains(token)
        || m.source().contains(token);
  }

  private static String dataDir(DatabaseKind kind, ContainerInfo c) {
    String dir = kind == DatabaseKind.POSTGRES ? c.env().get("PGDATA") : null;
    return normalise(blank(dir) ? kind.defaultDataDir() : dir);
  }

  private static boolean overlaps(String mount, String dataDir) {
    return mount.equals(dataDir)
        || dataDir.startsWith(mount + "/")
        || mount.startsWith(dataDir + "/")
        || mount.equals("/");
  }

  private static String normalise(String path) {
    String p = path.replaceAll("/+", "/");
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }
}
