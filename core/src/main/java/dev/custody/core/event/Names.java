package dev.custody.core.event;

import dev.custody.core.internal.text.Untrusted;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/** Validation shared by the event types. */
final class Names {
  /** Longest string value accepted in a map field; larger data belongs in an artifact. */
  static final int MAX_VALUE_LENGTH = 64 * 1024;

  /**
   * Times custody can write and read back: RFC 3339 §5.6 has four-digit years, so 0000-01-01T00:00:00Z
   * to 9999-12-31T23:59:59.999999999Z. Outside it {@link java.time.Instant#toString} writes a sign or a
   * fifth digit that no reader accepts, and an entry could be signed but never verified.
   */
  static final java.time.Instant MIN_TIME = java.time.Instant.parse("0000-01-01T00:00:00Z");
  static final java.time.Instant MAX_TIME = java.time.Instant.parse("9999-12-31T23:59:59.999999999Z");

  private Names() {}

  /** Checks that {@code t} lies in the RFC 3339 range; public callers use {@link Event#requireTime}. */
  static java.time.Instant requireTime(java.time.Instant t, String what) {
    Objects.requireNonNull(t, what);
    if (t.isBefore(MIN_TIME) || t.isAfter(MAX_TIME)) {
      throw new IllegalArgumentException(what + " " + t + " is outside the years 0000-9999 of RFC 3339");
    }
    return t;
  }

  static String requireName(String name, String what) {
    Objects.requireNonNull(name, what);
    if (!isName(name)) {
      throw new IllegalArgumentException(what + " " + Untrusted.quote(name)
          + " is invalid (1-128 characters of A-Z a-z 0-9 . _ : / @ + -, starting with a letter or digit)");
    }
    return name;
  }

  /**
   * Whether {@code name} is an artifact name or parameter key: short, printable, no spaces, i.e. it
   * matches {@code [A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}}. A loop, not a regex: names are checked for
   * every artifact and map key of every entry read ({@code NamesTest} compares the two).
   */
  static boolean isName(String name) {
    int n = name.length();
    if (n < 1 || n > 128 || !isAsciiLetterOrDigit(name.charAt(0))) {
      return false;
    }
    for (int i = 1; i < n; i++) {
      char c = name.charAt(i);
      if (!isAsciiLetterOrDigit(c) && c != '.' && c != '_' && c != ':' && c != '/' && c != '@' && c != '+' && c != '-') {
        return false;
      }
    }
    return true;
  }

  /** {@code [A-Za-z0-9]}. */
  static boolean isAsciiLetterOrDigit(char c) {
    return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
  }

  static <M extends Map<String, String>> M requireStringMap(M map, String what) {
    Objects.requireNonNull(map, what);
    for (Map.Entry<String, String> e : map.entrySet()) {
      requireName(e.getKey(), what + " key");
      requireText(e.getValue(), what + " value of " + Untrusted.quote(e.getKey()));
    }
    return map;
  }

  /**
   * An unmodifiable copy of {@code map} in key order; the one shared empty map when it is empty (most
   * events and artifacts carry no annotations, environment or parameters, and a verifier holds every
   * event of a ledger).
   */
  static <V> SortedMap<String, V> immutableCopy(Map<String, V> map) {
    return map.isEmpty() ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(new TreeMap<>(map));
  }

  static String requireText(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.length() > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException(what + " is longer than " + MAX_VALUE_LENGTH + " characters");
    }
    return value;
  }
}
