package dev.custody.core.derivation;

import java.util.OptionalDouble;

/**
 * Cheap statistics comparing the values of two same-shape tensors, computed on a deterministic sample
 * (see {@link ElementSampler}): the elements at indices {@code floor(k * n / m)} for
 * {@code k = 0 .. m-1}, where {@code n} is the element count and {@code m = min(n, }{@value
 * ElementSampler#MAX_SAMPLE}{@code )} — every element when the tensor is small.
 *
 * @param elements the tensors' element count {@code n}
 * @param sampled how many element pairs were compared ({@code m}); 0 when the dtype allows no statistic
 * @param cosine cosine similarity of the sampled values as doubles, over the pairs where both values
 *     are finite; empty when the dtypes have no numeric value, no pair is finite, or a vector is zero
 * @param equalFraction fraction of sampled pairs that are equal: bitwise when both tensors have the
 *     same dtype, numerically (as doubles; NaN never equal) when the dtypes differ; empty for packed
 *     sub-byte dtypes
 */
public record Similarity(long elements, int sampled, OptionalDouble cosine, OptionalDouble equalFraction) {
  public Similarity {
    if (elements < 0 || sampled < 0 || sampled > elements) {
      throw new IllegalArgumentException("bad counts: " + sampled + " sampled of " + elements);
    }
    cosine.ifPresent(c -> {
      if (!(c >= -1.0000001 && c <= 1.0000001)) {
        throw new IllegalArgumentException("cosine out of range: " + c);
      }
    });
  }

  /** No statistic available (e.g. packed sub-byte dtypes). */
  static Similarity none(long elements) {
    return new Similarity(elements, 0, OptionalDouble.empty(), OptionalDouble.empty());
  }

  /** Whether every element was compared (the statistics are exact, not estimates). */
  public boolean exhaustive() {
    return sampled == elements;
  }
}
