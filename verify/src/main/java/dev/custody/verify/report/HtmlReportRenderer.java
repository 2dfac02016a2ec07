package dev.custody.verify.report;

import dev.custody.verify.internal.replay.*;
import static dev.custody.verify.report.ReportWords.plural;
import static dev.custody.verify.report.ReportWords.title;

import com.google.common.io.BaseEncoding;
import com.google.common.io.Resources;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.verify.ChainSummary;
import dev.custody.verify.RecordRef;
import dev.custody.verify.Finding;
import dev.custody.verify.Severity;
import dev.custody.verify.VerificationReport;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.Step;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Renders a report as one self-contained HTML5 page for people — an auditor, a regulator: the
 * verdict first, a summary (ledger, entries, chains with their signers, steps per kind, the
 * releases found and their model digests), the lineage as an inline SVG picture laid out by
 * Eclipse ELK's layered algorithm ({@link LineageSvg}), a timeline of the steps by claimed time per
 * chain ({@link TimelineSvg}), and the findings grouped by severity, each with an anchor
 * ({@code #finding-N}) that the marked steps of the picture link to.
 *
 * <p><b>Self-contained and inert.</b> UTF-8, CSS inline, no script, no external font, image or
 * style sheet; the page's Content-Security-Policy allows nothing but its own style sheet (by
 * hash), so even a rendering bug could not load or run anything. Everything reads without
 * scripts; details (a step's inputs, outputs and parameters) are in tooltips.
 *
 * <p><b>Untrusted text.</b> Every value from the evidence — chain ids, kinds (a custom kind is any
 * URI), artifact names, parameters, the ledger's path, signer labels — is made visible with
 * {@code Untrusted.escape} and HTML-escaped ({@link Html}), in HTML and SVG alike.
 *
 * <p><b>Size.</b> The picture and the timeline draw at most {@link HtmlReportOptions#maxNodes()}
 * nodes; the page says what it left out (see {@link LineageView} for which steps are kept). The
 * summary and the findings table cover everything.
 *
 * <p>The verdict is the report's: render a report that holds the lineage's findings
 * ({@code report.withFindings(lineage.findings())}) so that they count and mark the picture.
 * Thread-safe.
 */
public final class HtmlReportRenderer {
  /** The page's style sheet (a resource beside this class). */
  static final String CSS = loadCss();
  /** The CSP source allowing exactly {@link #CSS}. */
  static final String CSS_HASH_SOURCE = "'sha256-" + BaseEncoding.base64()
      .encode(Digest.sha256(CSS.getBytes(StandardCharsets.UTF_8)).value().toByteArray()) + "'";
  /** Nothing but the inline style sheet: no script, no network, no forms ({@code frame-ancestors} is ignored in a meta element). */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src " + CSS_HASH_SOURCE
      + "; img-src data:; base-uri 'none'; form-action 'none'";

  /** Most releases the summary lists (the newest); a whole-ledger report of a big ledger holds thousands. */
  static final int MAX_RELEASE_ROWS = 1000;
  /** Longest list (releases, chains, steps by time) shown open; longer ones are folded (open them with a click, no script). */
  static final int MAX_OPEN_ROWS = 12;

  private HtmlReportRenderer() {}

  /** The page for {@code report}, with the lineage picture and timeline if {@code lineage} is given; default options. */
  public static String render(VerificationReport report, Optional<LineageGraph> lineage) {
    return render(report, lineage, HtmlReportOptions.defaults());
  }

  /** The page for {@code report}, with the lineage picture and timeline if {@code lineage} is given. */
  public static String render(VerificationReport report, Optional<LineageGraph> lineage, HtmlReportOptions options) {
    Objects.requireNonNull(report, "report");
    Objects.requireNonNull(lineage, "lineage");
    Objects.requireNonNull(options, "options");
    Optional<LineageView> view = lineage.map(g -> LineageView.of(report, g, options));
    Map<Step, String> ids = new HashMap<>();
    view.ifPresent(v -> {
      for (int i = 0; i < v.shown.size(); i++) {
        ids.put(v.shown.get(i), "step-" + (i + 1));
      }
    });

    StringBuilder h = new StringBuilder(16384);
    String verdict = report.verified() ? "VERIFIED" : "FAILED";
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(CONTENT_SECURITY_POLICY).append("\">\n")
        .append("<meta name=\"referrer\" content=\"no-referrer\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<meta name=\"generator\" content=\"custody\">\n")
        .append("<title>").append(verdict).append(" \u2014 custody verification report of ")
        .append(Html.label(report.ledger().toString(), 80)).append("</title>\n")
        .append("<style>").append(CSS).append("</style>\n</head>\n<body>\n");
    verdict(h, report, verdict);
    h.append("<nav><a href=\"#summary\">Summary</a>");
    if (view.isPresent()) {
      h.append("<a href=\"#lineage\">Lineage</a><a href=\"#timeline\">Timeline</a>");
    }
    h.append("<a href=\"#findings\">Findings</a></nav>\n");
    summary(h, report, view, options, ids);
    if (view.isPresent()) {
      lineage(h, report, view.get(), options, ids);
      timeline(h, view.get(), options, ids);
    }
    findings(h, report, view, ids);
    h.append("<footer>Made by custody from the evidence in the ledger. Times are the signers' own claims unless a")
        .append(" finding says a checkpoint or timestamp proves them. Hover a step for its inputs, outputs and")
        .append(" parameters; the JSON report (<code>--format json</code>) carries every finding for machines.")
        .append("</footer>\n</body>\n</html>\n");
    return h.toString();
  }

  /** The anchor of finding {@code index} (0-based position in the report's findings). */
  static String findingId(int index) {
    return "finding-" + (index + 1);
  }

  private static void verdict(StringBuilder h, VerificationReport r, String verdict) {
    long errors = r.count(Severity.ERROR);
    long warnings = r.count(Severity.WARNING);
    h.append("<header class=\"verdict ").append(r.verified() ? "verified" : "failed").append("\" id=\"verdict\"")
        .append(" data-verdict=\"").append(verdict).append("\" data-errors=\"").append(errors)
        .append("\" data-warnings=\"").append(warnings).append("\">\n<h1>").append(verdict).append("</h1>\n")
        .append("<p class=\"counts\"><span>").append(plural(errors, "error")).append("</span><span>")
        .append(plural(warnings, "warning")).append("</span><span>").append(plural(r.entriesChecked(), "entry", "entries"))
        .append(" checked</span><span>").append(plural(r.chains().size(), "chain")).append("</span></p>\n")
        .append("<p>Ledger <code>").append(Html.text(r.ledger().toString())).append("</code></p>\n</header>\n");
  }

  private static void summary(StringBuilder h, VerificationReport r, Optional<LineageView> view,
      HtmlReportOptions options, Map<Step, String> ids) {
    h.append("<section id=\"summary\">\n<h2>Summary</h2>\n<dl class=\"facts\">")
        .append("<dt>Verdict</dt><dd>").append(r.verified() ? "<span class=\"badge ok\">VERIFIED</span> no error finding"
            : "<span class=\"badge error\">FAILED</span> " + plural(r.count(Severity.ERROR), "error finding"))
        .append("</dd><dt>Ledger</dt><dd><code>").append(Html.text(r.ledger().toString())).append("</code></dd>")
        .append("<dt>Entries checked</dt><dd>").append(r.entriesChecked()).append("</dd>")
        .append("<dt>Chains</dt><dd>").append(r.chains().size()).append("</dd>");
    view.ifPresent(v -> {
      h.append("<dt>Lineage</dt><dd>").append(plural(v.scope.size(), "step")).append(" in scope");
      Set<String> ledgers = new LinkedHashSet<>();
      v.scope.forEach(s -> ledgers.add(s.ledger()));
      if (ledgers.size() > 1) {
        h.append(", from ").append(ledgers.size()).append(" ledgers: ");
        h.append(String.join(", ", ledgers.stream().map(l -> "<code>" + Html.text(l) + "</code>").toList()));
      }
      h.append("</dd>");
    });
    options.generatedAt().ifPresent(t -> h.append("<dt>Generated</dt><dd>").append(Html.own(t.toString())).append("</dd>"));
    h.append("</dl>\n");
    if (view.isEmpty()) {
      h.append("<p class=\"note\">No lineage was given to this report: it shows the replay's findings only.</p>\n");
    }
    view.ifPresent(v -> releases(h, v, options, ids));
    chains(h, r, view, options);
    view.ifPresent(v -> {
      h.append("<h3>Steps by kind</h3>\n<table class=\"kinds\"><thead><tr><th>Kind</th><th class=\"num\">Steps</th>")
          .append("</tr></thead><tbody>");
      v.kindsInScope().forEach((kind, n) -> h.append("<tr><td>").append(Html.text(kind.name())).append("</td><td class=\"num\">")
          .append(n).append("</td></tr>"));
      h.append("</tbody></table>\n");
    });
    h.append("</section>\n");
  }

  private static void releases(StringBuilder h, LineageView v, HtmlReportOptions options, Map<Step, String> ids) {
    List<Step> releases = v.scope.stream().filter(s -> s.kind().equals(EventType.RELEASE)).toList();
    h.append("<h3>Releases</h3>\n");
    if (releases.isEmpty()) {
      h.append("<p class=\"note\">No release in scope.</p>\n");
      return;
    }
    if (releases.size() > MAX_RELEASE_ROWS) {
      h.append("<p class=\"note bounded\">The newest ").append(MAX_RELEASE_ROWS).append(" of ")
          .append(releases.size()).append(" releases in scope are listed.</p>\n");
      releases = releases.subList(releases.size() - MAX_RELEASE_ROWS, releases.size());
    }
    boolean fold = releases.size() > MAX_OPEN_ROWS;
    if (fold) {
      h.append("<details><summary>").append(plural(releases.size(), "release")).append("</summary>\n");
    }
    h.append("<table class=\"releases\"><thead><tr><th>Release</th><th>Version</th><th>Model</th><th>Digest</th>")
        .append("<th>Signed by</th><th>Claimed time</th><th>Status</th></tr></thead><tbody>\n");
    for (Step s : releases) {
      String version = s.event().details() instanceof EventDetails.Release rel ? rel.version() : "";
      List<ArtifactRef> outs = s.event().outputs();
      int rows = Math.max(1, outs.size());
      for (int i = 0; i < rows; i++) {
        h.append("<tr data-entry=\"").append(Html.text(s.position())).append("\">");
        if (i == 0) {
          h.append("<td rowspan=\"").append(rows).append("\">").append(entryLink(s, ids)).append("</td><td rowspan=\"")
              .append(rows).append("\">").append(Html.text(version)).append("</td>");
        }
        if (outs.isEmpty()) {
          h.append("<td colspan=\"2\" class=\"note\">names no artifact</td>");
        } else {
          ArtifactRef a = outs.get(i);
          h.append("<td>").append(Html.text(a.name())).append(" <span class=\"note\">(").append(Html.own(a.kind().jsonName()))
              .append(")</span></td><td class=\"digest\">").append(Html.own(a.digest().toString())).append("</td>");
        }
        if (i == 0) {
          h.append("<td rowspan=\"").append(rows).append("\">").append(Html.text(options.signerLabel().apply(s)))
              .append("</td><td rowspan=\"").append(rows).append("\" class=\"nowrap\">")
              .append(Html.own(LineageSvg.time(s.time()))).append("</td><td rowspan=\"").append(rows).append("\">")
              .append(statusBadge(v.status.get(s))).append("</td>");
        }
        h.append("</tr>\n");
      }
    }
    h.append("</tbody></table>\n").append(fold ? "</details>\n" : "");
  }

  private static void chains(StringBuilder h, VerificationReport r, Optional<LineageView> view, HtmlReportOptions options) {
    Map<String, Set<String>> signers = new TreeMap<>();
    view.ifPresent(v -> v.scope.forEach(s -> signers.computeIfAbsent(s.chain(), k -> new LinkedHashSet<>())
        .add(options.signerLabel().apply(s))));
    boolean fold = r.chains().size() > MAX_OPEN_ROWS;
    h.append("<h3>Chains</h3>\n").append(fold ? "<details><summary>" + plural(r.chains().size(), "chain") + "</summary>\n" : "")
        .append("<table class=\"chains\"><thead><tr><th>Chain</th><th class=\"num\">Entries</th>")
        .append("<th>Head entry</th><th>Signed by</th></tr></thead><tbody>\n");
    for (ChainSummary c : r.chains()) {
      Set<String> names = signers.getOrDefault(c.chain(), Set.of());
      List<String> shown = names.isEmpty()
          ? c.signerKeyIds().stream().map(HtmlReportOptions::keyLabel).toList()
          : List.copyOf(names);
      h.append("<tr data-chain=\"").append(Html.text(c.chain())).append("\"><td><code>").append(Html.text(c.chain()))
          .append("</code></td><td class=\"num\">").append(c.entries()).append("</td><td class=\"digest\" title=\"")
          .append(Html.own(c.head().toString())).append("\">").append(Html.own(ReportWords.shortDigest(c.head())))
          .append("</td><td>").append(String.join(", ", shown.stream().map(Html::text).toList())).append("</td></tr>\n");
    }
    h.append("</tbody></table>\n").append(fold ? "</details>\n" : "");
  }

  private static void lineage(StringBuilder h, VerificationReport r, LineageView v, HtmlReportOptions options,
      Map<Step, String> ids) {
    h.append("<section id=\"lineage\">\n<h2>Lineage</h2>\n<p class=\"note\">Each box is a signed step; an arrow")
        .append(" runs from the step that produced an artifact to each step that used it (labelled with the")
        .append(" artifact's name and digest). Marked steps link to their findings.</p>\n");
    if (v.bounded()) {
      h.append("<p class=\"note bounded\" id=\"lineage-bound\">The picture shows ").append(v.shown.size()).append(" of ")
          .append(plural(v.scope.size(), "step")).append(" (at most ").append(options.maxNodes()).append(" nodes are drawn");
      if (v.nodeLimit < options.maxNodes()) {
        h.append(", ").append(v.nodeLimit).append(" here because the links between more would cross too many layers to")
            .append(" lay out quickly");
      }
      h.append(": steps with findings, releases and their lineage first). Left out: ");
      List<String> parts = new ArrayList<>();
      v.omittedByKind.forEach((kind, n) -> parts.add(n + " " + Html.text(kind)));
      if (v.rootsOmitted > 0) {
        parts.add(plural(v.rootsOmitted, "use") + " of root artifacts");
      }
      h.append(String.join(", ", parts)).append(". The summary and the findings cover every step.</p>\n");
    }
    if (v.shown.isEmpty()) {
      h.append("<p class=\"note\">No authentic step in scope.</p>\n</section>\n");
      return;
    }
    h.append("<ul class=\"legend\"><li class=\"l-ok\">step</li><li class=\"l-error\">step with an error</li>")
        .append("<li class=\"l-warning\">step with a warning</li><li class=\"l-declared\">declared external root</li>")
        .append("<li class=\"l-unproven\">unproven input (no producing step)</li><li class=\"l-artifact\">artifact")
        .append(" used</li><li class=\"l-subject\">approval / revocation of</li><li class=\"l-root\">root artifact")
        .append(" used</li></ul>\n<div class=\"figure\">")
        .append(LineageSvg.render(r.findings(), v, options, ids)).append("</div>\n</section>\n");
  }

  private static void timeline(StringBuilder h, LineageView v, HtmlReportOptions options, Map<Step, String> ids) {
    h.append("<section id=\"timeline\">\n<h2>Timeline</h2>\n<p class=\"note\">Steps by the time their signers")
        .append(" claim, one lane per chain. A claimed time is not proof of time.")
        .append(v.bounded() ? " Only the steps drawn in the lineage picture are shown." : "").append("</p>\n");
    if (v.shown.isEmpty()) {
      h.append("</section>\n");
      return;
    }
    Map<Step, String> status = new HashMap<>();
    v.shown.forEach(s -> status.put(s, LineageSvg.statusName(v.status.get(s))));
    h.append("<div class=\"figure\">").append(TimelineSvg.render(v.shown, status, ids)).append("</div>\n");
    List<Step> byTime = new ArrayList<>(v.shown);
    byTime.sort(java.util.Comparator.comparing(Step::time).thenComparing(LineageGraph.ORDER));
    h.append("<details").append(byTime.size() <= MAX_OPEN_ROWS ? " open" : "").append("><summary>")
        .append(plural(byTime.size(), "step")).append(" in claimed-time order</summary>\n")
        .append("<table class=\"steps\"><thead><tr><th>Claimed time</th><th>Step</th><th>Kind</th><th>Signed by</th>")
        .append("<th class=\"num\">Log index</th><th>Status</th></tr></thead><tbody>\n");
    for (Step s : byTime) {
      h.append("<tr data-entry=\"").append(Html.text(s.position())).append("\"><td class=\"nowrap\">")
          .append(Html.own(LineageSvg.time(s.time()))).append("</td><td>").append(entryLink(s, ids)).append("</td><td>")
          .append(Html.text(s.kind().name())).append("</td><td>").append(Html.text(options.signerLabel().apply(s)))
          .append("</td><td class=\"num\">").append(s.ref().logIndex()).append("</td><td>")
          .append(statusBadge(v.status.get(s))).append("</td></tr>\n");
    }
    h.append("</tbody></table></details>\n</section>\n");
  }

  private static void findings(StringBuilder h, VerificationReport r, Optional<LineageView> view, Map<Step, String> ids) {
    h.append("<section id=\"findings\">\n<h2>Findings</h2>\n");
    if (r.findings().isEmpty()) {
      h.append("<p class=\"note\">No findings.</p>\n");
    }
    for (Severity sev : Severity.values()) {
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < r.findings().size(); i++) {
        if (r.findings().get(i).severity() == sev) {
          idx.add(i);
        }
      }
      if (idx.isEmpty()) {
        continue;
      }
      String name = sev.name().toLowerCase(java.util.Locale.ROOT);
      h.append("<h3 id=\"").append(name).append("s\">").append(title(sev)).append(" (").append(idx.size()).append(")</h3>\n")
          .append("<table class=\"findings ").append(name).append("\"><thead><tr><th class=\"num\">#</th><th>Code</th>")
          .append("<th>Entry</th><th class=\"num\">Log index</th><th>Message</th></tr></thead><tbody>\n");
      for (int i : idx) {
        Finding f = r.findings().get(i);
        Optional<Step> step = view.flatMap(v -> f.entry().flatMap(RecordRef::hash).flatMap(v.graph::step));
        h.append("<tr class=\"finding ").append(name).append("\" id=\"").append(findingId(i)).append("\" data-code=\"")
            .append(f.code().name()).append("\" data-severity=\"").append(f.severity().name()).append('"');
        f.entry().flatMap(RecordRef::chainPosition).ifPresent(p -> h.append(" data-entry=\"").append(Html.text(p)).append('"'));
        h.append("><td class=\"num\">").append(i + 1).append("</td><td class=\"code\">").append(f.code().name())
            .append("</td><td>");
        if (f.entry().isPresent()) {
          RecordRef e = f.entry().get();
          String pos = e.chainPosition().map(Html::text).orElse("\u2014");
          String target = step.map(ids::get).orElse(null);
          h.append("<span title=\"").append(Html.text(e.where())).append("\">");
          if (target != null) {
            h.append("<a href=\"#").append(target).append("\"><code>").append(pos).append("</code></a>");
          } else {
            h.append("<code>").append(pos).append("</code>");
          }
          h.append("</span></td><td class=\"num\">").append(e.logIndex());
        } else {
          h.append("\u2014</td><td class=\"num\">\u2014");
        }
        h.append("</td><td class=\"message\">").append(Html.message(f.message())).append("</td></tr>\n");
      }
      h.append("</tbody></table>\n");
    }
    h.append("</section>\n");
  }

  private static String entryLink(Step s, Map<Step, String> ids) {
    String id = ids.get(s);
    String code = "<code>" + Html.text(s.position()) + "</code>";
    return id == null ? code : "<a href=\"#" + id + "\">" + code + "</a>";
  }

  /** A step's status badge: its worst finding's severity, or ok when it has none (null). */
  private static String statusBadge(@Nullable Severity s) {
    String name = LineageSvg.statusName(s);
    return "<span class=\"badge " + name + "\">" + (s == null ? "ok" : s.name()) + "</span>";
  }


  private static String loadCss() {
    try {
      return Resources.toString(Resources.getResource(HtmlReportRenderer.class, "report.css"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("the report's style sheet is missing from the custody-verify jar", e);
    }
  }
}
