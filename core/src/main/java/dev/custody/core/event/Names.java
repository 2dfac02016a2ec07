package dev.custody.core.event;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/** Validation shared by the event types. */
final class Names {
  /** Artifact names and parameter keys: short, printable, no spaces. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}");
  /** Longest string value accepted in a map field; larger data belongs in an artifact. */
  static final int MAX_VALUE_LENGTH = 64 * 1024;

  private Names() {}

  static String requireName(String name, String what) {
    Objects.requireNonNull(name, what);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " '" + name
          + "' is invalid (1-128 characters of A-Z a-z 0-9 . _ : / @ + -, starting with a letter or digit)");
    }
    return name;
  }

  static <M extends Map<String, String>> M requireStringMap(M map, String what) {
    Objects.requireNonNull(map, what);
    for (Map.Entry<String, String> e : map.entrySet()) {
      requireName(e.getKey(), what + " key");
      requireText(e.getValue(), what + " value of '" + e.getKey() + "'");
    }
    return map;
  }

  static String requireText(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.length() > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException(what + " is longer than " + MAX_VALUE_LENGTH + " characters");
    }
    return value;
  }
}
