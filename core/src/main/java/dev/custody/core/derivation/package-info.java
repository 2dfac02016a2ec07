/**
 * API. Derivation evidence between two models: {@link dev.custody.core.derivation.ModelComparison} (layout
 * relation, byte-identical / changed / re-typed / unmatched tensors) with
 * {@link dev.custody.core.derivation.Similarity} statistics on bounded, deterministic samples.
 * Evidence, never verdicts.
 */
package dev.custody.core.derivation;
