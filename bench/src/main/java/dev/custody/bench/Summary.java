package dev.custody.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An ordered tree of named figures that renders as one line of JSON, so a run's results can be
 * appended to a {@code .jsonl} file and compared across machines and commits. Values are numbers,
 * strings, booleans, lists or nested summaries. Not thread-safe.
 */
final class Summary {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  Summary put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  /** The nested summary under {@code key}, created if absent. */
  Summary child(String key) {
    return (Summary) fields.computeIfAbsent(key, k -> new Summary());
  }

  Object get(String key) {
    return fields.get(key);
  }

  String toJson() {
    StringBuilder sb = new StringBuilder();
    write(sb, this);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Summary s) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : s.fields.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        string(sb, e.getKey());
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else if (v instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(sb, l.get(i));
      }
      sb.append(']');
    } else if (v instanceof Double d) {
      // JSON has no NaN or Infinity: a figure that could not be measured is null.
      sb.append(d.isNaN() || d.isInfinite() ? "null" : round(d));
    } else if (v instanceof Number || v instanceof Boolean) {
      sb.append(v);
    } else {
      string(sb, v.toString());
    }
  }

  private static String round(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return String.format(Locale.ROOT, "%.4g", d).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replace(".e", "e")
        .replaceAll("\\.$", "");
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
