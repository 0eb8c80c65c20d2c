package dev.stackback.restic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackback.port.ResticException.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResticExitCodesTest {

  @Test
  void newResticCodes() {
    assertEquals(Kind.INCOMPLETE, ResticExitCodes.classify(3, List.of()));
    assertEquals(Kind.NO_REPOSITORY, ResticExitCodes.classify(10, List.of()));
    assertEquals(Kind.LOCKED, ResticExitCodes.classify(11, List.of()));
    assertEquals(Kind.WRONG_PASSWORD, ResticExitCodes.classify(12, List.of()));
    assertEquals(Kind.FAILED, ResticExitCodes.classify(1, List.of("Fatal: something else")));
  }

  @Test
  void restic014_exit1_decidedByRealMessages() {
    assertEquals(
        Kind.NO_REPOSITORY,
        ResticExitCodes.classify(
            1,
            List.of(
                "Fatal: unable to open config file: stat /tmp/rs/repo/config: no such file or"
                    + " directory",
                "Is there a repository at the following location?",
                "/tmp/rs/repo")));
    assertEquals(
        Kind.WRONG_PASSWORD,
        ResticExitCodes.classify(1, List.of("Fatal: wrong password or no key found")));
    assertEquals(
        Kind.LOCKED,
        ResticExitCodes.classify(
            1,
            List.of(
                "unable to create lock in backend: repository is already locked by PID 5291 on vm"
                    + " by root (UID 0, GID 0)",
                "lock was created at 2026-11-22 10:46:53 (2.719369088s ago)")));
  }
}
