package dev.stackback.plan;

import static dev.stackback.plan.Containers.config;
import static dev.stackback.plan.Containers.ok;
import static dev.stackback.plan.Containers.plan;
import static dev.stackback.plan.Containers.self;
import static dev.stackback.plan.Containers.snapshotPaths;
import static dev.stackback.plan.Containers.strings;
import static dev.stackback.plan.Containers.svc;
import static dev.stackback.plan.Containers.targetNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.config.Config;
import dev.stackback.label.DatabaseKind;
import dev.stackback.plan.Target.SkippedMount;
import dev.stackback.port.ContainerInfo;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What of each service is backed up, to which snapshot paths, with which tags. */
class PlannerTargetTest {
  private final ContainerInfo me = self().build();

  private Target only(Config config, ContainerInfo c) {
    Plan p = ok(config, me, c);
    assertEquals(1, p.targets().size(), "targets: " + targetNames(p));
    return p.targets().get(0);
  }

  // --- snapshot paths ---

  @Test
  void volumePaths_areVolumesServiceDestination() {
    Target t =
        only(
            config(),
            svc("app", "web")
                .sb("volumes", "true")
                .volume("app_data", "/var/www/data/")
                .bind("/srv/conf", "/etc/nginx")
                .build());
    assertEquals(List.of("/volumes/web/etc/nginx", "/volumes/web/var/www/data"), snapshotPaths(t));
  }

  @Test
  void volumePaths_withIncludeProjectName_haveTheProject() {
    Target t =
        only(
            config("INCLUDE_PROJECT_NAME", "true"),
            svc("app", "web").sb("volumes", "true").volume("app_data", "/data").build());
    assertEquals(List.of("/volumes/app/web/data"), snapshotPaths(t));
  }

  @Test
  void tagsAndHost_defaultToTheProject() {
    Plan p = ok(config(), me, svc("app", "web").sb("volumes", "true").volume("d", "/d").build());
    assertEquals("app", p.host());
    assertEquals(List.of("stack-back", "project=app", "service=web"), p.targets().get(0).tags());
  }

  @Test
  void host_isBackupHostWhenSet() {
    Plan p =
        ok(
            config("BACKUP_HOST", "nas-1"),
            me,
            svc("app", "web").sb("volumes", "true").volume("d", "/d").build());
    assertEquals("nas-1", p.host());
    assertEquals(List.of("stack-back", "project=app", "service=web"), p.targets().get(0).tags());
  }

  // --- include / exclude ---

  @Test
  void include_thenExclude_tokensMatchVolumeNameDestinationOrSource() {
    Target t =
        only(
            config(),
            svc("app", "web")
                .sb("volumes", "true")
                .sb("volumes.include", " app_files , /srv/conf, /var/cache ")
                .sb("volumes.exclude", "tmp")
                .volume("app_files", "/files") // included by volume name
                .bind("/srv/conf", "/etc/app") // included by source
                .volume("cache", "/var/cache") // included by destination
                .volume("app_files_tmp", "/files-tmp") // included, then excluded by name
                .volume("logs", "/var/log") // not included
                .build());
    assertEquals(
        List.of("/volumes/web/etc/app", "/volumes/web/files", "/volumes/web/var/cache"),
        snapshotPaths(t));
    assertEquals(
        List.of(
            new SkippedMount("/files-tmp", "matched by volumes.exclude"),
            new SkippedMount("/var/log", "not matched by volumes.include")),
        t.skippedMounts());
  }

  @Test
  void excludeOnly_dropsMatchingMountsByDestination() {
    Target t =
        only(
            config(),
            svc("app", "web")
                .sb("volumes", "true")
                .sb("volumes.exclude", "/cache")
                .volume("a", "/data")
                .volume("b", "/cache")
                .build());
    assertEquals(List.of("/volumes/web/data"), snapshotPaths(t));
  }

