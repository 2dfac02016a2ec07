package dev.custody.verify.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.custody.core.json.StrictJson;
import dev.custody.verify.ChainSummary;
import dev.custody.verify.EntryRef;
import dev.custody.verify.Finding;
import dev.custody.verify.Severity;
import dev.custody.verify.VerificationReport;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Renders a report as JSON for machines. Shape (members in this order; members whose value is
 * unknown are omitted, never null):
 *
 * <pre>
 * { "verified": bool, "ledger": path, "entries": n, "errors": n, "warnings": n,
 *   "chains": [ { "chain": id, "entries": n, "head": digest, "signerKeyIds": [hex64*] }* ],
 *   "findings": [ { "code": CODE, "severity": "ERROR"|"WARNING"|"INFO",
 *                   ["entry": { "logIndex": n, "where": text, ["chain": id, "sequence": n,] ["hash": digest] },]
 *                   "message": text }* ],
 *   "omitted": { CODE: n, ... } }
 * </pre>
 *
 * Codes are the names of {@link dev.custody.verify.FindingCode}. {@code findings} holds at most
 * {@link VerificationReport#MAX_FINDINGS_PER_CODE} per code; {@code omitted} counts, per code, the
 * findings beyond them (an empty object when none were left out); {@code errors} and
 * {@code warnings} count every finding, listed or not. Strings are escaped by Jackson (control
 * characters as {@code \}{@code uXXXX}); a consumer that displays them must treat them as untrusted
 * text. One line, no trailing newline. Thread-safe.
 */
public final class JsonReportRenderer {
  private JsonReportRenderer() {}

  public static String render(VerificationReport r) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = StrictJson.factory().createGenerator(w)) {
      g.writeStartObject();
      g.writeBooleanField("verified", r.verified());
      g.writeStringField("ledger", r.ledger().toString());
      g.writeNumberField("entries", r.entriesChecked());
      g.writeNumberField("errors", r.count(Severity.ERROR));
      g.writeNumberField("warnings", r.count(Severity.WARNING));
      g.writeArrayFieldStart("chains");
      for (ChainSummary c : r.chains()) {
        g.writeStartObject();
        g.writeStringField("chain", c.chain());
        g.writeNumberField("entries", c.entries());
        g.writeStringField("head", c.head().toString());
        g.writeArrayFieldStart("signerKeyIds");
        for (String k : c.signerKeyIds()) {
          g.writeString(k);
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("findings");
      for (Finding f : r.findings()) {
        g.writeStartObject();
        g.writeStringField("code", f.code().name());
        g.writeStringField("severity", f.severity().name());
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
      g.writeEndArray();
      g.writeObjectFieldStart("omitted");
      for (java.util.Map.Entry<dev.custody.verify.FindingCode, Long> o : r.omitted().entrySet()) {
        g.writeNumberField(o.getKey().name(), o.getValue());
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return w.toString();
  }
}
