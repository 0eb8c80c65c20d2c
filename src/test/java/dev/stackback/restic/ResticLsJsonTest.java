package dev.stackback.restic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@code restic ls --json ID PATH} (0.14): the size of the dump file. */
class ResticLsJsonTest {
  static final List<String> OUTPUT =
      List.of(
          "{\"time\":\"2026-11-22T11:02:38.96Z\",\"paths\":[\"/databases/p/db/all.sql\"],"
              + "\"hostname\":\"h\",\"id\":\"5e8f\",\"short_id\":\"5e8f\",\"struct_type\":\"snapshot\"}",
          "{\"name\":\"p\",\"type\":\"dir\",\"path\":\"/databases/p\",\"struct_type\":\"node\"}",
          "{\"name\":\"all.sql\",\"type\":\"file\",\"path\":\"/databases/p/db/all.sql\",\"size\":3893,"
              + "\"mode\":420,\"struct_type\":\"node\"}");

  @Test
  void sizeOfTheFileNode() {
    assertEquals(
        OptionalLong.of(3893), ResticJson.parseFileSize(OUTPUT, "/databases/p/db/all.sql"));
  }

  @Test
  void noSuchFile_orADirectory_isEmpty() {
    assertTrue(ResticJson.parseFileSize(OUTPUT, "/databases/p/db/other.sql").isEmpty());
    assertTrue(ResticJson.parseFileSize(OUTPUT, "/databases/p").isEmpty());
  }

  @Test
  void filesOfASnapshot_onlyRegularFiles_withSizes() {
    assertEquals(
        List.of(new dev.stackback.port.Restic.FileNode("/databases/p/db/all.sql", 3893)),
        ResticJson.parseFiles(OUTPUT));
  }

  @Test
  void drillArguments_lsOfTheWholeSnapshot_restoreWithVerify() {
    assertEquals(List.of("restic", "ls", "--json", "5e8f"), ResticArgs.lsAll("5e8f"));
    assertEquals(
        List.of("restic", "restore", "5e8f", "--target", "/tmp/x", "--verify"),
        ResticArgs.restoreVerified("5e8f", java.nio.file.Path.of("/tmp/x")));
  }

  @Test
  void lsArguments() {
    assertEquals(
        List.of("restic", "ls", "--json", "5e8f", "/databases/p/db/all.sql"),
        ResticArgs.ls("5e8f", "/databases/p/db/all.sql"));
  }
}
