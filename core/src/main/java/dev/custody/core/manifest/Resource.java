package dev.custody.core.manifest;

import dev.custody.core.Digest;
import java.util.Objects;

/**
 * One entry of a manifest: a file (serialization {@code files}) or a file shard ({@code shards},
 * name {@code path:start:end}) and the SHA-256 of its bytes. The name's grammar is checked by
 * {@link ModelManifest}, which knows the serialization.
 */
public record Resource(String name, Digest digest) {
  public Resource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(digest, "digest");
  }
}
