package dev.stackback.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecCallbackTest {
  private static final String MARKER = "stack-back-exec-pid-test";

  private static Frame frame(StreamType type, String text) {
    return new Frame(type, text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void pidMarkerAfterAFailedStdoutWrite_isStillRead_soTheCommandCanBeKilled() {
    List<String> stderr = new ArrayList<>();
    ExecCallback cb =
        new ExecCallback(
            bytes -> {
              throw new IOException("restic died");
            },
            () -> {},
            stderr::add,
            MARKER);

    // Docker does not order stdout and stderr frames: stdout may come first
    cb.onNext(frame(StreamType.STDOUT, "dump bytes"));
    cb.onNext(frame(StreamType.STDERR, MARKER + " 41\n"));
    cb.onNext(frame(StreamType.STDOUT, "more bytes"));

    assertNotNull(cb.writeFailure());
    assertEquals("41", cb.pid());
    assertEquals(List.of(), stderr);
  }
}
