package dev.custody.core.derivation;

import dev.custody.core.derivation.ComparisonSummary.CosineFigures;
import dev.custody.core.derivation.ComparisonSummary.ElementCounts;
import dev.custody.core.derivation.ComparisonSummary.EqualFigures;
import dev.custody.core.derivation.ComparisonSummary.TensorCounts;
import dev.custody.core.derivation.ModelComparison.Architecture;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import java.math.BigDecimal;
import java.util.Optional;

/** Comparison summaries and comparison events for tests (shared with other modules through core's test jar). */
public final class Summaries {
  private Summaries() {}

  /** A fine-tune-like comparison: 10 tensors each side, 2 identical, 8 changed with high cosine. */
  public static ComparisonSummary fineTune() {
    return new ComparisonSummary(ComparisonSummary.METHOD_V1, Architecture.IDENTICAL,
        new TensorCounts(10, 10, 2, 0, 8, 0, 0, 0, 0), new ElementCounts(100_000, 100_000, 128),
        Optional.of(new CosineFigures(8, 99_872, new BigDecimal("0.998712"), new BigDecimal("0.990001"),
            Optional.of("model.layers.0.mlp.weight"))),
        Optional.of(new EqualFigures(8, new BigDecimal("0.000000"))));
  }

  /** "Different architecture, nothing identical": what a comparison of unrelated models says. */
  public static ComparisonSummary unrelated() {
    return new ComparisonSummary(ComparisonSummary.METHOD_V1, Architecture.DIFFERENT,
        new TensorCounts(10, 6, 0, 0, 0, 0, 0, 10, 6), new ElementCounts(100_000, 50_000, 0),
        Optional.empty(), Optional.empty());
  }

  /** A comparison event of {@code a} and {@code b} with {@code summary}. */
  public static Event event(Digest a, Digest b, ComparisonSummary summary) {
    return Event.builder(EventType.COMPARISON)
        .input(ArtifactRef.of(EventDetails.Comparison.INPUT_A, ArtifactKind.MODEL, a))
        .input(ArtifactRef.of(EventDetails.Comparison.INPUT_B, ArtifactKind.MODEL, b))
        .details(new EventDetails.Comparison(summary))
        .build();
  }
}
