package dev.stackback.agent;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's side of a streamed input (the coordinator's dump for a command's stdin, {@code
 * /v1/exec/input}): the request body's {@link Frames#INPUT} frames, each checked against its {@link
 * AgentAuth#inputMac} before a byte of it is handed on, read one frame at a time (nothing is
 * buffered beyond one frame: the coordinator is slowed down by TCP when the command reads slowly).
 * The input is over at the {@link Frames#INPUT_END} frame. A frame that fails its MAC, or a body
 * that breaks off before the end frame (the coordinator died or its connection broke), ends the
 * input at once and interrupts the thread that runs the command ({@link #stopOnBreak}): the command
 * is stopped, as when the coordinator's answer connection breaks.
 */
final class SignedInput extends InputStream {
  private final InputStream body;
  private final AgentAuth auth;
  private final String nonce;
  private final AtomicReference<String> problem = new AtomicReference<>();
  private volatile Thread command;
  private long seq;
  private byte[] frame = new byte[0];
  private int pos;
  private int end;
  private volatile boolean done;
  private volatile long bytes;

  /**
   * @param body the request body after its {@link Frames#REQUEST} frame
   * @param nonce the nonce of the request's (checked) signature
   */
  SignedInput(InputStream body, AgentAuth auth, String nonce) {
    this.body = body;
    this.auth = auth;
    this.nonce = nonce;
  }

  /** From now on a broken or forged input interrupts {@code t} (the thread of the command). */
  void stopOnBreak(Thread t) {
    command = t;
    if (problem.get() != null) {
      t.interrupt();
    }
  }

  /** Why the input was refused or broke off, if it did. */
  Optional<String> problem() {
    return Optional.ofNullable(problem.get());
  }

  /** Whether the input ended with its signed end frame. */
  boolean complete() {
    return done && problem.get() == null;
  }

  /** The input bytes handed on so far. */
  long bytes() {
    return bytes;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  /**
   * The next bytes of the input; -1 at its end, and also once it was refused or broke off (never an
   * exception: the engine's stdin copier would only print it; the command is being stopped).
   */
  @Override
  public synchronized int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    while (pos == end) {
      if (done || problem.get() != null || !next()) {
        return -1;
      }
    }
    int n = Math.min(len, end - pos);
    System.arraycopy(frame, pos, b, off, n);
    pos += n;
    bytes += n;
    return n;
  }

  /** Reads and checks the next frame; false when the input is over (ended, refused or broken). */
  private boolean next() {
    Frames.Frame f;
    try {
      f = Frames.read(body);
    } catch (IOException e) {
      return broken("the coordinator's input broke off after " + bytes + " bytes: " + e);
    }
    if (f == null) {
      return broken("the coordinator's input broke off after " + bytes + " bytes (no end frame)");
    }
    byte[] p = f.payload();
    int data = p.length - AgentAuth.INPUT_MAC_LENGTH;
    if ((f.type() != Frames.INPUT && f.type() != Frames.INPUT_END)
        || data < 0
        || (f.type() == Frames.INPUT_END && data != 0)) {
      return broken("input frame " + seq + " is malformed: refused");
    }
    byte[] expected = auth.inputMac(nonce, seq, f.type(), p, 0, data);
    byte[] given = java.util.Arrays.copyOfRange(p, data, p.length);
    if (!MessageDigest.isEqual(expected, given)) {
      return broken("input frame " + seq + " failed its signature: refused");
    }
    seq++;
    if (f.type() == Frames.INPUT_END) {
      done = true;
      return false;
    }
    frame = p;
    pos = 0;
    end = data;
    return true;
  }

  private boolean broken(String why) {
    if (problem.compareAndSet(null, why)) {
      Thread t = command;
      if (t != null) {
        t.interrupt();
      }
    }
    return false;
  }
}
