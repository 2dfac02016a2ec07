package dev.custody.verify.report;

import dev.custody.verify.internal.replay.*;
import static dev.custody.verify.report.ReportWords.plural;
import static dev.custody.verify.report.ReportWords.title;

import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.EventDetails;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.ChainSummary;
import dev.custody.verify.RecordRef;
import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
import dev.custody.verify.Severity;
import dev.custody.verify.VerificationReport;
import dev.custody.verify.lineage.Step;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Renders a report for a terminal, in {@value #WIDTH} columns: the verdict, a summary, the
 * findings grouped by severity, and the verdict again (so it is the last line too):
 *
 * <pre>
 * FAILED: 1 error, 1 warning in 10 entries (3 chains)
 *
 * Summary
 *   ledger    /srv/audit/acme-ledger
 *   entries   10 checked
 *   chains    3
 *             acme/base: 5 entries, head sha256:0c2f9a81d3e4, signed by acme/trainer (acme)
 *             …
 *   signers   2
 *             acme/trainer (acme), key 5d1f3b0e9a2c: 5 steps
 *             key 77c1a0d2e4f9: 5 steps
 *   steps     10: dataset-ingest 1, fine-tune 2, evaluation 1, release 3, approval 1, …
 *   releases  3
 *             acme/base:3 version 1.0, 2026-11-20T09:03:00Z, by acme/trainer (acme)
 *               model 'model' sha256:9f0c…(64 hex digits)
 *             beta/ft:3 version 2.1, 2026-11-20T09:08:00Z, by key 77c1a0d2e4f9  [1 warning]
 *               model 'model' sha256:…
 *   roots     1 declared (model), 1 unproven (dataset)
 *             declared: model llama-3-8b (published by meta) sha256:…
 *
 * Errors (1)
 * ERROR LINEAGE_INPUT_UNPROVEN beta/ft:0, log index 5, segments/00000000000000000000.jsonl line 6:
 *     fine-tune beta/ft:0 uses dataset 'instructions' sha256:…, which no earlier step produced and
 *     the policy does not declare as an external root. …
 *
 * Warnings (1)
 * WARNING RELEASE_UNPRODUCED beta/ft:3, log index 8, segments/00000000000000000000.jsonl line 9:
 *     …
 *
 * FAILED: 1 error, 1 warning in 10 entries (3 chains)
 * </pre>
 *
 * <p><b>Verdict.</b> {@code VERIFIED: N entries in M chains[ of L ledgers][ (W warnings)]} or
 * {@code FAILED: K errors, W warnings in N entries (M chains[, L ledgers])}, counting every
 * finding, listed or not.
 *
 * <p><b>Summary.</b> The ledger(s); the records checked; the chains (at most {@value #MAX_LISTED};
 * with their ledger when several); who signed (the identity and organisation a trust policy binds
 * the key to, else {@code key} and the key id's first hex digits) and how many steps; steps per
 * kind; the releases (the newest {@value #MAX_RELEASES}) with every artifact they name in full,
 * marked with the count of findings about them; and the roots of the lineage — artifacts no step
 * produced — declared by the policy or unproven, counted by kind. Steps, releases and roots are
 * those of the report's scope: its chains and everything they derive from ({@link ReportSummary}).
 *
 * <p><b>Findings</b>, errors first, then warnings, then information, each group in log order:
 * a line {@code SEVERITY CODE[ (rule ID)][ CHAIN:SEQ,][ log index N, FILE line L]:} (the file
 * preceded by the ledger's label when several ledgers are verified), then the message, indented
 * by four spaces and wrapped at spaces to {@value #WIDTH} columns (a word longer than a line stays
 * whole). Joining each line that starts with exactly four spaces to the one before with one space
 * gives {@code SEVERITY CODE[ …]: message}, one finding per line, the message whole.
 * Of a code with more findings than the report keeps ({@link VerificationReport#MAX_FINDINGS_PER_CODE}),
 * the group ends with {@code SEVERITY CODE: and N more CODE findings (…)}.
 *
 * <p><b>Colour.</b> With {@code colour}, the verdict, headings and severities are set in ANSI SGR
 * colours (red errors, yellow warnings, cyan information, green VERIFIED); the caller decides
 * whether its output is a terminal that wants them. Without, the text holds no escape character.
 *
 * <p><b>Untrusted text.</b> Nothing from the ledger or the policy reaches the terminal raw: values
 * (chain ids, kinds, artifact names, versions, ledger paths and labels, identity and rule names)
 * go through {@link Untrusted#escape} or {@link Untrusted#quote}; messages and a finding's place
 * (file and line, and the ledger's label, which the verifier already quoted), through
 * {@link Untrusted#sanitize} as a last guard. So no control,
 * bidi or line-breaking character is printed, and no escape sequence but the renderer's own
 * colours. Lines end in '\n'. Thread-safe.
 */
public final class TextReportRenderer {
  /** Columns the report is laid out for. */
  public static final int WIDTH = 100;
  /** Chains, signers and declared roots listed at most; the rest are counted (the JSON report lists every one). */
  static final int MAX_LISTED = 20;
  /** Releases listed at most, the newest. */
  static final int MAX_RELEASES = 10;
  /** Longest artifact name shown, in code points. */
  static final int MAX_NAME = 80;
  /** Indentation of a finding's message. */
  static final String MESSAGE_INDENT = "    ";
  /** Indentation of the summary's values. */
  private static final String VALUE_INDENT = " ".repeat(12);

  private TextReportRenderer() {}

  /** The report without colour. */
  public static String render(VerificationReport r) {
    return render(r, false);
  }

  /**
   * The report.
   *
   * @param colour whether to colour it with ANSI escape sequences (for a terminal that shows them)
   */
  public static String render(VerificationReport r, boolean colour) {
    Objects.requireNonNull(r, "report");
    Writer w = new Writer(colour);
    ReportSummary s = ReportSummary.of(r);
    verdict(w, r);
    w.blank();
    summary(w, s);
    findings(w, r);
    verdict(w, r);
    return w.out.toString();
  }

  private static void verdict(Writer w, VerificationReport r) {
    long errors = r.count(Severity.ERROR);
    long warnings = r.count(Severity.WARNING);
    int ledgers = r.ledgers().size();
    String scope = plural(r.entriesChecked(), "entry", "entries");
    String chains = plural(r.chains().size(), "chain");
    if (r.verified()) {
      w.line(w.paint(Ansi.VERIFIED, "VERIFIED") + ": " + scope + " in " + chains
          + (ledgers > 1 ? " of " + ledgers + " ledgers" : "")
          + (warnings > 0 ? " (" + plural(warnings, "warning") + ")" : ""));
    } else {
      w.line(w.paint(Ansi.FAILED, "FAILED") + ": " + plural(errors, "error") + ", " + plural(warnings, "warning")
          + " in " + scope + " (" + chains + (ledgers > 1 ? ", " + ledgers + " ledgers" : "") + ")");
    }
  }

  private static void summary(Writer w, ReportSummary s) {
    VerificationReport r = s.report;
    w.line(w.paint(Ansi.HEADING, "Summary"));
    if (r.ledgers().size() == 1) {
      w.field("ledger", Untrusted.escape(r.ledger().toString()));
    } else {
      w.field("ledgers", String.valueOf(r.ledgers().size()));
      for (int i = 0; i < r.ledgers().size(); i++) {
        w.item(Untrusted.quote(r.ledgerLabels().get(i)) + " " + Untrusted.escape(r.ledgers().get(i).toString()));
      }
    }
    w.field("entries", r.entriesChecked() + " checked");
    chains(w, s);
    signers(w, s);
    if (s.hasLineage) {
      List<String> kinds = new ArrayList<>();
      s.kinds.forEach((k, n) -> kinds.add(Untrusted.escape(k.name()) + " " + n));
      w.field("steps", s.scope.size() + (s.partial ? " (the chains reported and the steps they derive from)" : "")
          + (kinds.isEmpty() ? "" : ": " + String.join(", ", kinds)));
      releases(w, s);
      roots(w, s);
    }
    w.blank();
  }

  private static void chains(Writer w, ReportSummary s) {
    List<ChainSummary> chains = s.report.chains();
    boolean several = s.report.ledgers().size() > 1;
    w.field("chains", String.valueOf(chains.size()));
    for (ChainSummary c : chains.subList(0, Math.min(chains.size(), MAX_LISTED))) {
      Set<String> signers = new LinkedHashSet<>();
      c.signerKeyIds().forEach(k -> signers.add(Untrusted.escape(s.report.signerLabel(k))));
      w.item(Untrusted.escape(c.chain()) + (several ? c.ledger().map(l -> " in " + Untrusted.quote(l)).orElse("") : "")
          + ": " + plural(c.entries(), "entry", "entries") + ", head " + ReportWords.shortDigest(c.head()) + ", signed by "
          + String.join(", ", signers));
    }
    more(w, chains.size(), "chain");
  }

  private static void signers(Writer w, ReportSummary s) {
    w.field("signers", String.valueOf(s.signers.size()));
    for (ReportSummary.SignerSummary signer : s.signers.subList(0, Math.min(s.signers.size(), MAX_LISTED))) {
      String key = "key " + signer.keyId().substring(0, Math.min(VerificationReport.KEY_ID_PREFIX_HEX,
          signer.keyId().length()));
      String label = Untrusted.escape(signer.label());
      w.item((label.equals(key) ? key : label + ", " + key)
          + (s.hasLineage ? ": " + plural(signer.steps(), "step") : ""));
    }
    more(w, s.signers.size(), "signer");
  }

  private static void releases(Writer w, ReportSummary s) {
    List<Step> releases = s.releases;
    w.field("releases", releases.isEmpty() ? "none" : String.valueOf(releases.size())
        + (releases.size() > MAX_RELEASES ? " (the newest " + MAX_RELEASES + " in log order are listed)" : ""));
    for (Step rel : releases.subList(Math.max(0, releases.size() - MAX_RELEASES), releases.size())) {
      String version = rel.event().details() instanceof EventDetails.Release d
          ? " version " + Untrusted.escape(d.version()) : "";
      w.item(Untrusted.escape(rel.position()) + (s.report.ledgers().size() > 1 ? " in " + Untrusted.quote(rel.ledger())
          : "") + version + ", " + rel.time() + ", by " + Untrusted.escape(s.report.signerLabel(rel)) + marks(w, s, rel));
      if (rel.event().outputs().isEmpty()) {
        w.item("  names no artifact");
      }
      for (ArtifactRef a : rel.event().outputs()) {
        w.item("  " + a.kind().jsonName() + " " + Untrusted.quote(a.name(), MAX_NAME) + " " + a.digest());
      }
    }
  }

  /** {@code  [1 error, 2 warnings]} for the findings the report keeps about {@code step}, or nothing. */
  private static String marks(Writer w, ReportSummary s, Step step) {
    Map<Severity, Integer> counts = s.findingsAbout(step);
    List<String> parts = new ArrayList<>();
    if (counts.containsKey(Severity.ERROR)) {
      parts.add(w.paint(Ansi.ERROR, plural(counts.get(Severity.ERROR), "error")));
    }
    if (counts.containsKey(Severity.WARNING)) {
      parts.add(w.paint(Ansi.WARNING, plural(counts.get(Severity.WARNING), "warning")));
    }
    return parts.isEmpty() ? "" : "  [" + String.join(", ", parts) + "]";
  }

  private static void roots(Writer w, ReportSummary s) {
    List<ReportSummary.RootSummary> declared = s.roots(true);
    List<ReportSummary.RootSummary> unproven = s.roots(false);
    if (declared.isEmpty() && unproven.isEmpty()) {
      w.field("roots", "none: every artifact the steps use was produced by a step");
      return;
    }
    w.field("roots", declared.size() + " declared" + byKind(declared) + ", " + unproven.size() + " unproven"
        + byKind(unproven));
    for (ReportSummary.RootSummary r : declared.subList(0, Math.min(declared.size(), MAX_LISTED))) {
      w.item("declared: " + r.kind().jsonName() + " " + Untrusted.escape(r.declared().orElseThrow().describe()) + " "
          + r.digest());
    }
    more(w, declared.size(), "declared root");
  }

  /** {@code " (1 model, 2 dataset)"}: how many of each artifact kind, or nothing when there are none. */
  private static String byKind(List<ReportSummary.RootSummary> roots) {
    if (roots.isEmpty()) {
      return "";
    }
    Map<ArtifactKind, Integer> kinds = new EnumMap<>(ArtifactKind.class);
    roots.forEach(r -> kinds.merge(r.kind(), 1, Integer::sum));
    List<String> parts = new ArrayList<>();
    kinds.forEach((k, n) -> parts.add(n + " " + k.jsonName()));
    return " (" + String.join(", ", parts) + ")";
  }

  private static void more(Writer w, int total, String what) {
    if (total > MAX_LISTED) {
      w.item("... and " + (total - MAX_LISTED) + " more " + what + "s (the JSON report lists every one)");
    }
  }

  private static void findings(Writer w, VerificationReport r) {
    for (Severity sev : Severity.values()) {
      long count = r.count(sev);
      if (count == 0) {
        continue;
      }
      w.line(w.paint(Ansi.HEADING, title(sev)) + " (" + String.format(Locale.ROOT, "%,d", count) + ")");
      r.findings().stream().filter(f -> f.severity() == sev).sorted(logOrder(r)).forEach(f -> finding(w, f));
      r.omitted().forEach((code, n) -> {
        if (severityOfOmitted(r, code) == sev) {
          w.wrapped(w.paint(Ansi.of(sev), sev.name()) + " ", code + ": and " + String.format(Locale.ROOT, "%,d", n)
              + " more " + code + (n == 1 ? " finding" : " findings") + " (only the first "
              + VerificationReport.MAX_FINDINGS_PER_CODE + " of each code are listed; every one counts in the verdict)");
        }
      });
      w.blank();
    }
  }

  /**
   * Findings about entries in log order (ledger by ledger, in the order given), then those about a
   * ledger as a whole; the report lists the lineage's and the policy's findings after the replay's.
   */
  private static Comparator<Finding> logOrder(VerificationReport r) {
    return Comparator.comparing((Finding f) -> f.entry().isEmpty())
        .thenComparingInt(f -> f.entry().flatMap(RecordRef::ledger).map(r.ledgerLabels()::indexOf).orElse(0))
        .thenComparingLong(f -> f.entry().map(RecordRef::logIndex).orElse(0L));
  }

  /**
   * The severity of the findings of {@code code} the report counted but did not keep: that of the
   * last one it kept (a trust policy may set a check's severity), else the code's own.
   */
  private static Severity severityOfOmitted(VerificationReport r, FindingCode code) {
    Severity sev = code.severity();
    for (Finding f : r.findings()) {
      if (f.code() == code) {
        sev = f.severity();
      }
    }
    return sev;
  }

  private static void finding(Writer w, Finding f) {
    StringBuilder head = new StringBuilder();
    head.append(w.paint(Ansi.of(f.severity()), f.severity().name())).append(' ').append(f.code());
    f.rule().ifPresent(rule -> head.append(" (rule ").append(Untrusted.escape(rule)).append(')'));
    if (f.entry().isPresent()) {
      RecordRef e = f.entry().get();
      head.append(' ');
      e.chainPosition().ifPresent(p -> head.append(Untrusted.escape(p)).append(", "));
      head.append("log index ").append(e.logIndex()).append(", ").append(Untrusted.sanitize(location(e.where())));
    }
    w.line(head.append(':').toString());
    w.wrapped(MESSAGE_INDENT, Untrusted.sanitize(f.message()));
  }

  /** The file-and-line part of a "where": the log index is shown on its own. */
  private static String location(String where) {
    int i = where.lastIndexOf(" (log index ");
    return i < 0 ? where : where.substring(0, i);
  }

  /** ANSI SGR sequences (ECMA-48 §8.3.117) of the few things the report colours. */
  private enum Ansi {
    VERIFIED("1;32"),
    FAILED("1;31"),
    ERROR("31"),
    WARNING("33"),
    INFO("36"),
    HEADING("1");

    private final String sgr;

    Ansi(String sgr) {
      this.sgr = sgr;
    }

    static Ansi of(Severity s) {
      return switch (s) {
        case ERROR -> ERROR;
        case WARNING -> WARNING;
        case INFO -> INFO;
      };
    }
  }

  /** Collects lines; knows whether to colour and how to wrap. */
  private static final class Writer {
    private static final char ESC = 0x1B;
    final StringBuilder out = new StringBuilder(4096);
    final boolean colour;

    Writer(boolean colour) {
      this.colour = colour;
    }

    /** {@code text} (custody's own words, never untrusted text) in {@code style}, when colouring. */
    String paint(Ansi style, String text) {
      return colour ? ESC + "[" + style.sgr + "m" + text + ESC + "[0m" : text;
    }

    void line(String s) {
      out.append(s).append('\n');
    }

    void blank() {
      out.append('\n');
    }

    /** A summary line: a label in the first column, its value wrapped beside it. */
    void field(String label, String value) {
      String padded = "  " + label + " ".repeat(Math.max(1, VALUE_INDENT.length() - 2 - label.length()));
      wrap(padded, value, VALUE_INDENT);
    }

    /** A further value of the summary field above, on its own line(s). */
    void item(String value) {
      wrap(VALUE_INDENT, value, VALUE_INDENT + "  ");
    }

    /**
     * {@code lead} (which may hold colour) and then {@code text}, wrapped at spaces with
     * continuation lines indented by {@link #MESSAGE_INDENT}.
     */
    void wrapped(String lead, String text) {
      wrap(lead, text, MESSAGE_INDENT);
    }

    /**
     * {@code first} then {@code text}, greedily wrapped at single spaces to {@link #WIDTH} columns,
     * continuation lines starting with {@code indent}. The space at each break is dropped and every
     * other character kept, so joining the continuation lines with one space restores the text; a
     * word longer than a line stays whole. Columns count code points, not the colour sequences in
     * {@code first}.
     */
    private void wrap(String first, String text, String indent) {
      StringBuilder line = new StringBuilder(first);
      int col = visibleLength(first);
      boolean lineHasWord = false;
      for (String word : text.split(" ", -1)) {
        int len = visibleLength(word);
        if (!lineHasWord) {
          line.append(word);
          col += len;
          lineHasWord = true;
        } else if (col + 1 + len <= WIDTH) {
          line.append(' ').append(word);
          col += 1 + len;
        } else {
          line(line.toString());
          line.setLength(0);
          line.append(indent).append(word);
          col = indent.length() + len;
        }
      }
      line(line.toString());
    }

    private static int visibleLength(String s) {
      String plain = s.replaceAll(ESC + "\\[[0-9;]*m", "");
      return plain.codePointCount(0, plain.length());
    }
  }
}
