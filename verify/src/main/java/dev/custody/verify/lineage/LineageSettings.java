package dev.custody.verify.lineage;

import dev.custody.core.event.ArtifactKind;
import dev.custody.verify.Severity;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How strictly the lineage stage judges gaps in the evidence: a level per relaxable check, and the
 * artifact kinds whose inputs must be backed by a producing step or an external root. Checks that
 * prove tampering or nonsense (a cycle, an approval of an unknown entry) are not relaxable and are
 * not listed here. Immutable.
 *
 * @param levels the level of every {@link Check}
 * @param backedKinds the input kinds {@link Check#INPUT_UNPROVEN} applies to (default model, dataset)
 */
public record LineageSettings(Map<Check, Level> levels, Set<ArtifactKind> backedKinds) {
  /** The artifact kinds that must be backed unless a policy says otherwise: what a model's lineage is made of. */
  public static final Set<ArtifactKind> DEFAULT_BACKED_KINDS = Set.of(ArtifactKind.MODEL, ArtifactKind.DATASET);

  /** The relaxable lineage checks, with their policy member names ({@code lineage.inputUnproven}, ...). */
  public enum Check {
    /** A backed-kind input that is no earlier output and no external root. */
    INPUT_UNPROVEN("inputUnproven", Level.ERROR),
    /** A release of a digest no producing step produced. */
    RELEASE_UNPRODUCED("releaseUnproduced", Level.ERROR),
    /** An evaluation of a model no step produced. */
    EVALUATION_UNPRODUCED("evaluationUnproduced", Level.ERROR),
    /** Two chains or ledgers claim to have produced the same digest. */
    DIGEST_CLAIMED_TWICE("digestClaimedTwice", Level.ERROR),
    /** A producer's time is after its consumer's. */
    TIME_REVERSED("timeReversed", Level.WARNING);

    private final String member;
    private final Level strictDefault;

    Check(String member, Level strictDefault) {
      this.member = member;
      this.strictDefault = strictDefault;
    }

    /** The member name in the policy's {@code lineage} section. */
    public String member() {
      return member;
    }
  }

  /** What a check's findings are: errors, warnings, or not reported. */
  public enum Level {
    ERROR,
    WARNING,
    OFF;

    /** The severity of findings at this level; empty for {@link #OFF}. */
    public Optional<Severity> severity() {
      return switch (this) {
        case ERROR -> Optional.of(Severity.ERROR);
        case WARNING -> Optional.of(Severity.WARNING);
        case OFF -> Optional.empty();
      };
    }
  }

  public LineageSettings {
    Objects.requireNonNull(levels, "levels");
    EnumMap<Check, Level> m = new EnumMap<>(Check.class);
    m.putAll(levels);
    for (Check c : Check.values()) {
      if (!m.containsKey(c)) {
        throw new IllegalArgumentException("lineage settings lack a level for " + c.member());
      }
    }
    levels = java.util.Collections.unmodifiableMap(m);
    backedKinds = Set.copyOf(backedKinds);
  }

  /** A policy file's defaults: every gap an error, except a time reversal (a warning). */
  public static LineageSettings strict() {
    EnumMap<Check, Level> m = new EnumMap<>(Check.class);
    for (Check c : Check.values()) {
      m.put(c, c.strictDefault);
    }
    return new LineageSettings(m, DEFAULT_BACKED_KINDS);
  }

  /** {@code --trust DIR}: every gap a warning (there is no place to declare external roots). */
  public static LineageSettings lenient() {
    EnumMap<Check, Level> m = new EnumMap<>(Check.class);
    for (Check c : Check.values()) {
      m.put(c, Level.WARNING);
    }
    return new LineageSettings(m, DEFAULT_BACKED_KINDS);
  }

  /** The severity of {@code check}'s findings; empty when it is off. */
  public Optional<Severity> severity(Check check) {
    return Objects.requireNonNull(levels.get(check), "the constructor requires a level for every check").severity();
  }
}
