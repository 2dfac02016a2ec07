package dev.custody.verify.policy;

import dev.custody.core.event.EventType;
import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One rule of a policy's {@code rules} list: an id shown in findings, and one of six shapes.
 * {@link PolicyEvaluator} evaluates them over the steps of the evidence; every violation is a
 * {@code RULE_VIOLATION} naming the rule's id. Immutable.
 *
 * <p>"The model of a step": the digests of its {@code model} artifacts — a release's outputs; for
 * other kinds its outputs if it has model outputs, else its model inputs.
 */
public sealed interface Rule {
  /** Rule ids: {@code [a-z0-9][a-z0-9._-]*}, at most 64 characters. */
  Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  /** The id, unique in the policy. */
  String id();

  /** Where the policy writes the rule, e.g. {@code policy.yaml:52:5}. */
  String source();

  private static void requireId(String id) {
    Objects.requireNonNull(id, "id");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("a rule id is 1-64 characters of a-z 0-9 . _ -, starting with a letter or"
          + " digit (e.g. release-after-evaluation)");
    }
  }

  /**
   * Every step of {@code kind} has an earlier step of kind {@code predecessor} (earlier in the
   * evidence's order). With {@code sameModel}, the predecessor must name each of the step's model
   * digests among its inputs or outputs — e.g. a release must follow an evaluation whose input is
   * exactly the released model.
   */
  record RequirePredecessor(String id, KindSet kind, EventType predecessor, boolean sameModel, String source)
      implements Rule {
    public RequirePredecessor {
      requireId(id);
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(predecessor, "predecessor");
      Objects.requireNonNull(source, "source");
    }
  }

  /**
   * No step of {@code kinds} is signed by the same party ({@code by}) as a step of {@code distinctFrom}
   * that it is about: the nearest such steps in its lineage (or, for an approval or revocation, in its
   * subject's and the subject itself), reached back through producers of other kinds (a conversion,
   * a merge) but not beyond. E.g. the evaluator or approver of a model is not whoever trained or
   * fine-tuned it; the trainer of the base model a fine-tune started from is someone else's duty.
   */
  record SeparationOfDuties(String id, KindSet kinds, KindSet distinctFrom, Party by, String source) implements Rule {
    public SeparationOfDuties {
      requireId(id);
      Objects.requireNonNull(kinds, "kinds");
      Objects.requireNonNull(distinctFrom, "distinctFrom");
      Objects.requireNonNull(by, "by");
      Objects.requireNonNull(source, "source");
    }
  }

  /** Who counts as "the same party". */
  enum Party {
    /** The same identity (the same key when keys have no identity, under {@code --trust}). */
    IDENTITY,
    /** The same organisation (the same key when keys have no identity). */
    ORGANISATION,
    /** The same key. */
    KEY
  }

  /**
   * Every step of {@code kind} is approved by at least {@code count} distinct identities matching
   * {@code identities}: {@code approval} entries whose subject is the step's entry hash and whose
   * decision is {@code approved}. An approval by the step's own signer does not count; a
   * {@code rejected} decision by a matching identity is a violation whatever the count.
   */
  record Approvals(String id, KindSet kind, int count, List<NamePattern> identities, String source) implements Rule {
    /** Most approvals a rule may require. */
    public static final int MAX_COUNT = 100;

    public Approvals {
      requireId(id);
      Objects.requireNonNull(kind, "kind");
      if (count < 1 || count > MAX_COUNT) {
        throw new IllegalArgumentException("count must be 1 to " + MAX_COUNT);
      }
      identities = List.copyOf(identities);
      if (identities.isEmpty()) {
        throw new IllegalArgumentException("approvals name at least one identity pattern");
      }
      Objects.requireNonNull(source, "source");
    }
  }

  /**
   * For every step of {@code kind} (default {@code release}), the evaluations of its model carry the
   * metric {@code name}, and every value they report is at least {@code min} and at most {@code max}
   * (exact decimal comparison). No evaluation carrying the metric is a violation too: a release is
   * not judged by an absent number, and a failing evaluation cannot be hidden by a passing one.
   */
  record MetricThreshold(String id, KindSet kind, String name, Optional<BigDecimal> min, Optional<BigDecimal> max,
      String source) implements Rule {
    public MetricThreshold {
      requireId(id);
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(min, "min");
      Objects.requireNonNull(max, "max");
      if (min.isEmpty() && max.isEmpty()) {
        throw new IllegalArgumentException("a metric rule gives min, max or both");
      }
      if (min.isPresent() && max.isPresent() && min.get().compareTo(max.get()) > 0) {
        throw new IllegalArgumentException("min " + min.get() + " is above max " + max.get());
      }
      Objects.requireNonNull(source, "source");
    }
  }

  /**
   * Every step of {@code kind} carries the parameter {@code parameter} with a non-empty value, and,
   * if {@code values} is not empty, one of those values (e.g. a dataset's licence).
   */
  record RequireParameter(String id, KindSet kind, String parameter, List<String> values, String source)
      implements Rule {
    public RequireParameter {
      requireId(id);
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(parameter, "parameter");
      values = List.copyOf(values);
      Objects.requireNonNull(source, "source");
    }
  }

  /**
   * Every step of {@code kind} satisfies a CEL expression (Common Expression Language) over the
   * variable {@code event} (see {@link CelCondition} for what it holds). An expression that does not
   * evaluate to {@code true} — false, or an error such as a missing key — is a violation.
   */
  record Cel(String id, KindSet kind, CelCondition condition, String source) implements Rule {
    public Cel {
      requireId(id);
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(condition, "condition");
      Objects.requireNonNull(source, "source");
    }
  }
}
