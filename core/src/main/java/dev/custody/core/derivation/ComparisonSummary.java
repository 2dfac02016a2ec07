package dev.custody.core.derivation;

import dev.custody.core.derivation.ModelComparison.Architecture;
import dev.custody.core.safetensors.SafetensorsHeader;
import dev.custody.core.internal.text.Untrusted;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;
import java.util.Optional;

/**
 * The figures of a {@link ModelComparison} that are signed as derivation evidence (the details of a
 * {@code comparison} event): how the layouts relate, how many tensors and elements fall in each
 * category, and the similarity of the tensors that changed. Counts are exact; similarity figures are
 * exact decimals with {@value #FIGURE_SCALE} decimal places (no binary floating point in evidence),
 * rounded half-even from the double the comparison computed.
 *
 * <h2>Definitions ({@value #METHOD_V1})</h2>
 * <ul>
 *   <li>{@code tensors}: the tensor count of A and of B, and the count of each category of
 *       {@link ModelComparison}: {@code identical} (byte-identical, by name or by content across
 *       names; {@code renamed} of them across names), {@code changed}, {@code dtypeChanged},
 *       {@code shapeChanged}, {@code onlyInA}, {@code onlyInB}. So
 *       {@code a = identical + changed + dtypeChanged + shapeChanged + onlyInA}, and the same for
 *       {@code b} with {@code onlyInB}.
 *   <li>{@code elements}: the element (parameter) count of A and of B, and of the identical tensors.
 *   <li>{@code cosine}: over the changed and re-typed tensors that have a cosine similarity
 *       ({@link Similarity#cosine()}, computed on a deterministic sample of at most 65,536 elements
 *       per tensor): how many ({@code tensors}), their element count ({@code elements}), the mean
 *       cosine <em>weighted by element count</em> (a per-parameter figure, so that a large matrix
 *       counts for more than a bias vector), the minimum, and the name of the tensor with the
 *       minimum (the first in name order among equals), omitted when no name is at hand. Absent
 *       when no tensor has a cosine.
 *   <li>{@code equal}: over the changed and re-typed tensors that have an equal fraction
 *       ({@link Similarity#equalFraction()}): how many, and the element-weighted mean fraction of
 *       equal elements. Absent when none has one.
 * </ul>
 *
 * <p>The constructor checks that the figures are consistent with each other (the sums above,
 * identical and compared elements within the smaller model, means between the bounds, the scale of
 * every decimal), so a summary read from a ledger is never self-contradictory. Immutable.
 *
 * @param method how the figures were computed; {@value #METHOD_V1} is the only method so far
 * @param architecture how the layouts relate
 * @param tensors tensor counts
 * @param elements element counts
 * @param cosine cosine figures, if any tensor has one
 * @param equal equal-fraction figures, if any tensor has one
 */
