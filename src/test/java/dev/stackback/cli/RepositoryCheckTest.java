package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stackback.engine.fakes.FakeRestic;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.port.Restic;
import dev.stackback.port.ResticException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The background repository check hands over restic's answer or the very exception it threw. */
class RepositoryCheckTest {
  final Journal journal = new Journal();

  @Test
  void answer_handedOver_resticAskedOnce() {
    try (RepositoryCheck check = RepositoryCheck.start(new FakeRestic(journal))) {
      assertEquals(Restic.RepositoryState.EXISTING, check.get());
      assertEquals(Restic.RepositoryState.EXISTING, check.get());
    }
    assertEquals(List.of("restic ensureRepository"), journal.entries());
  }

  @Test
  void failure_theSameExceptionRethrown() {
    ResticException wrong =
        new ResticException(ResticException.Kind.WRONG_PASSWORD, 12, "wrong password");
    journal.on("restic ensureRepository").throwing(wrong);

    try (RepositoryCheck check = RepositoryCheck.start(new FakeRestic(journal))) {
      assertSame(wrong, assertThrows(ResticException.class, check::get));
    }
  }

  @Test
  void nobodyAsks_closeWaitsForTheCheck() {
    RepositoryCheck check = RepositoryCheck.start(new FakeRestic(journal));
    check.close();
    assertEquals(List.of("restic ensureRepository"), journal.entries());
  }
}
