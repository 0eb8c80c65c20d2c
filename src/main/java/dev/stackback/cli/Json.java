package dev.stackback.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.stackback.state.RunStore;
import java.io.PrintWriter;

/** Prints JSON with the shared mapper. */
final class Json {
  private Json() {}

  static void print(PrintWriter out, Object value) {
    try {
      out.println(RunStore.json().writeValueAsString(value));
      out.flush();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }
}