  @Test
  void excludeBindMounts_skipsBinds() {
    Target t =
        only(
            config("EXCLUDE_BIND_MOUNTS", "true"),
            svc("app", "web")
                .sb("volumes", "true")
                .volume("a", "/data")
                .bind("/srv/x", "/x")
                .build());
    assertEquals(List.of("/volumes/web/data"), snapshotPaths(t));
    assertEquals(
        List.of(new SkippedMount("/x", "bind mount (EXCLUDE_BIND_MOUNTS)")), t.skippedMounts());
  }

  @Test
  void tmpfsAndDockerSocket_areSkipped() {
    Target t =
        only(
            config(),
            svc("app", "web")
                .sb("volumes", "true")
                .volume("a", "/data")
                .tmpfs("/run/tmp")
                .bind("/var/run/docker.sock", "/var/run/docker.sock")
                .bind("/run/user/1000/docker.sock", "/tmp/d.sock")
                .build());
    assertEquals(List.of("/volumes/web/data"), snapshotPaths(t));
    assertEquals(
        List.of(
            new SkippedMount("/run/tmp", "tmpfs mount"),
            new SkippedMount("/tmp/d.sock", "Docker socket"),
            new SkippedMount("/var/run/docker.sock", "Docker socket")),
        t.skippedMounts());
  }

  @Test
  void volumesLabelWithNothingLeft_isWarningAndNoTarget() {
    PlanResult r = plan(config(), me, svc("app", "web").sb("volumes", "true").tmpfs("/t").build());
    assertEquals(List.of(), r.plan().orElseThrow().targets());
    assertEquals(
        List.of(
            "container 'app-web-1': label 'stack-back.volumes': no volume or bind mount is left to"
                + " back up"),
        strings(r.warnings()));
  }

  @Test
  void stopDuringBackup_isCarried() {
    Target t =
        only(
            config(),
            svc("app", "web")
                .sb("volumes", "true")
                .sb("volumes.stop-during-backup", "true")
                .volume("a", "/data")
                .build());
    assertTrue(t.stopDuringBackup());
    assertTrue(t.stops());
  }

  // --- AUTO_BACKUP_ALL ---

  @Test
  void unlabelledContainer_isNoTargetWithoutAutoBackupAll() {
    Plan p = ok(config(), me, svc("app", "web").volume("a", "/data").build());
    assertEquals(List.of(), p.targets());
    assertEquals(List.of(), p.hookOnly());
  }

  @Test
  void autoBackupAll_backsUpUnlabelled_butVolumesFalseWins() {
    Plan p =
        ok(
            config("AUTO_BACKUP_ALL", "true"),
            me,
            svc("app", "web").volume("a", "/data").build(),
            svc("app", "cache").sb("volumes", "false").volume("c", "/cache").build());
    assertEquals(List.of("app/web"), targetNames(p));
    assertEquals(List.of("/volumes/web/data"), snapshotPaths(p.targets().get(0)));
  }

  // --- databases ---

  @Test
  void postgresWithPostgresDb_isPgDumpOfThatDatabase() {
    Target t =
        only(config(), svc("app", "db").sb("postgres", "true").env("POSTGRES_DB", "shop").build());
    assertEquals(
        Optional.of(
            new DatabaseDump(
                DatabaseKind.POSTGRES,
                false,
                "/databases/db/shop.sql",
                "label 'stack-back.postgres'")),
        t.dump());
    assertEquals(List.of(), t.volumes());
  }

  @Test
  void postgresWithoutPostgresDb_isAllDatabases() {
    Target t = only(config(), svc("app", "db").sb("postgres", "true").build());
    assertEquals(
        Optional.of(
            new DatabaseDump(
                DatabaseKind.POSTGRES,
                true,
                "/databases/db/all_databases.sql",
                "label 'stack-back.postgres'")),
        t.dump());
  }

