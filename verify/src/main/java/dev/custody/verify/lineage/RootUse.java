package dev.custody.verify.lineage;

import dev.custody.core.event.ArtifactRef;
import java.util.Objects;
import java.util.Optional;

/**
 * An artifact a step uses that no step of the evidence produced: a root of its lineage. Either a
 * declared {@link ExternalRoot} or unproven (then the lineage stage reported it, unless its kind
 * is not one that must be backed).
 *
 * @param step the step that uses it
 * @param artifact the artifact as the step names it
 * @param declared the external root the verifier's policy declares for its digest, if any
 * @param required whether its kind must be produced by a step or declared (the lineage settings'
 *     backed kinds: models and datasets by default; a config file, say, need not be)
 */
public record RootUse(Step step, ArtifactRef artifact, Optional<ExternalRoot> declared, boolean required) {
  public RootUse {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(declared, "declared");
  }

  /** Whether the root is declared by the policy. */
  public boolean isDeclared() {
    return declared.isPresent();
  }

  /** Whether nothing vouches for it although it must be vouched for: neither produced nor declared. */
  public boolean isUnproven() {
    return required && declared.isEmpty();
  }
}
