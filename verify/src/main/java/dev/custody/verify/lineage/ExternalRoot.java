package dev.custody.verify.lineage;

import dev.custody.core.digest.Digest;
import dev.custody.core.event.ArtifactKind;
import java.util.Objects;
import java.util.Optional;

/**
 * An artifact the verifier accepts as a root of lineage without a step that produced it: a
 * dataset ingested from outside, a base model from a named publisher. Declared by the verifier's
 * trust policy, never by the ledger (a signer cannot vouch for its own inputs).
 *
 * @param digest the exact digest accepted
 * @param kind the artifact kind it must be used as, if restricted
 * @param name a name to show, e.g. {@code llama-3-8b}
 * @param publisher who published it, to show in the lineage
 */
public record ExternalRoot(Digest digest, Optional<ArtifactKind> kind, Optional<String> name,
    Optional<String> publisher) {
  public ExternalRoot {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(publisher, "publisher");
  }

  /** A root known by its digest only. */
  public static ExternalRoot of(Digest digest) {
    return new ExternalRoot(digest, Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** For messages: the name and publisher when known, else the digest. */
  public String describe() {
    return name.map(n -> n + publisher.map(p -> " (published by " + p + ")").orElse(""))
        .orElse(digest.toString());
  }
}
