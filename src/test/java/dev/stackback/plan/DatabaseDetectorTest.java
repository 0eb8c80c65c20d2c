package dev.stackback.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackback.label.DatabaseKind;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseDetectorTest {

  @ParameterizedTest
  @CsvSource({
    "postgres:16, POSTGRES",
    "postgres, POSTGRES",
    "docker.io/library/postgres:16, POSTGRES",
    "registry.example.com:5000/lib/postgres:16, POSTGRES",
    "ghcr.io/x/postgis:16-3.4, POSTGRES",
    "postgis/postgis:16-3.4@sha256:abcdef, POSTGRES",
    "timescale/timescaledb:latest-pg16, POSTGRES",
    "timescale/timescaledb-ha:pg16, POSTGRES",
    "bitnami/postgresql:16, POSTGRES",
    "pgvector/pgvector:pg16, POSTGRES",
    "POSTGRES:16, POSTGRES",
    "mariadb:11, MARIADB",
    "bitnami/mariadb:11, MARIADB",
    "mysql:8, MYSQL",
    "percona:8, MYSQL"
  })
  void detect_recognisesDatabaseImages(String image, DatabaseKind kind) {
    assertEquals(Optional.of(kind), DatabaseDetector.detect(image));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "prometheuscommunity/postgres-exporter",
        "prometheuscommunity/postgres-exporter:v0.15",
        "wrouesnel/postgres_exporter",
        "adminer",
        "adminer:4",
        "dpage/pgadmin4",
        "prom/mysqld-exporter",
        "postgres-backup-local",
        "mysql-backup",
        "ghcr.io/postgres/not-a-db:1",
        "stack-back-postgres",
        ""
      })
  void detect_ignoresHelpersNamedAfterDatabases(String image) {
    assertEquals(Optional.empty(), DatabaseDetector.detect(image));
  }

  @ParameterizedTest
  @CsvSource({
    "ghcr.io/org/postgis:16-3.4@sha256:ab, postgis",
    "localhost:5000/postgres, postgres",
    "postgres, postgres"
  })
  void repositoryName_stripsRegistryNamespaceTagAndDigest(String image, String expected) {
    assertEquals(expected, DatabaseDetector.repositoryName(image));
  }
}
