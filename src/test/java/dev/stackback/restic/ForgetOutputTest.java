package dev.stackback.restic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackback.engine.ForgetReport;
import dev.stackback.port.ForgetSummary;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** forget + prune output captured from real restic 0.14.0 and 0.19.1 runs. */
class ForgetOutputTest {

  @Test
  void forgetAndPrune_0_14() throws IOException {
    Optional<ForgetSummary> s =
        ForgetOutput.summarize(ResticJsonTest.lines("forget-prune-0.14.txt"));
    assertEquals(Optional.of(new ForgetSummary(1, 2, OptionalLong.of(165384552))), s);
    assertEquals(
        "kept 1, removed 2 snapshots; prune freed 158 MiB", ForgetReport.describe(s, List.of()));
  }

  @Test
  void forgetAndPrune_0_19() throws IOException {
    Optional<ForgetSummary> s =
        ForgetOutput.summarize(ResticJsonTest.lines("forget-prune-0.19.txt"));
    assertEquals(Optional.of(new ForgetSummary(1, 2, OptionalLong.of(10489954))), s);
    assertEquals(
        "kept 1, removed 2 snapshots; prune freed 10 MiB", ForgetReport.describe(s, List.of()));
  }

  @Test
  void nothingToForget_noPruneRuns() throws IOException {
    Optional<ForgetSummary> s =
        ForgetOutput.summarize(ResticJsonTest.lines("forget-nothing-0.14.txt"));
    assertEquals(Optional.of(new ForgetSummary(1, 0, OptionalLong.empty())), s);
    assertEquals(
        "kept 1, removed 0 snapshots; nothing to prune", ForgetReport.describe(s, List.of()));
  }

  @Test
  void severalGroups_areSummed() {
    List<String> lines =
        List.of(
            "snapshots for (host [h], paths [/volumes/app]):",
            "keep 7 snapshots:",
            "remove 1 snapshot:",
            "snapshots for (host [h], paths [/databases/db/dump.sql]):",
            "keep 5 snapshots:",
            "remove 2 snapshots:",
            "total prune:          14 blobs / 0 B");
    assertEquals(
        Optional.of(new ForgetSummary(12, 3, OptionalLong.of(0))), ForgetOutput.summarize(lines));
  }

  @Test
  void outputWithoutTables_saysHowManyLines() {
    List<String> lines = List.of("something else");
    assertEquals(Optional.empty(), ForgetOutput.summarize(lines));
    assertEquals("1 line(s) of output", ForgetReport.describe(Optional.empty(), lines));
  }
}
