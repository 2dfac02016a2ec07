package dev.custody.core.event;

import dev.custody.core.Digest;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What an event consumed (a material, in in-toto terms) or produced (a product).
 *
 * @param name the role of the artifact in the event, e.g. {@code base}, {@code model}, {@code train-data}
 * @param kind what it is
 * @param digest its digest; a model's digest is its manifest digest
 * @param uri where it can be found, if anyone should know
 * @param mediaType its media type, if known
 * @param annotations free-form string annotations, sorted by key
 */
public record ArtifactRef(
    String name,
    ArtifactKind kind,
    Digest digest,
    Optional<String> uri,
    Optional<String> mediaType,
    SortedMap<String, String> annotations) {

  public ArtifactRef {
    Names.requireName(name, "artifact name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(mediaType, "mediaType");
    annotations = Names.immutableCopy(Names.requireStringMap(annotations, "annotations"));
  }

  /** An artifact with only a name, kind and digest. */
  public static ArtifactRef of(String name, ArtifactKind kind, Digest digest) {
    return new ArtifactRef(name, kind, digest, Optional.empty(), Optional.empty(), Collections.emptySortedMap());
  }

  /** A copy with {@code uri} set. */
  public ArtifactRef withUri(String uri) {
    return new ArtifactRef(name, kind, digest, Optional.of(uri), mediaType, annotations);
  }

  /** A copy with one more annotation. */
  public ArtifactRef withAnnotation(String key, String value) {
    SortedMap<String, String> a = new TreeMap<>(annotations);
    a.put(key, value);
    return new ArtifactRef(name, kind, digest, uri, mediaType, a);
  }
}
