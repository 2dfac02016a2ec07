/**
 * API. Renderers of a {@link dev.custody.verify.VerificationReport}: text for terminals, JSON for
 * machines, and a self-contained HTML page with the lineage graph for people.
 */
package dev.custody.verify.report;
