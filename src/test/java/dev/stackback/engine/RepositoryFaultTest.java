package dev.stackback.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ResticException;
import dev.stackback.port.ResticException.Kind;
import org.junit.jupiter.api.Test;

/** Which snapshot failures stop the backup phase (the repository) and which do not (the data). */
class RepositoryFaultTest {

  @Test
  void restic017ExitCodes_andKinds_areRepositoryFaults() {
    assertTrue(RepositoryFault.is(new ResticException(Kind.FAILED, 10, "restic backup failed")));
    assertTrue(RepositoryFault.is(new ResticException(Kind.FAILED, 11, "restic backup failed")));
    assertTrue(RepositoryFault.is(new ResticException(Kind.FAILED, 12, "restic backup failed")));
    assertTrue(RepositoryFault.is(new ResticException(Kind.LOCKED, 1, "x")));
    assertTrue(RepositoryFault.is(new ResticException(Kind.NO_REPOSITORY, 1, "x")));
    assertTrue(RepositoryFault.is(new ResticException(Kind.WRONG_PASSWORD, 1, "x")));
  }

  @Test
  void olderResticTexts_fullDiskLockedUnreachable_areRepositoryFaults() {
    // restic 0.14 on a full tmpfs, as seen on this machine
    assertTrue(
        fault(
            "restic backup failed (exit 1): Fatal: unable to save snapshot: write"
                + " /repo/data/86/866a-tmp-3562385761: no space left on device"));
    assertTrue(
        fault(
            "restic backup failed (exit 1): unable to create lock in backend: repository is"
                + " already locked exclusively by PID 11 on host by root"));
    assertTrue(fault("Fatal: unable to open config file: Stat: stat /repo/config: no such file"));
    assertTrue(fault("Fatal: unable to open repository at rest:http://x/: connection refused"));
  }

  @Test
  void dataFailures_areNot() {
    assertFalse(fault("restic backup failed (exit 1): Fatal: all source directories do not exist"));
    assertFalse(RepositoryFault.is(new ResticException(Kind.TIMEOUT, -1, "timed out after PT1H")));
    assertFalse(RepositoryFault.is(new ResticException(Kind.INCOMPLETE, 3, "x")));
    assertFalse(RepositoryFault.is(new ContainerRuntimeException("exec in container failed")));
  }

  private static boolean fault(String message) {
    return RepositoryFault.is(new ResticException(Kind.FAILED, 1, message));
  }
}
