package dev.stackback.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a run record's JSON (as {@link RunStore} writes it with Jackson) without Jackson: the
 * daemon's {@code /metrics} and {@code /healthz} read records every minute, and Jackson's ~460
 * classes would stay loaded in the idle daemon. A small JSON parser to maps and lists, then the
 * record's fields by name; unknown fields are ignored, as Jackson is told to.
 */
final class RecordJson {
  private final String s;
  private int i;

  private RecordJson(String s) {
    this.s = s;
  }

  /**
   * The record in {@code json}.
   *
   * @throws IllegalArgumentException when it is not JSON or not a record
   */
  static RunRecord read(String json) {
    if (!(parse(json) instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("a run record is a JSON object");
    }
    List<StepRecord> steps = new ArrayList<>();
    for (Object o : list(m.get("steps"))) {
      if (o instanceof Map<?, ?> st) {
        steps.add(
            new StepRecord(
                str(st.get("kind")),
                str(st.get("name")),
                str(st.get("stage")),
                str(st.get("service")),
                str(st.get("outcome")),
                instant(st.get("startedAt")),
                num(st.get("durationMs"), 0L).longValue(),
                integer(st.get("exitCode")),
                num(st.get("attempts"), 0L).intValue(),
                str(st.get("message")),
                strings(st.get("tail")),
                optionalLong(st.get("bytesAdded")),
                optionalLong(st.get("bytesRead"))));
      }
    }
    return new RunRecord(
        str(m.get("id")),
        str(m.get("trigger")),
        str(m.get("state")),
        num(m.get("pid"), 0L).longValue(),
        str(m.get("host")),
        instant(m.get("startedAt")),
        instant(m.get("endedAt")),
        integer(m.get("exitCode")),
        strings(m.get("stopped")),
        steps,
        str(m.get("error")),
        str(m.get("reason")),
        anomalies(m.get("anomalies")),
        failure(m.get("failure")));
  }

  private static List<Anomaly> anomalies(Object o) {
    List<Anomaly> out = new ArrayList<>();
    for (Object a : list(o)) {
      if (a instanceof Map<?, ?> an) {
        out.add(
            new Anomaly(
                str(an.get("type")),
                str(an.get("step")),
                str(an.get("service")),
                num(an.get("value"), 0L).longValue(),
                num(an.get("median"), 0L).longValue(),
                num(an.get("priorRuns"), 0L).intValue(),
                str(an.get("message"))));
      }
    }
    return out;
  }

  private static FailureReport failure(Object o) {
    if (!(o instanceof Map<?, ?> f)) {
      return null;
    }
    List<FailureReport.ContainerReport> containers = new ArrayList<>();
    for (Object c : list(f.get("containers"))) {
      if (c instanceof Map<?, ?> cm) {
        containers.add(
            new FailureReport.ContainerReport(
                str(cm.get("step")),
                str(cm.get("id")),
                str(cm.get("name")),
                str(cm.get("status")),
                integer(cm.get("exitCode")),
                Boolean.TRUE.equals(cm.get("oomKilled")),
                num(cm.get("restartCount"), 0L).intValue(),
                str(cm.get("health")),
                str(cm.get("error")),
                strings(cm.get("logTail")),
                strings(cm.get("events"))));
      }
    }
    return new FailureReport(
        str(f.get("step")),
        str(f.get("kind")),
        str(f.get("service")),
        str(f.get("outcome")),
        integer(f.get("exitCode")),
        str(f.get("message")),
        strings(f.get("tail")),
        containers,
        strings(f.get("notes")));
  }

  /**
   * {@code json} as maps, lists, strings, numbers, booleans and nulls.
   *
   * @throws IllegalArgumentException when it is not JSON
   */
  static Object parse(String json) {
    RecordJson p = new RecordJson(json);
    Object v = p.value();
    p.ws();
    if (p.i != json.length()) {
      throw p.error("trailing characters");
    }
    return v;
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }

  private static Number num(Object o, Number otherwise) {
    return o instanceof Number n ? n : otherwise;
  }

  private static Long optionalLong(Object o) {
    return o instanceof Number n ? n.longValue() : null;
  }

  private static Integer integer(Object o) {
    return o instanceof Number n ? n.intValue() : null;
  }

  private static Instant instant(Object o) {
    if (o instanceof Number n) { // Jackson's numeric form: seconds.nanos
      return Instant.ofEpochMilli(Math.round(n.doubleValue() * 1000));
    }
    return o == null ? null : Instant.parse(o.toString());
  }

  private static List<?> list(Object o) {
    return o instanceof List<?> l ? l : List.of();
  }

  private static List<String> strings(Object o) {
    return list(o).stream().map(RecordJson::str).toList();
  }

  // ---- JSON ------------------------------------------------------------------------------------

  private Object value() {
    ws();
    if (i >= s.length()) {
      throw error("unexpected end");
    }
    char c = s.charAt(i);
    return switch (c) {
      case '{' -> object();
      case '[' -> array();
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> number();
    };
  }

  private Map<String, Object> object() {
    Map<String, Object> m = new LinkedHashMap<>();
    i++;
    ws();
    if (peek('}')) {
      i++;
      return m;
    }
    while (true) {
      ws();
      if (!peek('"')) {
        throw error("expected a field name");
      }
      String k = string();
      ws();
      expect(':');
      m.put(k, value());
      ws();
      if (peek(',')) {
        i++;
      } else {
        expect('}');
        return m;
      }
    }
  }

  private List<Object> array() {
    List<Object> l = new ArrayList<>();
    i++;
    ws();
    if (peek(']')) {
      i++;
      return l;
    }
    while (true) {
      l.add(value());
      ws();
      if (peek(',')) {
        i++;
      } else {
        expect(']');
        return l;
      }
    }
  }

  private String string() {
    i++; // the opening quote
    StringBuilder b = new StringBuilder();
    while (true) {
      if (i >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(i++);
      if (c == '"') {
        return b.toString();
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (i >= s.length()) {
        throw error("unterminated escape");
      }
      char e = s.charAt(i++);
      switch (e) {
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (i + 4 > s.length()) {
            throw error("short \\u escape");
          }
          b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          i += 4;
        }
        default -> b.append(e); // \" \\ \/
      }
    }
  }

  private Number number() {
    int start = i;
    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    String t = s.substring(start, i);
    if (t.isEmpty()) {
      throw error("unexpected character");
    }
    try {
      return t.contains(".") || t.contains("e") || t.contains("E")
          ? Double.parseDouble(t)
          : Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw error("bad number '" + t + "'");
    }
  }

  private Object literal(String word, Object v) {
    if (!s.startsWith(word, i)) {
      throw error("unexpected character");
    }
    i += word.length();
    return v;
  }

  private void ws() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
  }

  private boolean peek(char c) {
    return i < s.length() && s.charAt(i) == c;
  }

  private void expect(char c) {
    if (!peek(c)) {
      throw error("expected '" + c + "'");
    }
    i++;
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at offset " + i);
  }
}
