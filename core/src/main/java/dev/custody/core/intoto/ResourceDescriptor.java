package dev.custody.core.intoto;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.FormatException;
import dev.custody.core.internal.text.Untrusted;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An in-toto ResourceDescriptor (spec/v1/resource_descriptor.md), the fields custody reads:
 * {@code name}, {@code uri} and the {@code digest} set. Other fields are ignored, as the spec requires
 * of consumers.
 *
 * <p>Rules (the Go reference validator's, go/v1/resource_descriptor.go): at least one of
 * {@code name}, {@code uri}, {@code digest} is set; a digest value of a known algorithm is lowercase
 * hex of that algorithm's length ({@code git*} 20 or 32 bytes); values of other algorithm names are
 * not checked. Stricter than Go: uppercase hex is rejected (digest_set.md: "lowercase hex").
 *
 * @param name {@code ""} when absent
 * @param uri {@code ""} when absent
 * @param digest algorithm name to value, possibly empty
 */
public record ResourceDescriptor(String name, String uri, SortedMap<String, String> digest) {
  private static final Pattern LOWER_HEX = Pattern.compile("(?:[0-9a-f]{2})+");
  /** Byte lengths of the algorithms digest_set.md names; the git types take SHA-1 or SHA-256 object ids. */
  private static final Map<String, int[]> KNOWN_LENGTHS = Map.ofEntries(
      Map.entry("md5", new int[] {16}), Map.entry("sha1", new int[] {20}), Map.entry("sha224", new int[] {28}),
      Map.entry("sha256", new int[] {32}), Map.entry("sha384", new int[] {48}), Map.entry("sha512", new int[] {64}),
      Map.entry("sha512_224", new int[] {28}), Map.entry("sha512_256", new int[] {32}),
      Map.entry("sha3_224", new int[] {28}), Map.entry("sha3_256", new int[] {32}),
      Map.entry("sha3_384", new int[] {48}), Map.entry("sha3_512", new int[] {64}),
      Map.entry("dirHash", new int[] {32}), Map.entry("gitBlob", new int[] {20, 32}),
      Map.entry("gitCommit", new int[] {20, 32}), Map.entry("gitTag", new int[] {20, 32}),
      Map.entry("gitTree", new int[] {20, 32}));

  public ResourceDescriptor {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uri, "uri");
    digest = Collections.unmodifiableSortedMap(new TreeMap<>(digest));
  }

  /** A subject: a name and one digest. */
  public static ResourceDescriptor subject(String name, String algorithm, String hex) {
    return new ResourceDescriptor(name, "", new TreeMap<>(Map.of(algorithm, hex)));
  }

  /** The value for {@code algorithm}, if present. */
  public Optional<String> digestOf(String algorithm) {
    return Optional.ofNullable(digest.get(algorithm));
  }

  /**
   * Reads and validates a descriptor.
   *
   * @param what names it in errors, e.g. "statement subject[0]"
   */
  public static ResourceDescriptor fromJson(JsonNode node, String what) throws FormatException {
    if (node == null || !node.isObject()) {
      throw new FormatException(what + " must be a JSON object");
    }
    String name = optionalString(node, "name", what);
    String uri = optionalString(node, "uri", what);
    SortedMap<String, String> digest = new TreeMap<>();
    JsonNode d = node.get("digest");
    if (d != null && !d.isNull()) {
      if (!d.isObject()) {
        throw new FormatException(what + ".digest must be a JSON object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = d.properties().iterator(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual()) {
          throw new FormatException(what + ".digest." + Untrusted.escape(e.getKey()) + " must be a string");
        }
        checkDigest(e.getKey(), e.getValue().textValue(), what);
        digest.put(e.getKey(), e.getValue().textValue());
      }
    }
    if (name.isEmpty() && uri.isEmpty() && digest.isEmpty()) {
      throw new FormatException(what + " sets none of name, uri and digest; at least one is required");
    }
    return new ResourceDescriptor(name, uri, digest);
  }

  private static void checkDigest(String algorithm, String value, String what) throws FormatException {
    int[] lengths = KNOWN_LENGTHS.get(algorithm);
    if (lengths == null) {
      return; // unknown algorithm names are allowed and their values opaque (digest_set.md)
    }
    if (!LOWER_HEX.matcher(value).matches()) {
      throw new FormatException(what + ".digest." + algorithm + " is not lowercase hex: " + Untrusted.quote(value, 80));
    }
    for (int n : lengths) {
      if (value.length() == 2 * n) {
        return;
      }
    }
    throw new FormatException(what + ".digest." + algorithm + " has " + value.length() / 2
        + " bytes, not the length of a " + algorithm + " digest");
  }

  static String optionalString(JsonNode node, String field, String what) throws FormatException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw new FormatException(what + "." + field + " must be a string");
    }
    return v.textValue();
  }
}
