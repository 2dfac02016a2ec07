package dev.custody.core.manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a model was turned into resources: the OMS {@code predicate.serialization} object (OMS §5.2.2).
 *
 * <p>{@code files}: one resource per regular file, named by its path. {@code shards}: each non-empty
 * file is split into consecutive ranges of {@link #shardSize()} bytes (the last may be shorter),
 * one resource per range, named {@code path:start:end}; empty files produce no resource.
 *
 * <p>{@link #ignorePaths()} records the paths, relative to the model root, that were excluded (OMS
 * §6.2), sorted in canonical path order without duplicates. It describes the hashing and does not
 * enter the root digest.
 *
 * @param method {@code files} or {@code shards}
 * @param hashType the hash of each resource; only {@value #SHA256}
 * @param shardSize bytes per shard for {@code shards}; 0 for {@code files}
 * @param allowSymlinks whether symbolic links were followed (false: a link is an error)
 * @param ignorePaths excluded paths relative to the model root
 */
public record Serialization(Method method, String hashType, long shardSize, boolean allowSymlinks,
    List<String> ignorePaths) {

  /** The only hash type custody produces and accepts. */
  public static final String SHA256 = "sha256";
  /** The default shard size of the reference implementation and OMS §6.3.2: 1,000,000,000 bytes. */
  public static final long DEFAULT_SHARD_SIZE = 1_000_000_000L;

  /** The serialization methods of OMS §6.3. */
  public enum Method {
    FILES("files"),
    SHARDS("shards");

    private final String jsonName;

    Method(String jsonName) {
      this.jsonName = jsonName;
    }

    /** The name in {@code serialization.method}. */
    public String jsonName() {
      return jsonName;
    }

    /** The method named {@code name}, or {@link IllegalArgumentException} naming the accepted ones. */
    public static Method fromJsonName(String name) {
      for (Method m : values()) {
        if (m.jsonName.equals(name)) {
          return m;
        }
      }
      throw new IllegalArgumentException("unknown serialization method '" + ResourceNames.printable(name)
          + "' (expected 'files' or 'shards')");
    }
  }

  public Serialization {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(hashType, "hashType");
    if (!SHA256.equals(hashType)) {
      throw new IllegalArgumentException("unsupported hash_type '" + ResourceNames.printable(hashType)
          + "' (only sha256)");
    }
    if (method == Method.SHARDS && shardSize <= 0) {
      throw new IllegalArgumentException("shard size must be positive, got " + shardSize);
    }
    if (method == Method.FILES && shardSize != 0) {
      throw new IllegalArgumentException("shard size is only for the shards method, got " + shardSize);
    }
    List<String> sorted = new ArrayList<>(Objects.requireNonNull(ignorePaths, "ignorePaths"));
    sorted.forEach(ResourceNames::checkPath);
    sorted.sort(ResourceNames.PATH_ORDER);
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).equals(sorted.get(i - 1))) {
        throw new IllegalArgumentException("duplicate ignore path '" + ResourceNames.printable(sorted.get(i)) + "'");
      }
    }
    ignorePaths = List.copyOf(sorted);
  }

  /** Serialization by whole files. */
  public static Serialization files(boolean allowSymlinks, List<String> ignorePaths) {
    return new Serialization(Method.FILES, SHA256, 0, allowSymlinks, ignorePaths);
  }

  /** Serialization by shards of {@code shardSize} bytes. */
  public static Serialization shards(long shardSize, boolean allowSymlinks, List<String> ignorePaths) {
    return new Serialization(Method.SHARDS, SHA256, shardSize, allowSymlinks, ignorePaths);
  }

  /**
   * The {@code algorithm} the reference implementation writes on each resource: {@code sha256} for
   * files, {@code sha256-sharded-<shardSize>} for shards (its {@code ShardedFileHasher.digest_name}).
   */
  public String resourceAlgorithm() {
    return method == Method.FILES ? hashType : hashType + "-sharded-" + shardSize;
  }

  /** This serialization with other ignore paths (they describe, they do not change digests). */
  public Serialization withIgnorePaths(List<String> paths) {
    return new Serialization(method, hashType, shardSize, allowSymlinks, paths);
  }

  /** Whether {@code path} is excluded: equal to an ignore path or inside one. */
  public boolean ignores(String path) {
    for (String p : ignorePaths) {
      if (path.equals(p) || (path.startsWith(p) && path.charAt(p.length()) == ResourceNames.SEPARATOR)) {
        return true;
      }
    }
    return false;
  }
}