  @Test
  void postgresAllLabel_isAllDatabasesEvenWithPostgresDb() {
    Target t =
        only(
            config(),
            svc("app", "db")
                .sb("postgres", "true")
                .sb("postgres.all", "true")
                .env("POSTGRES_DB", "shop")
                .build());
    assertEquals("/databases/db/all_databases.sql", t.dump().orElseThrow().snapshotPath());
    assertTrue(t.dump().orElseThrow().allDatabases());
  }

  @Test
  void postgresDump_withIncludeProjectName_hasTheProject() {
    Target t =
        only(
            config("INCLUDE_PROJECT_NAME", "true"),
            svc("app", "db").sb("postgres", "true").env("POSTGRES_DB", "shop").build());
    assertEquals("/databases/app/db/shop.sql", t.dump().orElseThrow().snapshotPath());
  }

  @ParameterizedTest
  @CsvSource({"mysql, MYSQL", "mariadb, MARIADB"})
  void mysqlAndMariadb_areAllDatabases(String label, DatabaseKind kind) {
    Target t =
        only(config(), svc("app", "db").sb(label, "true").env("MYSQL_DATABASE", "shop").build());
    assertEquals(
        Optional.of(
            new DatabaseDump(
                kind, true, "/databases/db/all_databases.sql", "label 'stack-back." + label + "'")),
        t.dump());
  }

  @Test
  void legacyDatabaseLabel_isADump() {
    Target t =
        only(config(), svc("app", "db").label("restic-compose-backup.mariadb", "true").build());
    assertEquals(DatabaseKind.MARIADB, t.dump().orElseThrow().kind());
  }

  @Test
  void postgresDataDirectory_isSkippedWhenVolumesAreOn() {
    Target t =
        only(
            config(),
            svc("app", "db")
                .sb("postgres", "true")
                .sb("volumes", "true")
                .volume("pgdata", "/var/lib/postgresql/data")
                .volume("dumps", "/backups")
                .build());
    assertEquals(List.of("/volumes/db/backups"), snapshotPaths(t));
    assertEquals(
        List.of(
            new SkippedMount(
                "/var/lib/postgresql/data", "database data directory (the dump covers it)")),
        t.skippedMounts());
  }

  @Test
  void pgdataVariable_movesTheDataDirectory() {
    Target t =
        only(
            config(),
            svc("app", "db")
                .sb("postgres", "true")
                .sb("volumes", "true")
                .env("PGDATA", "/pgdata/16")
                .volume("pgdata", "/pgdata")
                .volume("other", "/var/lib/postgresql/data")
                .build());
    assertEquals(List.of("/volumes/db/var/lib/postgresql/data"), snapshotPaths(t));
    assertEquals(
        List.of(new SkippedMount("/pgdata", "database data directory (the dump covers it)")),
        t.skippedMounts());
  }

  @ParameterizedTest
  @ValueSource(strings = {"mysql", "mariadb"})
  void mysqlDataDirectory_isSkippedWhenVolumesAreOn(String label) {
    Target t =
        only(
            config(),
            svc("app", "db")
                .sb(label, "true")
                .sb("volumes", "true")
                .volume("mysql", "/var/lib/mysql")
                .volume("conf", "/etc/mysql/conf.d")
                .build());
    assertEquals(List.of("/volumes/db/etc/mysql/conf.d"), snapshotPaths(t));
  }

