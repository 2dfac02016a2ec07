package dev.custody.core.manifest;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.Digest;
import dev.custody.core.internal.json.StrictJson;
import dev.custody.core.manifest.Serialization.Method;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The per-file (or per-shard) SHA-256 digests of a model, in canonical order, and the root digest
 * over them: the {@code predicate} of an OpenSSF model-signing v1.0 signature, without the
 * signature. Immutable and thread-safe.
 *
 * <h2>Invariants (checked on construction and on parse)</h2>
 * <ul>
 *   <li>at least one resource (OMS §5.2.1), at most {@value #MAX_RESOURCES};
 *   <li>names follow {@link ResourceNames}; no duplicates; no path is both a file and a directory;
 *       no resource lies under an ignore path;
 *   <li>{@code shards}: the shards of each file are contiguous from offset 0, every one but the last
 *       exactly {@code shard_size} long, the last at most that long;
 *   <li>the one legacy exception: a {@code files} manifest whose only resource is named {@code "."}
 *       (how reference releases up to v1.0.0 named a single-file model) is accepted, so its root
 *       digest can be checked; custody never produces it (it names the file, OMS §6.1.2 rule 5).
 * </ul>
 *
 * <h2>Root digest (OMS §6.5.1)</h2>
 * SHA-256 over the concatenation of the raw 32-byte resource digests in canonical order
 * ({@link ResourceNames}). Names and serialization parameters do not enter it.
 *
 * <h2>JSON (the OMS predicate layout, as the reference implementation writes it)</h2>
 * <pre>
 * {"serialization": {"method": "files"|"shards", "hash_type": "sha256",
 *                    ["shard_size": N,]          (shards only; positive integer)
 *                    "allow_symlinks": bool,
 *                    ["ignore_paths": [path...]]}, (optional; written when not empty)
 *  "resources": [{"algorithm": A, "digest": "&lt;64 lowercase hex&gt;", "name": N}, ...]}
 * </pre>
 * {@code A} is {@code sha256} for files and {@code sha256-sharded-<shard_size>} for shards (what the
 * reference writes; plain {@code sha256}, as the specification text says, is accepted for shards).
 * Parsing is strict: duplicate or unknown members, resources out of canonical order, wrong types,
 * uppercase hex and invalid names are errors. For interoperability one relaxation: {@code shard_size}
 * may be written as an integral decimal such as {@code 8.0}, because the reference passes the
 * predicate through a protobuf {@code Struct}, whose numbers are doubles.
 */
public final class ModelManifest {
  /** Most resources accepted in one manifest (a million files or shards, ~150 MB of JSON). */
  public static final int MAX_RESOURCES = 1_000_000;
  /** Largest manifest JSON accepted by {@link #parse(byte[])}. */
  public static final int MAX_JSON_BYTES = 256 << 20;
  /** The name reference releases up to v1.0.0 gave the one resource of a single-file model. */
  public static final String LEGACY_SINGLE_FILE_NAME = ".";

  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern INTEGRAL = Pattern.compile("[1-9][0-9]{0,17}(\\.0+)?");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Serialization serialization;
  private final List<Resource> resources;
  private final Map<String, Digest> byName;
  private final Digest rootDigest;

  private ModelManifest(Serialization serialization, List<Resource> sorted) {
    this.serialization = serialization;
    this.resources = Collections.unmodifiableList(sorted);
    Map<String, Digest> map = new HashMap<>(sorted.size() * 2);
    for (Resource r : sorted) {
      map.put(r.name(), r.digest());
    }
    this.byName = Collections.unmodifiableMap(map);
    MessageDigest root = Digest.newSha256();
    for (Resource r : sorted) {
      root.update(r.digest().value().toByteArray());
    }
    this.rootDigest = Digest.ofSha256(root.digest());
  }

  /**
   * A manifest of {@code resources} (any order; they are sorted canonically).
   *
   * @throws IllegalArgumentException if an invariant above does not hold, naming the resource
   */
  public static ModelManifest of(Serialization serialization, Collection<Resource> resources) {
    Objects.requireNonNull(serialization, "serialization");
    List<Resource> sorted = new ArrayList<>(Objects.requireNonNull(resources, "resources"));
    Comparator<Resource> order = order(serialization.method());
    sorted.sort(order);
    try {
      check(serialization, sorted, false);
    } catch (FormatException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return new ModelManifest(serialization, sorted);
  }

  public Serialization serialization() {
    return serialization;
  }

  /** The resources in canonical order (unmodifiable). */
  public List<Resource> resources() {
    return resources;
  }

  /** The digest of the resource named {@code name}. */
  public Optional<Digest> digestOf(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The root digest of OMS §6.5.1: the model's identity in events and signatures. */
  public Digest rootDigest() {
    return rootDigest;
  }

  /** Whether this is a legacy single-file manifest (one resource named {@code "."}). */
  public boolean isLegacySingleFile() {
    return resources.size() == 1 && resources.get(0).name().equals(LEGACY_SINGLE_FILE_NAME);
  }

  // ---------------------------------------------------------------- order and invariants

  private static Comparator<Resource> order(Method method) {
    if (method == Method.FILES) {
      return (a, b) -> ResourceNames.comparePaths(a.name(), b.name());
    }
    return (a, b) -> ResourceNames.compareShards(shardOrNull(a.name()), shardOrNull(b.name()));
  }

  private static ResourceNames.Shard shardOrNull(String name) {
    try {
      return ResourceNames.parseShard(name);
    } catch (FormatException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Checks the invariants over {@code sorted}; {@code parsed} words errors for JSON input. */
  private static void check(Serialization s, List<Resource> sorted, boolean parsed) throws FormatException {
    String where = parsed ? "manifest resources" : "manifest";
    if (sorted.isEmpty()) {
      throw new FormatException(where + ": no resources (a model must contain at least one non-empty"
          + (s.method() == Method.SHARDS ? " file for the shards method" : " regular file") + ")");
    }
    if (sorted.size() > MAX_RESOURCES) {
      throw new FormatException(where + ": " + sorted.size() + " resources, over the limit of " + MAX_RESOURCES);
    }
    if (s.method() == Method.FILES) {
      if (sorted.size() == 1 && sorted.get(0).name().equals(LEGACY_SINGLE_FILE_NAME)) {
        return;
      }
      String prev = null;
      for (Resource r : sorted) {
        String problem = ResourceNames.pathProblem(r.name());
        if (problem != null) {
          throw new FormatException(where + ": invalid name '" + ResourceNames.printable(r.name()) + "': " + problem);
        }
        checkAgainst(s, where, prev, r.name());
        prev = r.name();
      }
      return;
    }
    ResourceNames.Shard prev = null;
    for (Resource r : sorted) {
      ResourceNames.Shard shard = ResourceNames.parseShard(r.name());
      String name = ResourceNames.printable(r.name());
      if (shard.length() > s.shardSize()) {
        throw new FormatException(where + ": shard '" + name + "' is " + shard.length()
            + " bytes, longer than shard_size " + s.shardSize());
      }
      if (prev != null && prev.path().equals(shard.path())) {
        if (prev.start() == shard.start()) {
          throw new FormatException(where + ": duplicate shard '" + name + "'");
        }
        if (prev.length() != s.shardSize() || shard.start() != prev.end()) {
          throw new FormatException(where + ": shards of '" + ResourceNames.printable(shard.path())
              + "' are not contiguous shard_size ranges: '" + prev + "' then '" + name + "'");
        }
      } else {
        if (shard.start() != 0) {
          throw new FormatException(where + ": first shard of '" + ResourceNames.printable(shard.path())
              + "' starts at " + shard.start() + ", not 0");
        }
        checkAgainst(s, where, prev == null ? null : prev.path(), shard.path());
      }
      prev = shard;
    }
  }

  private static void checkAgainst(Serialization s, String where, @Nullable String prevPath, String path)
      throws FormatException {
    if (prevPath != null) {
      if (prevPath.equals(path)) {
        throw new FormatException(where + ": duplicate resource '" + ResourceNames.printable(path) + "'");
      }
      if (path.startsWith(prevPath) && path.charAt(prevPath.length()) == ResourceNames.SEPARATOR) {
        throw new FormatException(where + ": '" + ResourceNames.printable(prevPath)
            + "' is both a file and the directory of '" + ResourceNames.printable(path) + "'");
      }
    }
    if (s.ignores(path)) {
      throw new FormatException(where + ": resource '" + ResourceNames.printable(path)
          + "' lies under an ignore path " + s.ignorePaths());
    }
  }

  // ---------------------------------------------------------------- JSON

  /** The OMS predicate object ({@code serialization}, {@code resources}) as compact UTF-8 JSON. */
  public byte[] toJson() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128 + resources.size() * 160);
    try (JsonGenerator g = StrictJson.factory().createGenerator(out, JsonEncoding.UTF8)) {
      writeJson(g);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return out.toByteArray();
  }

  /** The OMS predicate object as a fresh (mutable) tree, for embedding in other JSON documents. */
  public JsonNode toJsonNode() {
    try {
      return MAPPER.readTree(toJson());
    } catch (IOException e) {
      throw new UncheckedIOException("re-reading our own JSON failed", e);
    }
  }

  /** Writes the OMS predicate object with {@code g}. */
  public void writeJson(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeObjectFieldStart("serialization");
    g.writeStringField("method", serialization.method().jsonName());
    g.writeStringField("hash_type", serialization.hashType());
    if (serialization.method() == Method.SHARDS) {
      g.writeNumberField("shard_size", serialization.shardSize());
    }
    g.writeBooleanField("allow_symlinks", serialization.allowSymlinks());
    if (!serialization.ignorePaths().isEmpty()) {
      g.writeArrayFieldStart("ignore_paths");
      for (String p : serialization.ignorePaths()) {
        g.writeString(p);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
    g.writeArrayFieldStart("resources");
    String algorithm = serialization.resourceAlgorithm();
    for (Resource r : resources) {
      g.writeStartObject();
      g.writeStringField("algorithm", algorithm);
      g.writeStringField("digest", r.digest().value().hex());
      g.writeStringField("name", r.name());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /**
   * Parses an OMS predicate object.
   *
   * @throws FormatException naming the member or resource that breaks the grammar
   */
  public static ModelManifest parse(byte[] json) throws FormatException {
    return fromJson(StrictJson.parse(json, MAX_JSON_BYTES, "model manifest"), "model manifest");
  }

  /**
   * Reads an OMS predicate object from a parsed tree (e.g. the {@code predicate} of an in-toto
   * statement). The tree should come from {@link StrictJson} so duplicate keys were rejected.
   *
   * @param what names the object in error messages
   */
  public static ModelManifest fromJson(JsonNode node, String what) throws FormatException {
    requireObject(node, what);
    requireOnly(node, what, "serialization", "resources");
    Serialization s = readSerialization(member(node, what, "serialization"), what + ".serialization");
    JsonNode array = member(node, what, "resources");
    if (!array.isArray()) {
      throw new FormatException(what + ".resources must be an array");
    }
    if (array.size() > MAX_RESOURCES) {
      throw new FormatException(what + ".resources has " + array.size() + " entries, over the limit of "
          + MAX_RESOURCES);
    }
    List<Resource> list = new ArrayList<>(array.size());
    int i = 0;
    for (JsonNode e : array) {
      String at = what + ".resources[" + i++ + "]";
      requireObject(e, at);
      requireOnly(e, at, "name", "algorithm", "digest");
      String name = text(e, at, "name");
      String algorithm = text(e, at, "algorithm");
      if (!algorithm.equals(s.resourceAlgorithm())
          && !(s.method() == Method.SHARDS && algorithm.equals(s.hashType()))) {
        throw new FormatException(at + ": algorithm '" + ResourceNames.printable(algorithm) + "' does not match"
            + " the serialization (expected '" + s.resourceAlgorithm() + "')");
      }
      String hex = text(e, at, "digest");
      if (!HEX64.matcher(hex).matches()) {
        throw new FormatException(at + ": digest '" + ResourceNames.printable(hex)
            + "' is not 64 lowercase hex digits");
      }
      list.add(new Resource(name, Digest.ofSha256(Bytes.fromHex(hex).toByteArray())));
    }
    // The root digest hashes resources in listed order (reference verifier), so a manifest whose
    // order is not canonical would have two root digests: reject it instead of re-sorting.
    check(s, sortedOrFail(s, list, what), true);
    return new ModelManifest(s, list);
  }

  private static List<Resource> sortedOrFail(Serialization s, List<Resource> list, String what)
      throws FormatException {
    if (s.method() == Method.SHARDS) {
      for (Resource r : list) {
        ResourceNames.parseShard(r.name()); // a clear error before the comparator needs it
      }
    }
    Comparator<Resource> order = order(s.method());
    for (int i = 1; i < list.size(); i++) {
      if (order.compare(list.get(i - 1), list.get(i)) > 0) {
        throw new FormatException(what + ".resources are not in canonical order: '"
            + ResourceNames.printable(list.get(i - 1).name()) + "' is listed before '"
            + ResourceNames.printable(list.get(i).name()) + "'");
      }
    }
    return list;
  }

  private static Serialization readSerialization(JsonNode n, String what) throws FormatException {
    requireObject(n, what);
    Method method;
    try {
      method = Method.fromJsonName(text(n, what, "method"));
    } catch (IllegalArgumentException e) {
      throw new FormatException(what + ": " + e.getMessage(), e);
    }
    String hashType = text(n, what, "hash_type");
    JsonNode allow = member(n, what, "allow_symlinks");
    if (!allow.isBoolean()) {
      throw new FormatException(what + ": allow_symlinks must be true or false, got " + allow);
    }
    long shardSize = 0;
    if (method == Method.SHARDS) {
      requireOnly(n, what, "method", "hash_type", "shard_size", "allow_symlinks", "ignore_paths");
      JsonNode size = member(n, what, "shard_size");
      if (!size.isNumber() || !INTEGRAL.matcher(size.asText()).matches()) {
        throw new FormatException(what + ": shard_size must be a positive integer, got " + size);
      }
      shardSize = size.decimalValue().longValueExact();
    } else {
      requireOnly(n, what, "method", "hash_type", "allow_symlinks", "ignore_paths");
    }
    List<String> ignore = new ArrayList<>();
    JsonNode paths = n.get("ignore_paths");
    if (paths != null) {
      if (!paths.isArray()) {
        throw new FormatException(what + ": ignore_paths must be an array of strings");
      }
      for (JsonNode p : paths) {
        if (!p.isTextual()) {
          throw new FormatException(what + ": ignore_paths must be an array of strings, found " + p);
        }
        ignore.add(p.textValue());
      }
    }
    try {
      return new Serialization(method, hashType, shardSize, allow.booleanValue(), ignore);
    } catch (IllegalArgumentException e) {
      throw new FormatException(what + ": " + e.getMessage(), e);
    }
  }

  private static void requireObject(JsonNode n, String what) throws FormatException {
    if (n == null || !n.isObject()) {
      throw new FormatException(what + " must be a JSON object");
    }
  }

  private static JsonNode member(JsonNode n, String what, String name) throws FormatException {
    JsonNode v = n.get(name);
    if (v == null || v.isNull()) {
      throw new FormatException(what + ": missing required member '" + name + "'");
    }
    return v;
  }

  private static String text(JsonNode n, String what, String name) throws FormatException {
    JsonNode v = member(n, what, name);
    if (!v.isTextual()) {
      throw new FormatException(what + ": member '" + name + "' must be a string, got " + v.getNodeType());
    }
    return v.textValue();
  }

  private static void requireOnly(JsonNode n, String what, String... allowed) throws FormatException {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      boolean known = false;
      for (String a : allowed) {
        known |= a.equals(name);
      }
      if (!known) {
        throw new FormatException(what + ": unknown member '" + ResourceNames.printable(name) + "'");
      }
    }
  }

  // ---------------------------------------------------------------- value semantics

  /** Equal when serialization and resources are equal (and so the root digests). */
  @Override
  public boolean equals(Object o) {
    return o instanceof ModelManifest m && serialization.equals(m.serialization) && resources.equals(m.resources);
  }

  @Override
  public int hashCode() {
    return rootDigest.hashCode();
  }

  @Override
  public String toString() {
    return "ModelManifest[" + serialization.method().jsonName() + ", " + resources.size() + " resources, root "
        + rootDigest + "]";
  }
}
