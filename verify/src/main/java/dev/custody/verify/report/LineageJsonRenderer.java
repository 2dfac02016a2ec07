package dev.custody.verify.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.custody.core.json.JsonOutput;
import dev.custody.verify.EntryRef;
import dev.custody.verify.Finding;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.Link;
import dev.custody.verify.lineage.RootUse;
import dev.custody.verify.lineage.Step;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The lineage of one step as JSON ({@value #FORMAT}), for machines: every step of
 * {@link LineageGraph#lineageOf}, the links between them, the roots, and the findings about them.
 * Shape (members in this order; absent values are omitted, never null):
 *
 * <pre>
 * { "format": "custody/lineage/v1", "verified": bool, "target": STEP-ID,
 *   "steps":  [ { "id": "LEDGER#LOGINDEX", "ledger", "chain", "sequence", "logIndex", "hash", "kind",
 *                 "time", "keyId", "signer" }* ],
 *   "links":  [ { "from": STEP-ID, "to": STEP-ID, "type": "artifact"|"subject", "digest",
 *                 ["kind", "output", "input"] }* ],
 *   "roots":  [ { "step": STEP-ID, "name", "kind", "digest", "declared": bool, ["root": NAME, "publisher"] }* ],
 *   "findings": [ { "code", "severity", ["rule",] ["entry": { "logIndex", "where", "chain", "sequence", "hash" },]
 *                   "message" }* ] }
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
    Set<Step> in = new HashSet<>(steps);
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JsonOutput.generator(w)) {
      g.writeStartObject();
      g.writeStringField("format", FORMAT);
      g.writeBooleanField("verified", verified);
      g.writeStringField("target", id(target));
      g.writeArrayFieldStart("steps");
      for (Step s : steps) {
        g.writeStartObject();
        g.writeStringField("id", id(s));
        g.writeStringField("ledger", s.ledger());
        g.writeStringField("chain", s.chain());
        g.writeNumberField("sequence", s.sequence());
        g.writeNumberField("logIndex", s.ref().logIndex());
        g.writeStringField("hash", s.hash().toString());
        g.writeStringField("kind", s.kind().name());
        g.writeStringField("time", s.time().toString());
        g.writeStringField("keyId", s.keyId());
        g.writeStringField("signer", signer.apply(s));
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("links");
      for (Step s : steps) {
        for (Link l : graph.network().inEdges(s)) {
          if (!in.contains(l.from())) {
            continue;
          }
          g.writeStartObject();
          g.writeStringField("from", id(l.from()));
          g.writeStringField("to", id(l.to()));
          g.writeStringField("type", l.type() == Link.Type.SUBJECT ? "subject" : "artifact");
          g.writeStringField("digest", l.digest().toString());
          if (l.type() == Link.Type.ARTIFACT) {
            g.writeStringField("kind", l.kind().jsonName());
            g.writeStringField("output", l.fromName());
            g.writeStringField("input", l.toName());
          }
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      g.writeArrayFieldStart("roots");
      for (Step s : steps) {
        for (RootUse r : graph.rootsOf(s)) {
          g.writeStartObject();
          g.writeStringField("step", id(s));
          g.writeStringField("name", r.artifact().name());
          g.writeStringField("kind", r.artifact().kind().jsonName());
          g.writeStringField("digest", r.artifact().digest().toString());
          g.writeBooleanField("declared", r.isDeclared());
          if (r.isDeclared()) {
            g.writeStringField("root", r.declared().get().name());
            if (r.declared().get().publisher().isPresent()) {
              g.writeStringField("publisher", r.declared().get().publisher().get());
            }
          }
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      g.writeArrayFieldStart("findings");
      for (Finding f : findings) {
        writeFinding(g, f);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return w.toString();
  }

  /** A step's id in the document: its ledger's label and its log index. */
  static String id(Step s) {
    return s.ledger() + "#" + s.ref().logIndex();
  }

  static void writeFinding(JsonGenerator g, Finding f) throws IOException {
    g.writeStartObject();
    g.writeStringField("code", f.code().name());
    g.writeStringField("severity", f.severity().name());
    if (f.rule().isPresent()) {
      g.writeStringField("rule", f.rule().get());
    }
    if (f.entry().isPresent()) {
      EntryRef e = f.entry().get();
      g.writeObjectFieldStart("entry");
      g.writeNumberField("logIndex", e.logIndex());
      g.writeStringField("where", e.where());
      if (e.chain().isPresent()) {
        g.writeStringField("chain", e.chain().get());
        g.writeNumberField("sequence", e.sequence().getAsLong());
      }
      if (e.hash().isPresent()) {
        g.writeStringField("hash", e.hash().get().toString());
      }
      g.writeEndObject();
    }
    g.writeStringField("message", f.message());
    g.writeEndObject();
  }
}