  @ParameterizedTest
  @CsvSource({
    "postgres:16, POSTGRES",
    "docker.io/library/postgres:16, POSTGRES",
    "ghcr.io/x/postgis:16-3.4, POSTGRES",
    "timescale/timescaledb:latest-pg16, POSTGRES",
    "mariadb:11, MARIADB",
    "mysql:8, MYSQL"
  })
  void autoBackupAll_detectsDatabaseImages(String image, DatabaseKind kind) {
    Target t =
        only(
            config("AUTO_BACKUP_ALL", "true"),
            svc("app", "db").image(image).volume("data", kind.defaultDataDir()).build());
    DatabaseDump dump = t.dump().orElseThrow();
    assertEquals(kind, dump.kind());
    assertEquals("image '" + image + "' (AUTO_BACKUP_ALL)", dump.detectedBy());
    assertEquals(List.of(), t.volumes(), "data directory is covered by the dump");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "prometheuscommunity/postgres-exporter",
        "wrouesnel/postgres_exporter:latest",
        "adminer",
        "mysqld-exporter",
        "ghcr.io/example/not-postgres:1"
      })
  void autoBackupAll_doesNotTakeHelpersForDatabases(String image) {
    Plan p = ok(config("AUTO_BACKUP_ALL", "true"), me, svc("app", "db").image(image).build());
    assertEquals(List.of(), p.targets());
  }

  @Test
  void withoutAutoBackupAll_databaseImageIsNotDumped() {
    Plan p = ok(config(), me, svc("app", "db").image("postgres:16").build());
    assertEquals(List.of(), p.targets());
  }

  @Test
  void autoBackupAll_explicitDatabaseFalse_isNotDumped() {
    Plan p =
        ok(
            config("AUTO_BACKUP_ALL", "true"),
            me,
            svc("app", "db").image("postgres:16").sb("postgres", "false").build());
    assertEquals(List.of(), p.targets());
  }

  @Test
  void autoBackupAll_volumesFalse_stillDumpsDetectedDatabase() {
    // current behaviour (as the Python tool): volumes=false turns off volumes, not the dump
    Target t =
        only(
            config("AUTO_BACKUP_ALL", "true"),
            svc("app", "db")
                .image("postgres:16")
                .sb("volumes", "false")
                .volume("pg", "/var/lib/postgresql/data")
                .volume("x", "/x")
                .build());
    assertEquals(List.of(), t.volumes());
    assertEquals(DatabaseKind.POSTGRES, t.dump().orElseThrow().kind());
  }

  // --- path collisions ---

  @Test
  void sameServiceInTwoProjects_allProjectsImpliesProjectName_asInPython_noCollision() {
    // INCLUDE_ALL_COMPOSE_PROJECTS puts the project in the paths (it used to be a collision)
    Plan p =
        ok(
            config("INCLUDE_ALL_COMPOSE_PROJECTS", "true"),
            me,
            svc("app", "web").sb("volumes", "true").volume("a", "/data").build(),
            svc("blog", "web").sb("volumes", "true").volume("b", "/data").build());
    assertEquals(
        List.of(List.of("/volumes/app/web/data"), List.of("/volumes/blog/web/data")),
        p.targets().stream().map(Containers::snapshotPaths).toList());
  }

  @Test
  void sameServiceInTwoProjects_withProjectName_isFine() {
    Plan p =
        ok(
            config("INCLUDE_ALL_COMPOSE_PROJECTS", "true", "INCLUDE_PROJECT_NAME", "true"),
            me,
            svc("app", "web").sb("volumes", "true").volume("a", "/data").build(),
            svc("blog", "web").sb("volumes", "true").volume("b", "/data").build());
    assertEquals(List.of("app/web", "blog/web"), targetNames(p));
    assertEquals(
        List.of(List.of("/volumes/app/web/data"), List.of("/volumes/blog/web/data")),
        p.targets().stream().map(Containers::snapshotPaths).toList());
    assertEquals(List.of("stack-back", "project=blog", "service=web"), p.targets().get(1).tags());
  }

  @Test
  void stopDuringBackupWithoutVolumes_isWarning() {
    PlanResult r =
        plan(
            config(),
            me,
            svc("app", "db")
                .sb("postgres", "true")
                .sb("volumes.stop-during-backup", "true")
                .build());
    Target t = r.plan().orElseThrow().targets().get(0);
    assertFalse(t.stops());
    assertEquals(
        List.of(
            "container 'app-db-1': label 'stack-back.volumes.stop-during-backup': ignored: no"
                + " volume of this container is backed up (dumps run while it runs)"),
        strings(r.warnings()));
  }
}
