package dev.custody.verify.lineage;

import dev.custody.core.derivation.ComparisonSummary;
import dev.custody.core.internal.text.Untrusted;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Objects;

/**
 * What a comparison of two models' weights says about whether one derives from the other, judged
 * from its {@link ComparisonSummary} alone — so that a comparison made now from weights at hand and
 * one signed earlier in a ledger are judged alike. Shares are of the <em>smaller</em> model's
 * elements; "cosine" is the element-weighted mean cosine of the same-named, same-shape tensors that
 * changed (or changed dtype).
 *
 * <p>The verdicts, tried in this order:
 * <ol>
 *   <li>{@link #NEAR_COPY}: at least {@value #NEAR_COPY_IDENTICAL} of the elements are byte-identical,
 *       or identical and compared tensors together cover at least {@value #NEAR_COPY_COVERAGE} of
 *       them and the cosine is at least {@value #NEAR_COPY_COSINE}.
 *   <li>If at least {@value #COMPARED_ENOUGH} of the elements were compared by value: {@link #RELATED}
 *       when the cosine is at least {@value #RELATED_COSINE}, {@link #UNRELATED} when it is below
 *       {@value #UNRELATED_COSINE}, else {@link #INCONCLUSIVE}. A few byte-identical tensors do not
 *       change this: copying a small share of a base's tensors into an unrelated model does not make
 *       its other weights resemble the base.
 *   <li>Otherwise (little could be compared by value): {@link #RELATED} when some tensor was compared
 *       with a cosine of at least {@value #RELATED_COSINE} or at least {@value #TRACE} of the elements
 *       are identical; {@link #NOTHING_IN_COMMON} when less than {@value #TRACE} of the elements are
 *       identical and less than {@value #TRACE} were compared; else {@link #INCONCLUSIVE}.
 * </ol>
 *
 * <p><b>Why these thresholds</b> (measured on the models {@code DerivationThresholdsTest} builds: a
 * 2-layer, width-64 transformer with trained-like value distributions, 131,648 parameters; the table
 * is in the README). Independent weights have a cosine near 0 (sampled cosine of {@code n} independent
 * values is about {@code ±1/sqrt(n)}): unrelated models of the same, a deeper, and a re-typed layout
 * measured -0.003 to 0.006, though their norm weights (all near 1) each have a cosine of 0.998 — the
 * element weighting keeps those small tensors from deciding. A fine-tune adds an update to weights it
 * keeps: an update {@code r} times the size of the weights gives a cosine of about
 * {@code 1/sqrt(1+r²)}, measured 0.99995 (r = 0.01), 0.995 (0.1), 0.958 (0.3), 0.894 (0.5), 0.706
 * (1.0) and 0.446 (2.0); re-quantised copies measured 0.99995 (INT8) to 1.000000 (F16). So
 * {@value #UNRELATED_COSINE} leaves a wide margin above what unrelated weights show, and
 * {@value #RELATED_COSINE} is reached by any update up to the size of the weights themselves;
 * between them a claim is neither supported nor contradicted. {@value #NEAR_COPY_COSINE} is an update
 * of at most about a seventh of the weights (r ≈ 0.14) or any re-quantisation. {@value #TRACE} of the
 * elements is the floor below which shared bytes are noise (constant tensors such as all-zero biases
 * of two fresh initialisations are identical without any copying).
 *
 * <p>Similarity is evidence, not proof: whoever controls the weights can add noise until a copy no
 * longer resembles its source, or copy tensors into a model to make it resemble one.
 */
public enum Resemblance {
  /** Most of the smaller model is copied, byte for byte or with very small changes. */
  NEAR_COPY,
  /** The weights resemble each other: evidence that one derives from the other (or both from a third). */
  RELATED,
  /** The figures neither support nor contradict a derivation. */
  INCONCLUSIVE,
  /** Most of the smaller model was compared by value and does not resemble the other. */
  UNRELATED,
  /** No tensor is identical and none could be compared: different layouts altogether. */
  NOTHING_IN_COMMON;

  /** Share of byte-identical elements that alone makes a near-copy. */
  public static final double NEAR_COPY_IDENTICAL = 0.5;
  /** Share that identical and compared tensors must cover together for a near-copy by cosine. */
  public static final double NEAR_COPY_COVERAGE = 0.9;
  /** Cosine of a near-copy: an update of at most about a seventh of the weights, or a re-quantisation. */
  public static final double NEAR_COPY_COSINE = 0.99;
  /** Share compared by value above which the cosine decides. */
  public static final double COMPARED_ENOUGH = 0.5;
  /** Cosine at or above which weights are related. */
  public static final double RELATED_COSINE = 0.5;
  /** Cosine below which weights are unrelated. */
  public static final double UNRELATED_COSINE = 0.2;
  /** Share below which identical or compared elements count as none. */
  public static final double TRACE = 0.01;

  /** Judges {@code s}. */
  public static Resemblance of(ComparisonSummary s) {
    Objects.requireNonNull(s, "s");
    double identical = s.identicalShare();
    double compared = s.cosineShare();
    double cosine = s.cosine().map(c -> c.mean().doubleValue()).orElse(Double.NaN);
    boolean hasCosine = s.cosine().isPresent();
    if (identical >= NEAR_COPY_IDENTICAL
        || hasCosine && identical + compared >= NEAR_COPY_COVERAGE && cosine >= NEAR_COPY_COSINE) {
      return NEAR_COPY;
    }
    if (compared >= COMPARED_ENOUGH) {
      return cosine >= RELATED_COSINE ? RELATED : cosine < UNRELATED_COSINE ? UNRELATED : INCONCLUSIVE;
    }
    if (hasCosine && cosine >= RELATED_COSINE || identical >= TRACE) {
      return RELATED;
    }
    return identical < TRACE && compared < TRACE ? NOTHING_IN_COMMON : INCONCLUSIVE;
  }

  /**
   * The figures a verdict rests on, for messages: e.g. {@code "architecture identical, 0.0% of the
   * smaller model's elements byte-identical (0 tensors), 100.0% compared by value with
   * element-weighted mean cosine 0.005834 (minimum -0.087454), least similar tensor 'lm_head.weight'"}.
   * The tensor name is the model file's text, quoted with {@link Untrusted#quote}.
   */
  public static String figures(ComparisonSummary s) {
    StringBuilder b = new StringBuilder();
    b.append("architecture ").append(s.architecture().label()).append(", ")
        .append(percent(s.identicalShare())).append(" of the smaller model's elements byte-identical (")
        .append(s.tensors().identical()).append(" tensors), ").append(percent(s.cosineShare()))
        .append(" compared by value");
    s.cosine().ifPresent(c -> {
      b.append(" with element-weighted mean cosine ").append(plain(c.mean())).append(" (minimum ")
          .append(plain(c.min())).append(")");
      c.minTensor().ifPresent(n -> b.append(", least similar tensor ").append(Untrusted.quote(n)));
    });
    return b.toString();
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.1f%%", share * 100);
  }

  private static String plain(BigDecimal d) {
    return d.toPlainString();
  }
}
