/**
 * API. The lineage graph a verification builds ({@link dev.custody.verify.lineage.LineageGraph} of
 * {@link dev.custody.verify.lineage.Step}s and {@link dev.custody.verify.lineage.Link}s), its
 * settings, and the derivation check of model weights at hand.
 */
package dev.custody.verify.lineage;
