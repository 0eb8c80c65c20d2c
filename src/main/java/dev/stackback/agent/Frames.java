package dev.stackback.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The agent's response framing: every answer is a sequence of frames in one chunked HTTP response,
 * each a type byte, a 4-byte big-endian length and that many bytes. Output frames may come in any
 * number; the answer ends with exactly one {@link #RESULT} (JSON) or {@link #FAILURE} (an error
 * message). {@link #HEARTBEAT}s come every {@link #HEARTBEAT_SECONDS} seconds while nothing else
 * does, so a dead agent or node is told apart from a quiet command. Every answer frame's payload
 * ends with its {@link AgentAuth#answerMac} (32 bytes; bound to the request's nonce and the frame's
 * number), which the coordinator checks before it uses the frame.
 */
final class Frames {
  /** A line the command wrote to stdout (UTF-8, no newline). */
  static final byte STDOUT_LINE = 'O';

  /** A line the command wrote to stderr. */
  static final byte STDERR_LINE = 'E';

  /** Raw bytes of the command's stdout, in order (a streamed dump). */
  static final byte STDOUT_BYTES = 'B';

  /** Nothing happened; the agent is alive. */
  static final byte HEARTBEAT = 'H';

  /** The operation's result as JSON; the last frame. */
  static final byte RESULT = 'R';

  /** The operation failed with this message; the last frame. */
  static final byte FAILURE = 'F';

  // ---- a streamed request body (/v1/exec/input): a request frame, input frames, an end frame ----

  /** The request's JSON, whose SHA-256 the request headers sign; the body's first frame. */
  static final byte REQUEST = 'J';

  /** Bytes for the command's stdin, followed by their {@link AgentAuth#inputMac} (32 bytes). */
  static final byte INPUT = 'I';

  /** The input ended (payload: its {@link AgentAuth#inputMac} over no data); the last frame. */
  static final byte INPUT_END = 'Z';

  /** The most input bytes in one frame. */
  static final int INPUT_CHUNK = 64 * 1024;

  static final int HEARTBEAT_SECONDS = 2;

  /** The largest frame accepted. */
  static final int MAX_FRAME = 4 * 1024 * 1024;

  /** Request and result JSON: records as they are, durations as seconds. */
  static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** One frame as read. */
  record Frame(byte type, byte[] payload) {}

  private Frames() {}

  static void write(OutputStream out, byte type, byte[] payload, int off, int len)
      throws IOException {
    byte[] head = {type, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len};
    out.write(head);
    out.write(payload, off, len);
  }

  /** The next frame, or null at the end of the stream. */
  static Frame read(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    int type = data.read();
    if (type < 0) {
      return null;
    }
    int len;
    try {
      len = data.readInt();
    } catch (EOFException e) {
      throw new IOException("the agent's answer ended inside a frame", e);
    }
    if (len < 0 || len > MAX_FRAME) {
      throw new IOException("bad frame length " + len);
    }
    byte[] payload = new byte[len];
    data.readFully(payload);
    return new Frame((byte) type, payload);
  }
}