public record ComparisonSummary(String method, Architecture architecture, TensorCounts tensors,
    ElementCounts elements, Optional<CosineFigures> cosine, Optional<EqualFigures> equal) {

  /**
   * The comparison method of this version: matching by name then by content, per-tensor SHA-256,
   * similarity on the deterministic sample of {@code ElementSampler}, the definitions above.
   */
  public static final String METHOD_V1 = "custody/compare/v1";
  /** Decimal places of every similarity figure. */
  public static final int FIGURE_SCALE = 6;

  public ComparisonSummary {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(tensors, "tensors");
    Objects.requireNonNull(elements, "elements");
    Objects.requireNonNull(cosine, "cosine");
    Objects.requireNonNull(equal, "equal");
    if (!method.equals(METHOD_V1)) {
      throw new IllegalArgumentException("comparison method " + Untrusted.quote(method) + " is unknown; this version"
          + " of custody reads " + METHOD_V1 + " (a newer custody may read it)");
    }
    long compared = tensors.changed() + tensors.dtypeChanged();
    cosine.ifPresent(c -> {
      if (c.tensors() > compared) {
        throw new IllegalArgumentException("cosine figures cover " + c.tensors() + " tensors, but only " + compared
            + " changed or re-typed tensors were compared");
      }
    });
    equal.ifPresent(e -> {
      if (e.tensors() > compared) {
        throw new IllegalArgumentException("equal figures cover " + e.tensors() + " tensors, but only " + compared
            + " changed or re-typed tensors were compared");
      }
    });
    long smaller = Math.min(elements.a(), elements.b());
    long cosineElements = cosine.map(CosineFigures::elements).orElse(0L);
    if (elements.identical() > smaller || cosineElements > smaller - elements.identical()) {
      throw new IllegalArgumentException("identical (" + elements.identical() + ") and compared (" + cosineElements
          + ") elements exceed the smaller model's " + smaller + " elements");
    }
    if (architecture == Architecture.IDENTICAL && (tensors.a() != tensors.b() || tensors.renamed() > 0
        || tensors.shapeChanged() > 0 || tensors.dtypeChanged() > 0 || tensors.onlyInA() > 0 || tensors.onlyInB() > 0
        || elements.a() != elements.b())) {
      throw new IllegalArgumentException("an identical architecture has the same tensors on both sides (same names,"
          + " dtypes and shapes), but the counts differ");
    }
  }

  /** {@code value} rounded half-even to {@value #FIGURE_SCALE} decimal places, the form every figure has. */
  public static BigDecimal figure(double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("a figure must be finite, got " + value);
    }
    return new BigDecimal(value).setScale(FIGURE_SCALE, RoundingMode.HALF_EVEN);
  }

  /** The share of the smaller model's elements that are byte-identical in the other: 0 to 1. */
  public double identicalShare() {
    return share(elements.identical());
  }

  /** The share of the smaller model's elements in tensors with a cosine figure: 0 to 1. */
  public double cosineShare() {
    return share(cosine.map(CosineFigures::elements).orElse(0L));
  }

  private double share(long n) {
    long smaller = Math.min(elements.a(), elements.b());
    return smaller == 0 ? 0 : (double) n / smaller;
  }

  /**
   * Tensor counts; see the class comment for what each counts.
   */
  public record TensorCounts(long a, long b, long identical, long renamed, long changed, long dtypeChanged,
      long shapeChanged, long onlyInA, long onlyInB) {
    public TensorCounts {
      requireCount(a, "tensors.a");
      requireCount(b, "tensors.b");
      requireCount(identical, "tensors.identical");
      requireCount(renamed, "tensors.renamed");
      requireCount(changed, "tensors.changed");
      requireCount(dtypeChanged, "tensors.dtypeChanged");
      requireCount(shapeChanged, "tensors.shapeChanged");
      requireCount(onlyInA, "tensors.onlyInA");
      requireCount(onlyInB, "tensors.onlyInB");
      if (renamed > identical) {
        throw new IllegalArgumentException("tensors.renamed (" + renamed + ") exceeds tensors.identical (" + identical
            + "): renamed tensors are identical ones matched across names");
      }
      long common = identical + changed + dtypeChanged + shapeChanged;
      if (common + onlyInA != a || common + onlyInB != b) {
        throw new IllegalArgumentException("tensor counts do not add up: identical + changed + dtypeChanged +"
            + " shapeChanged + onlyInA must be a (" + (common + onlyInA) + " != " + a + "), and with onlyInB, b ("
            + (common + onlyInB) + " != " + b + ")");
      }
    }
  }

  /** Element (parameter) counts of A, of B, and of the tensors identical in both. */
  public record ElementCounts(long a, long b, long identical) {
    public ElementCounts {
      requireCount(a, "elements.a");
      requireCount(b, "elements.b");
      requireCount(identical, "elements.identical");
    }
  }

  /**
   * Cosine similarity of the changed and re-typed tensors that have one.
   *
   * @param tensors how many tensors have a cosine (at least 1)
   * @param elements their element count
   * @param mean their element-weighted mean cosine, -1 to 1
   * @param min the smallest cosine, -1 to {@code mean}
   * @param minTensor the name of the tensor with the smallest cosine, the model file's own text (a
   *     valid safetensors tensor name: {@link SafetensorsHeader#tensorNameProblem})
   */
  public record CosineFigures(long tensors, long elements, BigDecimal mean, BigDecimal min,
      Optional<String> minTensor) {
    public CosineFigures {
      requireCount(tensors, "cosine.tensors");
      requireCount(elements, "cosine.elements");
      if (tensors == 0) {
        throw new IllegalArgumentException("cosine figures need at least one tensor (omit them otherwise)");
      }
      requireFigure(mean, "cosine.mean", BigDecimal.ONE.negate(), BigDecimal.ONE);
      requireFigure(min, "cosine.min", BigDecimal.ONE.negate(), BigDecimal.ONE);
      if (min.compareTo(mean) > 0) {
        throw new IllegalArgumentException("cosine.min " + min + " is above cosine.mean " + mean);
      }
      Objects.requireNonNull(minTensor, "minTensor").ifPresent(n -> SafetensorsHeader.tensorNameProblem(n)
          .ifPresent(p -> {
            throw new IllegalArgumentException("cosine.minTensor: " + p);
          }));
    }
  }

  /**
   * The fraction of equal elements in the changed and re-typed tensors that have one.
   *
   * @param tensors how many (at least 1)
   * @param mean the element-weighted mean fraction, 0 to 1
   */
  public record EqualFigures(long tensors, BigDecimal mean) {
    public EqualFigures {
      requireCount(tensors, "equal.tensors");
      if (tensors == 0) {
        throw new IllegalArgumentException("equal figures need at least one tensor (omit them otherwise)");
      }
      requireFigure(mean, "equal.mean", BigDecimal.ZERO, BigDecimal.ONE);
    }
  }

  private static void requireCount(long n, String what) {
    if (n < 0) {
      throw new IllegalArgumentException(what + " must not be negative, got " + n);
    }
  }

  private static void requireFigure(BigDecimal v, String what, BigDecimal lo, BigDecimal hi) {
    Objects.requireNonNull(v, what);
    if (v.scale() != FIGURE_SCALE) {
      throw new IllegalArgumentException(what + " must have exactly " + FIGURE_SCALE + " decimal places (e.g. "
          + figure(0.5) + "), got " + Untrusted.quote(v.toString()));
    }
    if (v.compareTo(lo) < 0 || v.compareTo(hi) > 0) {
      throw new IllegalArgumentException(what + " must be between " + lo + " and " + hi + ", got " + v);
    }
  }
}
