package dev.custody.verify.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.internal.json.JsonOutput;
import dev.custody.verify.ChainSummary;
import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
import dev.custody.verify.Severity;
import dev.custody.verify.VerificationReport;
import dev.custody.verify.lineage.Step;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;

/**
 * Renders a report as JSON for machines: one document of the versioned schema {@value #FORMAT}.
 * Members in this order; a member shown in brackets is omitted when it has no value, never null:
 *
 * <pre>
 * { "format": "custody/report/v1",
 *   "verified": bool,                        true exactly when errors = 0
 *   "ledgers": [ { "label": text, "path": text }+ ],
 *   "entries": n,                            records checked
 *   "errors": n, "warnings": n,              every finding counts, listed or not
 *   "summary": {
 *     "chains":   [ { "ledger": label, "chain": id, "entries": n, "head": digest, "signerKeyIds": [hex64*] }* ],
 *     "signers":  [ { "keyId": hex64, ["identity": name, "organisation": name,] ["steps": n] }* ],
 *     ["steps": n,]                          authentic steps in scope
 *     ["kinds": { kind: n, ... },]           steps in scope per kind
 *     ["releases": [ { step members, ["version": text,] "outputs": [ { "name", "kind", "digest" }* ] }* ],]
 *     ["roots": { "declared": n, "unproven": n,
 *                 "artifacts": [ { "digest", "kind", "name", "declared": bool, "required": bool, ["root": name, ["publisher": name]],
 *                                  "usedBy": [STEP-ID+] }* ] }] },
 *   "findings": [finding*],
 *   "omitted": { CODE: n, ... },
 *   ["lineage": { "steps": [step*], "links": [link*], "roots": [root*] }] }
 * </pre>
 *
 * <ul>
 *   <li>{@code label} names a ledger everywhere else in the document ({@code summary.chains[].ledger},
 *       {@code findings[].entry.ledger}, step ids): its directory name, made distinct ({@code name#2}).
 *   <li>The summary covers the report's <b>scope</b>: its chains (every chain, unless the
 *       verification was restricted to one) and every step they derive from, in any chain or ledger.
 *       {@code steps}, {@code kinds}, {@code releases} and {@code roots} are present when the report
 *       carries a lineage (every report of {@link dev.custody.verify.LedgerVerifier} does).
 *   <li>{@code signers}: every key that signed an authentic entry in scope, with the identity and
 *       organisation the trust policy binds it to (none under {@code --trust}); {@code steps} is how
 *       many steps in scope it signed.
 *   <li>{@code kinds}: built-in kind names in lifecycle order, then custom kinds' URIs by name.
 *   <li>{@code releases}: every {@code release} step in scope, with its version and what it names as
 *       outputs (the released model's manifest root digest), in evidence order (ledger, log index).
 *   <li>{@code roots}: artifacts of the lineage that no step produced, once per digest, kind and
 *       declaration: {@code declared} when the policy's {@code externalRoots} names them (then
 *       {@code root} and {@code publisher} say which), else unproven; {@code usedBy} lists the steps
 *       in scope that use them. The two counts count these artifacts.
 *   <li>{@code findings}: at most {@link VerificationReport#MAX_FINDINGS_PER_CODE} per code, in log
 *       order (findings about a ledger as a whole last); {@code rule} is the id of the trust policy
 *       rule that raised the finding; {@code entry.ledger} the label of its ledger. {@code omitted}
 *       counts, per code, the findings beyond those listed (an empty object when none were left out).
 *   <li>{@code lineage} (only when asked for): the steps in scope, the links between them and the
 *       roots each uses, as in {@code custody/lineage/v1}.
 *   <li>{@code step}, {@code link}, {@code root}, {@code finding}, {@code STEP-ID}: {@link LineageJson}'s
 *       encoding. Codes are the names of {@link FindingCode} (a contract: codes are added, never
 *       renamed or removed); severities {@code ERROR}, {@code WARNING}, {@code INFO}; digests
 *       {@code sha256:<64 lowercase hex>}; key ids 64 lowercase hex; times RFC 3339 UTC.
 * </ul>
 *
 * A consumer should ignore members it does not know: a later version of this schema may add
 * members, and changes anything else only under a new {@code format}. Strings are written by
 * {@link JsonOutput}: no raw control, bidi or line-separator character, so the document is safe to
 * print; a consumer that displays its strings must still treat them as untrusted text (they come
 * from the ledger). One line, no trailing newline. Thread-safe.
 */
public final class JsonReportRenderer {
  /** The format name and version of the document. */
  public static final String FORMAT = "custody/report/v1";

  private JsonReportRenderer() {}

  /** The document for {@code r}, without the lineage. */
  public static String render(VerificationReport r) {
    return render(r, false);
  }

