package dev.custody.core.internal.json;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.FormatException;
import dev.custody.core.internal.text.UnsignedDecimal;
import dev.custody.core.internal.text.Untrusted;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads the members of one JSON object strictly: each accessor checks the type, and
 * {@link #requireNoOthers} rejects members nobody asked for. Errors name the object ({@code what})
 * and the member. Not thread-safe.
 */
public final class JsonFields {
  /** Signed integers (e.g. an exit code): as {@link UnsignedDecimal}, with an optional minus sign, never "-0". */
  private static final Pattern INTEGER = Pattern.compile("0|-?[1-9][0-9]{0,9}");

  private final JsonNode node;
  private final String what;
  private final Set<String> read = new HashSet<>();

  private JsonFields(JsonNode node, String what) {
    this.node = node;
    this.what = what;
  }

  /** Wraps {@code node}, which must be an object. */
  public static JsonFields of(JsonNode node, String what) throws FormatException {
    if (node == null || !node.isObject()) {
      throw new FormatException(what + " must be a JSON object");
    }
    return new JsonFields(node, what);
  }

  public String what() {
    return what;
  }

  public boolean has(String name) {
    return node.has(name);
  }

  private JsonNode get(String name) throws FormatException {
    read.add(name);
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      throw new FormatException(what + ": missing required member '" + name + "'");
    }
    return v;
  }

  private Optional<JsonNode> find(String name) throws FormatException {
    read.add(name);
    JsonNode v = node.get(name);
    if (v != null && v.isNull()) {
      throw new FormatException(what + ": member '" + name + "' is null (omit it instead)");
    }
    return Optional.ofNullable(v);
  }

  public String string(String name) throws FormatException {
    return asString(get(name), name);
  }

  public Optional<String> optString(String name) throws FormatException {
    Optional<JsonNode> v = find(name);
    return v.isEmpty() ? Optional.empty() : Optional.of(asString(v.get(), name));
  }

  private String asString(JsonNode v, String name) throws FormatException {
    if (!v.isTextual()) {
      throw new FormatException(what + ": member '" + name + "' must be a string, got " + v.getNodeType());
    }
    return v.textValue();
  }

  /** A non-negative integer written without sign, leading zeros, fraction or exponent. */
  public long unsigned(String name) throws FormatException {
    JsonNode v = get(name);
    if (!v.isIntegralNumber() || !UnsignedDecimal.isCanonical(v.asText())) {
      throw new FormatException(what + ": member '" + name + "' must be a non-negative integer, got "
          + Untrusted.quote(v.toString(), 40));
    }
    return v.longValue();
  }

  /** A JSON integer in {@code int} range, optionally negative; no fraction, exponent, {@code +} or leading zero. */
  public int integer(String name) throws FormatException {
    JsonNode v = get(name);
    if (!v.isIntegralNumber() || !INTEGER.matcher(v.asText()).matches() || !v.canConvertToInt()) {
      throw new FormatException(what + ": member '" + name + "' must be an integer (32-bit), got "
          + Untrusted.quote(v.toString(), 40));
    }
    return v.intValue();
  }

  public JsonFields object(String name) throws FormatException {
    return JsonFields.of(get(name), what + "." + name);
  }

  public Optional<JsonFields> optObject(String name) throws FormatException {
    Optional<JsonNode> v = find(name);
    return v.isEmpty() ? Optional.empty() : Optional.of(JsonFields.of(v.get(), what + "." + name));
  }

  /** The raw node of a member that must be an object (for bodies custody keeps uninterpreted). */
  public JsonNode rawObject(String name) throws FormatException {
    JsonNode v = get(name);
    if (!v.isObject()) {
      throw new FormatException(what + ": member '" + name + "' must be a JSON object");
    }
    return v;
  }

  /** A required array of strings (possibly empty). */
  public List<String> strings(String name) throws FormatException {
    JsonNode v = get(name);
    if (!v.isArray()) {
      throw new FormatException(what + ": member '" + name + "' must be an array of strings");
    }
    List<String> out = new java.util.ArrayList<>();
    int i = 0;
    for (JsonNode e : v) {
      if (!e.isTextual()) {
        throw new FormatException(what + ": " + name + "[" + i + "] must be a string, got " + e.getNodeType());
      }
      out.add(e.textValue());
      i++;
    }
    return out;
  }

  /** An optional array of objects; absent means empty. */
  public List<JsonFields> objects(String name) throws FormatException {
    Optional<JsonNode> v = find(name);
    if (v.isEmpty()) {
      return List.of();
    }
    if (!v.get().isArray()) {
      throw new FormatException(what + ": member '" + name + "' must be an array");
    }
    List<JsonFields> out = new java.util.ArrayList<>();
    int i = 0;
    for (JsonNode e : v.get()) {
      out.add(JsonFields.of(e, what + "." + name + "[" + i++ + "]"));
    }
    return out;
  }

  /** An optional object of string values; absent means empty. */
  public SortedMap<String, String> stringMap(String name) throws FormatException {
    SortedMap<String, String> out = new TreeMap<>();
    Optional<JsonNode> v = find(name);
    if (v.isEmpty()) {
      return out;
    }
    if (!v.get().isObject()) {
      throw new FormatException(what + ": member '" + name + "' must be an object of strings");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = v.get().fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new FormatException(what + "." + name + ": value of " + Untrusted.quote(e.getKey()) + " must be a string");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    return out;
  }

  /** A required number, read as an exact decimal (scale kept: {@code 0.50} stays {@code 0.50}). */
  public BigDecimal decimal(String name) throws FormatException {
    JsonNode v = get(name);
    if (!v.isNumber()) {
      throw new FormatException(what + ": member '" + name + "' must be a number, got " + v.getNodeType());
    }
    return v.decimalValue();
  }

  /** An optional object of numbers, read as exact decimals; absent means empty. */
  public SortedMap<String, BigDecimal> decimalMap(String name) throws FormatException {
    SortedMap<String, BigDecimal> out = new TreeMap<>();
    Optional<JsonNode> v = find(name);
    if (v.isEmpty()) {
      return out;
    }
    if (!v.get().isObject()) {
      throw new FormatException(what + ": member '" + name + "' must be an object of numbers");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = v.get().fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isNumber()) {
        throw new FormatException(what + "." + name + ": value of " + Untrusted.quote(e.getKey()) + " must be a number");
      }
      out.put(e.getKey(), e.getValue().decimalValue());
    }
    return out;
  }

  /** Rejects any member not read through this object. */
  public void requireNoOthers() throws FormatException {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String n = it.next();
      if (!read.contains(n)) {
        throw new FormatException(what + ": unknown member " + Untrusted.quote(n));
      }
    }
  }
}
