package dev.custody.verify.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.custody.verify.RecordRef;
import dev.custody.verify.Finding;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.Link;
import dev.custody.verify.lineage.RootUse;
import dev.custody.verify.lineage.Step;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The one JSON encoding of steps, links, roots and findings, shared by the lineage document
 * ({@link LineageJsonRenderer}, {@code custody/lineage/v1}) and the verification report
 * ({@link JsonReportRenderer}, {@code custody/report/v1}). Members in this order; absent values are
 * omitted, never null:
 *
 * <pre>
 * step    = { "id": STEP-ID, "ledger", "chain", "sequence", "logIndex", "hash", "kind", "time", "keyId", "signer" }
 * link    = { "from": STEP-ID, "to": STEP-ID, "type": "artifact"|"subject", "digest", ["kind", "output", "input"] }
 * root    = { "step": STEP-ID, "name", "kind", "digest", "declared": bool, "required": bool, ["root": NAME, ["publisher"]] }
 * finding = { "code", "severity", ["rule",] ["entry": { "logIndex", "where", ["ledger",] ["chain", "sequence",]
 *             ["hash"] },] "message" }
 * STEP-ID = LEDGER "#" LOGINDEX, e.g. "acme-ledger#17"
 * </pre>
 *
 * Digests are {@code sha256:<hex>}; times RFC 3339 UTC; {@code kind} of a step is a built-in kind
 * name or a custom kind's URI, of an artifact one of {@code model dataset code config report other}.
 * The generator must be a {@link dev.custody.core.internal.json.JsonOutput} one (untrusted strings escaped).
 */
final class LineageJson {
  private LineageJson() {}

  /** A step's id in a document: its ledger's label and its log index. */
  static String id(Step s) {
    return s.ledger() + "#" + s.ref().logIndex();
  }

  /** {@code "steps": [step*]}. */
  static void writeSteps(JsonGenerator g, List<Step> steps, Function<Step, String> signer) throws IOException {
    g.writeArrayFieldStart("steps");
    for (Step s : steps) {
      g.writeStartObject();
      writeStepMembers(g, s, signer);
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** The members of a step object, into an object the caller opened (and may add to). */
  static void writeStepMembers(JsonGenerator g, Step s, Function<Step, String> signer) throws IOException {
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
  }

  /** {@code "links": [link*]}: the links into each of {@code steps} from another of them. */
  static void writeLinks(JsonGenerator g, LineageGraph graph, List<Step> steps) throws IOException {
    Set<Step> in = new HashSet<>(steps);
    g.writeArrayFieldStart("links");
    for (Step s : steps) {
      for (Link l : graph.linksInto(s)) {
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
  }

  /** {@code "roots": [root*]}: every artifact one of {@code steps} uses that no step produced. */
  static void writeRoots(JsonGenerator g, LineageGraph graph, List<Step> steps) throws IOException {
    g.writeArrayFieldStart("roots");
    for (Step s : steps) {
      for (RootUse r : graph.rootsOf(s)) {
        g.writeStartObject();
        g.writeStringField("step", id(s));
        g.writeStringField("name", r.artifact().name());
        g.writeStringField("kind", r.artifact().kind().jsonName());
        g.writeStringField("digest", r.artifact().digest().toString());
        g.writeBooleanField("declared", r.isDeclared());
        g.writeBooleanField("required", r.required());
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
  }

  /** One finding object. */
  static void writeFinding(JsonGenerator g, Finding f) throws IOException {
    g.writeStartObject();
    g.writeStringField("code", f.code().name());
    g.writeStringField("severity", f.severity().name());
    if (f.rule().isPresent()) {
      g.writeStringField("rule", f.rule().get());
    }
    if (f.entry().isPresent()) {
      RecordRef e = f.entry().get();
      g.writeObjectFieldStart("entry");
      g.writeNumberField("logIndex", e.logIndex());
      g.writeStringField("where", e.where());
      if (e.ledger().isPresent()) {
        g.writeStringField("ledger", e.ledger().get());
      }
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
