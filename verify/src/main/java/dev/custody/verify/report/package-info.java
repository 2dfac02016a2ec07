/** Renderers of a {@link dev.custody.verify.VerificationReport}: text for terminals, JSON for machines. */
package dev.custody.verify.report;
