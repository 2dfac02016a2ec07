package dev.custody.verify.lineage;

import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import java.util.Objects;

/**
 * An edge of the lineage graph, from an earlier step to a later one that depends on it.
 *
 * <ul>
 *   <li>{@link Type#ARTIFACT}: the later step names, as an input (or, for a release or another
 *       non-producing kind, as an output), an artifact whose digest the earlier step produced.
 *       {@code fromName} is the producer's output name, {@code toName} the consumer's artifact name.
 *   <li>{@link Type#SUBJECT}: the later step is an {@code approval} or {@code revocation} whose
 *       subject is the earlier entry; {@code digest} is that entry's hash, the names are empty.
 * </ul>
 *
 * @param from the earlier step (producer, or the subject)
 * @param to the later step (consumer, or the decision)
 */
public record Link(Step from, Step to, Type type, Digest digest, ArtifactKind kind, String fromName, String toName) {
  /** What the edge stands for. */
  public enum Type {
    ARTIFACT,
    SUBJECT
  }

  public Link {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(fromName, "fromName");
    Objects.requireNonNull(toName, "toName");
  }

  @Override
  public String toString() {
    return from + " -[" + (type == Type.SUBJECT ? "subject" : fromName + "->" + toName) + " " + digest + "]-> " + to;
  }
}
