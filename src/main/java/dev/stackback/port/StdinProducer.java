package dev.stackback.port;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes the data of a {@code restic backup --stdin} into restic's stdin. Returns true when the
 * data is complete and may be committed; false (or an exception) makes the adapter abort restic
 * with SIGINT so that no snapshot is left behind.
 */
@FunctionalInterface
public interface StdinProducer {
  boolean writeTo(OutputStream resticStdin) throws IOException;
}