  /**
   * The document for {@code r}.
   *
   * @param withLineage whether to add {@code lineage}: every step in scope with its links and roots
   *     (a few hundred bytes per step)
   */
  public static String render(VerificationReport r, boolean withLineage) {
    Objects.requireNonNull(r, "report");
    ReportSummary summary = ReportSummary.of(r);
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JsonOutput.generator(w)) {
      g.writeStartObject();
      g.writeStringField("format", FORMAT);
      g.writeBooleanField("verified", r.verified());
      g.writeArrayFieldStart("ledgers");
      for (int i = 0; i < r.ledgers().size(); i++) {
        g.writeStartObject();
        g.writeStringField("label", r.ledgerLabels().get(i));
        g.writeStringField("path", r.ledgers().get(i).toString());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeNumberField("entries", r.entriesChecked());
      g.writeNumberField("errors", r.count(Severity.ERROR));
      g.writeNumberField("warnings", r.count(Severity.WARNING));
      writeSummary(g, summary);
      g.writeArrayFieldStart("findings");
      for (Finding f : r.findings()) {
        LineageJson.writeFinding(g, f);
      }
      g.writeEndArray();
      g.writeObjectFieldStart("omitted");
      for (Map.Entry<FindingCode, Long> o : r.omitted().entrySet()) {
        g.writeNumberField(o.getKey().name(), o.getValue());
      }
      g.writeEndObject();
      if (withLineage && r.lineage().isPresent()) {
        g.writeObjectFieldStart("lineage");
        LineageJson.writeSteps(g, summary.scope, r::signerLabel);
        LineageJson.writeLinks(g, r.lineage().get(), summary.scope);
        LineageJson.writeRoots(g, r.lineage().get(), summary.scope);
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return w.toString();
  }

  private static void writeSummary(JsonGenerator g, ReportSummary s) throws IOException {
    g.writeObjectFieldStart("summary");
    g.writeArrayFieldStart("chains");
    for (ChainSummary c : s.report.chains()) {
      g.writeStartObject();
      if (c.ledger().isPresent()) {
        g.writeStringField("ledger", c.ledger().get());
      }
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
    g.writeArrayFieldStart("signers");
    for (ReportSummary.SignerSummary signer : s.signers) {
      g.writeStartObject();
      g.writeStringField("keyId", signer.keyId());
      if (signer.signer().flatMap(x -> x.identityName()).isPresent()) {
        g.writeStringField("identity", signer.signer().get().identityName().get());
        g.writeStringField("organisation", signer.signer().get().organisation().get());
      }
      if (s.hasLineage) {
        g.writeNumberField("steps", signer.steps());
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    if (s.hasLineage) {
      g.writeNumberField("steps", s.scope.size());
      g.writeObjectFieldStart("kinds");
      for (Map.Entry<EventType, Long> k : s.kinds.entrySet()) {
        g.writeNumberField(k.getKey().name(), k.getValue());
      }
      g.writeEndObject();
      writeReleases(g, s);
      writeRoots(g, s);
    }
    g.writeEndObject();
  }

  private static void writeReleases(JsonGenerator g, ReportSummary s) throws IOException {
    g.writeArrayFieldStart("releases");
    for (Step release : s.releases) {
      g.writeStartObject();
      LineageJson.writeStepMembers(g, release, s.report::signerLabel);
      if (release.event().details() instanceof EventDetails.Release rel) {
        g.writeStringField("version", rel.version());
      }
      g.writeArrayFieldStart("outputs");
      for (ArtifactRef a : release.event().outputs()) {
        g.writeStartObject();
        g.writeStringField("name", a.name());
        g.writeStringField("kind", a.kind().jsonName());
        g.writeStringField("digest", a.digest().toString());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeRoots(JsonGenerator g, ReportSummary s) throws IOException {
    g.writeObjectFieldStart("roots");
    g.writeNumberField("declared", s.roots(true).size());
    g.writeNumberField("unproven", s.roots(false).size());
    g.writeArrayFieldStart("artifacts");
    for (ReportSummary.RootSummary r : s.roots) {
      g.writeStartObject();
      g.writeStringField("digest", r.digest().toString());
      g.writeStringField("kind", r.kind().jsonName());
      g.writeStringField("name", r.name());
      g.writeBooleanField("declared", r.declared().isPresent());
      g.writeBooleanField("required", r.required());
      if (r.declared().isPresent()) {
        g.writeStringField("root", r.declared().get().name());
        if (r.declared().get().publisher().isPresent()) {
          g.writeStringField("publisher", r.declared().get().publisher().get());
        }
      }
      g.writeArrayFieldStart("usedBy");
      for (Step u : r.usedBy()) {
        g.writeString(LineageJson.id(u));
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }
}
