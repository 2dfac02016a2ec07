package dev.custody.verify.report;

import dev.custody.core.text.Untrusted;
import dev.custody.verify.ChainSummary;
import dev.custody.verify.EntryRef;
import dev.custody.verify.Finding;
import dev.custody.verify.Severity;
import dev.custody.verify.VerificationReport;
import java.util.Locale;

/**
 * Renders a report for a terminal. One line per finding:
 *
 * <pre>
 * ERROR PREV_MISMATCH acme/falcon-7b:3 #17 sha256:1a2b3c4d5e6f segments/00000000000000000000.jsonl line 18: message
 * </pre>
 *
 * (severity, code, chain:sequence or "-" when unknown, log index, entry hash prefix or "-", file
 * and line, message); for each code with more findings than the report keeps
 * ({@link VerificationReport#MAX_FINDINGS_PER_CODE}), one line
 * {@code ERROR RECORD_MALFORMED: and 14,999,900 more RECORD_MALFORMED findings (...)}; then one
 * line per chain, then a summary line: {@code VERIFIED: N entries in M chains} or
 * {@code FAILED: K errors, W warnings in N entries (M chains)}, counting every finding. Lines end
 * in '\n'.
 *
 * <p>Text from the ledger never reaches the terminal raw: column values (chain, file) go through
 * {@link Untrusted#escape}; messages, whose untrusted parts the verifier already quoted, through
 * {@link Untrusted#sanitize} as a last guard, so no control, bidi or line-breaking character is
 * printed. Thread-safe.
 */
public final class TextReportRenderer {
  /** Hex digits of the entry hash shown: enough to find the entry, short enough to read. */
  static final int HASH_PREFIX_HEX = 12;

  private TextReportRenderer() {}

  public static String render(VerificationReport r) {
    StringBuilder sb = new StringBuilder();
    sb.append("ledger ").append(Untrusted.escape(r.ledger().toString())).append('\n');
    for (Finding f : r.findings()) {
      sb.append(f.severity()).append(' ').append(f.code());
      if (f.entry().isPresent()) {
        EntryRef e = f.entry().get();
        sb.append(' ').append(Untrusted.escape(e.chainPosition().orElse("-")))
            .append(" #").append(e.logIndex())
            .append(' ').append(e.hash().map(h -> h.algorithm() + ":" + h.value().hex().substring(0, HASH_PREFIX_HEX))
                .orElse("-"))
            .append(' ').append(Untrusted.escape(location(e.where())));
      }
      sb.append(": ").append(Untrusted.sanitize(f.message())).append('\n');
    }
    r.omitted().forEach((code, n) -> sb.append(code.severity()).append(' ').append(code).append(": and ")
        .append(String.format(Locale.ROOT, "%,d", n)).append(" more ").append(code).append(n == 1 ? " finding" : " findings")
        .append(" (only the first ").append(VerificationReport.MAX_FINDINGS_PER_CODE)
        .append(" of each code are listed; every one counts in the verdict)\n"));
    for (ChainSummary c : r.chains()) {
      sb.append("chain ").append(Untrusted.escape(c.chain())).append(": ").append(c.entries()).append(c.entries() == 1 ? " entry" : " entries")
          .append(", head ").append(c.head()).append(", signed by ").append(String.join(", ", c.signerKeyIds()))
          .append('\n');
    }
    long errors = r.count(Severity.ERROR);
    long warnings = r.count(Severity.WARNING);
    String scope = r.entriesChecked() + (r.entriesChecked() == 1 ? " entry" : " entries");
    String chains = r.chains().size() + (r.chains().size() == 1 ? " chain" : " chains");
    if (r.verified()) {
      sb.append("VERIFIED: ").append(scope).append(" in ").append(chains);
      if (warnings > 0) {
        sb.append(" (").append(warnings).append(warnings == 1 ? " warning)" : " warnings)");
      }
    } else {
      sb.append("FAILED: ").append(errors).append(errors == 1 ? " error" : " errors").append(", ")
          .append(warnings).append(warnings == 1 ? " warning" : " warnings").append(" in ").append(scope)
          .append(" (").append(chains).append(')');
    }
    return sb.append('\n').toString();
  }

  /** The file-and-line part of a "where": the log index is shown on its own. */
  private static String location(String where) {
    int i = where.lastIndexOf(" (log index ");
    return i < 0 ? where : where.substring(0, i);
  }
}
