package dev.custody.verify.lineage;

import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import java.util.Objects;
import java.util.Optional;

/**
 * An input the policy accepts without a producing step in the evidence: a base model from a named
 * publisher, a dataset ingested from outside. Matched by exact digest. Immutable.
 *
 * @param digest the artifact's digest (a model's manifest root digest)
 * @param kind what it is
 * @param name a name to show in the lineage, e.g. {@code llama-3-8b}
 * @param publisher who published it, shown in the lineage
 * @param source where the policy declares it, for messages
 */
public record ExternalRoot(Digest digest, ArtifactKind kind, String name, Optional<String> publisher, String source) {
  public ExternalRoot {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(publisher, "publisher");
    Objects.requireNonNull(source, "source");
  }

  /** For messages and listings: the name, and the publisher when known. */
  public String describe() {
    return name + publisher.map(p -> " (published by " + p + ")").orElse("");
  }
}
