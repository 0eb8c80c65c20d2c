package dev.stackback.state;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Which step of an ended run decided its outcome; shared by notifications and failure reports. */
public final class DecisiveStep {
  /** The run errors the engine gives when a hook stage fails the run ("a pre hook failed"). */
  private static final Pattern HOOK_STAGE_ERROR =
      Pattern.compile("^an? (pre|post|error|finally) hook failed");

  private DecisiveStep() {}

  /** Steps that went wrong: failed, timed out or incomplete. */
  public static List<StepRecord> wrong(RunRecord r) {
    return r.steps().stream().filter(DecisiveStep::wentWrong).toList();
  }

  /** Whether a step failed, timed out or was incomplete. */
  public static boolean wentWrong(StepRecord s) {
    return s.failed() || RunRecord.INCOMPLETE.equals(s.outcome());
  }

  /**
   * The step that decided the run's outcome, i.e. the one behind the record's error (the engine
   * keeps the first error that failed the run):
   *
   * <ul>
   *   <li>an {@code incomplete} run: its first incomplete snapshot;
   *   <li>a run failed by a hook stage ("a pre hook failed"): the last failed hook of that stage.
   *       An aborting hook ends its stage, so earlier failures there were {@code on-error:
   *       continue} hooks that did not fail the run;
   *   <li>else the first failed step that is not a hook (repository check, stop, snapshot, dump,
   *       start, maintenance, restore): each of those fails the run when it fails, and hook
   *       failures before it (continue or async hooks) did not;
   *   <li>else (an interrupted run, an old record) the first step that went wrong.
   * </ul>
   *
   * Error and finally hooks that fail after the run has already failed never decide it.
   */
  public static Optional<StepRecord> of(RunRecord r) {
    List<StepRecord> wrong = wrong(r);
    if (wrong.isEmpty()) {
      return Optional.empty();
    }
    if (RunRecord.INCOMPLETE.equals(r.state())) {
      Optional<StepRecord> incomplete =
          wrong.stream().filter(s -> RunRecord.INCOMPLETE.equals(s.outcome())).findFirst();
      if (incomplete.isPresent()) {
        return incomplete;
      }
    }
    Matcher hookStage = HOOK_STAGE_ERROR.matcher(r.error() == null ? "" : r.error());
    if (hookStage.find()) {
      String stage = hookStage.group(1);
      Optional<StepRecord> last =
          wrong.stream()
              .filter(s -> s.failed() && "hook".equals(s.kind()) && stage.equals(s.stage()))
              .reduce((a, b) -> b);
      if (last.isPresent()) {
        return last;
      }
    }
    Optional<StepRecord> nonHook =
        wrong.stream().filter(s -> s.failed() && !"hook".equals(s.kind())).findFirst();
    return nonHook.isPresent() ? nonHook : Optional.of(wrong.get(0));
  }
}
