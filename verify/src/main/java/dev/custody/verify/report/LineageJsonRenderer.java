package dev.custody.verify.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.custody.core.internal.json.JsonOutput;
import dev.custody.verify.Finding;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.Step;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The lineage of one step as JSON ({@value #FORMAT}), for machines: every step of
 * {@link LineageGraph#lineageOf}, the links between them, the roots, and the findings about them.
 * Shape (members in this order; absent values are omitted, never null; {@code step}, {@code link},
 * {@code root} and {@code finding} are {@link LineageJson}'s encoding, the same as in the
 * verification report, {@code custody/report/v1}):
 *
 * <pre>
 * { "format": "custody/lineage/v1", "verified": bool, "target": STEP-ID,
 *   "steps": [step*], "links": [link*], "roots": [root*], "findings": [finding*] }
 * </pre>
 *
 * Digests are {@code sha256:<hex>}; times RFC 3339 UTC. Strings are escaped by {@link JsonOutput}
 * (no raw control, format or line-separator characters). One line, no trailing newline.
 * Thread-safe.
 */
public final class LineageJsonRenderer {
  /** The format name and version of the document. */
  public static final String FORMAT = "custody/lineage/v1";

  private LineageJsonRenderer() {}

  /**
   * @param verified the verdict for this lineage (the caller decides which findings count)
   * @param signer how to name a step's signer
   * @param findings the findings to include: those about the lineage's steps and those about no entry
   */
  public static String render(LineageGraph graph, Step target, boolean verified, Function<Step, String> signer,
      List<Finding> findings) {
    Objects.requireNonNull(graph, "graph");
    List<Step> steps = graph.lineageOf(target);
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JsonOutput.generator(w)) {
      g.writeStartObject();
      g.writeStringField("format", FORMAT);
      g.writeBooleanField("verified", verified);
      g.writeStringField("target", LineageJson.id(target));
      LineageJson.writeSteps(g, steps, signer);
      LineageJson.writeLinks(g, graph, steps);
      LineageJson.writeRoots(g, graph, steps);
      g.writeArrayFieldStart("findings");
      for (Finding f : findings) {
        LineageJson.writeFinding(g, f);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return w.toString();
  }
}
