package dev.custody.verify.lineage;

import dev.custody.core.digest.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.verify.Severity;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How strictly lineage is judged: the severity of each lineage finding (empty: the check is off),
 * which artifact kinds must be backed by a producing step, and the external roots accepted
 * without one. {@link #strict()} is a policy file's default; {@link #lenient()} is the
 * {@code --trust DIR} case, where nothing declares external roots, so gaps are warnings.
 * Immutable.
 *
 * @param inputUnproven severity of {@code LINEAGE_INPUT_UNPROVEN}
 * @param releaseUnproduced severity of {@code RELEASE_UNPRODUCED}
 * @param claimedTwice severity of {@code DIGEST_CLAIMED_TWICE}
 * @param backedKinds the artifact kinds whose use must be backed by a producer or an external root
 * @param externalRoots accepted roots, by digest
 */
public record LineageSettings(Optional<Severity> inputUnproven, Optional<Severity> releaseUnproduced,
    Optional<Severity> claimedTwice, Set<ArtifactKind> backedKinds, Map<Digest, ExternalRoot> externalRoots) {
  /** The artifact kinds backed by default: what a model's lineage is made of. */
  public static final Set<ArtifactKind> DEFAULT_BACKED_KINDS =
      Collections.unmodifiableSet(EnumSet.of(ArtifactKind.MODEL, ArtifactKind.DATASET));

  public LineageSettings {
    Objects.requireNonNull(inputUnproven, "inputUnproven");
    Objects.requireNonNull(releaseUnproduced, "releaseUnproduced");
    Objects.requireNonNull(claimedTwice, "claimedTwice");
    backedKinds = backedKinds.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(backedKinds));
    externalRoots = Collections.unmodifiableMap(new LinkedHashMap<>(externalRoots));
    externalRoots.forEach((d, r) -> {
      if (!d.equals(r.digest())) {
        throw new IllegalArgumentException("external root " + r.digest() + " filed under " + d);
      }
    });
  }

  /** Every lineage gap is an error; no external roots. */
  public static LineageSettings strict() {
    return new LineageSettings(Optional.of(Severity.ERROR), Optional.of(Severity.ERROR), Optional.of(Severity.ERROR),
        DEFAULT_BACKED_KINDS, Map.of());
  }

  /** Lineage gaps are warnings: the {@code --trust DIR} case, with no way to declare roots. */
  public static LineageSettings lenient() {
    return new LineageSettings(Optional.of(Severity.WARNING), Optional.of(Severity.WARNING),
        Optional.of(Severity.WARNING), DEFAULT_BACKED_KINDS, Map.of());
  }

  /** A copy that also accepts {@code roots}. */
  public LineageSettings withExternalRoots(Collection<ExternalRoot> roots) {
    Map<Digest, ExternalRoot> all = new LinkedHashMap<>(externalRoots);
    roots.forEach(r -> all.put(r.digest(), r));
    return new LineageSettings(inputUnproven, releaseUnproduced, claimedTwice, backedKinds, all);
  }
}
