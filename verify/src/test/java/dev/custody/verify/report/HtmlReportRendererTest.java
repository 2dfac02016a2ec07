package dev.custody.verify.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.io.BaseEncoding;
import dev.custody.core.Digest;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
import dev.custody.verify.LedgerVerifier;
import dev.custody.verify.Severity;
import dev.custody.verify.TrustedKeys;
import dev.custody.verify.VerificationReport;
import dev.custody.verify.internal.lineage.LineageCollector;
import dev.custody.verify.lineage.LineageGraph;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The HTML page of real reports of real ledgers ({@link ReportScenario}), read as text and as XML. */
class HtmlReportRendererTest {
  @TempDir Path tmp;

  private ReportScenario.Verified scenario() throws Exception {
    return ReportScenario.standard().verify(tmp.resolve("acme-ledger"));
  }

  private static String render(ReportScenario.Verified v) {
    return HtmlReportRenderer.render(v.report(), Optional.of(v.lineage()));
  }

  /** Each inline {@code <svg>…</svg>} of the page, parsed as namespace-aware XML (fails if not well-formed). */
  static List<Document> svgs(String html) throws Exception {
    List<Document> out = new ArrayList<>();
    Matcher m = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL).matcher(html);
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    while (m.find()) {
      out.add(f.newDocumentBuilder().parse(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.UTF_8))));
    }
    return out;
  }

  static List<Element> select(Document d, String xpath) throws Exception {
    NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, d, XPathConstants.NODESET);
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add((Element) nodes.item(i));
    }
    return out;
  }

  /** The elements the renderer writes; anything else in a page was injected. */
  static final java.util.Set<String> OWN_ELEMENTS = java.util.Set.of("html", "head", "meta", "title", "style", "body",
      "header", "h1", "h2", "h3", "p", "span", "code", "nav", "a", "section", "dl", "dt", "dd", "table", "thead", "tbody",
      "tr", "th", "td", "ul", "li", "div", "details", "summary", "footer", "svg", "defs", "marker", "path", "g", "rect",
      "text", "line", "circle");
  private static final Pattern TAG = Pattern.compile("<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\\s+[a-zA-Z][a-zA-Z0-9:-]*(?:=\"[^\"<]*\")?)*)\\s*(/?)>");
  private static final Pattern ATTRIBUTE = Pattern.compile("\\s([a-zA-Z][a-zA-Z0-9:-]*)");

  /**
   * Every {@code <} of the page opens one of the renderer's own elements, written in strict form
   * (double-quoted attribute values without {@code <}), and no attribute is an event handler: an
   * unescaped value would leave a {@code <} or a quote that breaks this.
   */
  static void assertOnlyOwnMarkup(String html) {
    String body = html.replaceFirst("^<!DOCTYPE html>", "");
    Matcher m = TAG.matcher(body);
    int tags = 0;
    int from = 0;
    while (true) {
      int lt = body.indexOf('<', from);
      if (lt < 0) {
        break;
      }
      assertThat(m.find(lt) && m.start() == lt).as("markup at %d: %s", lt, body.substring(lt, Math.min(body.length(),
          lt + 80))).isTrue();
      assertThat(OWN_ELEMENTS).as("element <%s>", m.group(2)).contains(m.group(2));
      Matcher a = ATTRIBUTE.matcher(m.group(3).replaceAll("=\"[^\"]*\"", ""));
      while (a.find()) {
        assertThat(a.group(1)).as("attribute of <%s>", m.group(2)).doesNotStartWith("on");
      }
      tags++;
      from = m.end();
    }
    assertThat(tags).isGreaterThan(10);
  }

  @Test
  void render_scenario_putsTheVerdictFirstThenSummaryLineageTimelineFindings() throws Exception {
    String html = render(scenario());

    assertThat(html).startsWith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">");
    assertThat(html).contains("<header class=\"verdict failed\" id=\"verdict\" data-verdict=\"FAILED\" data-errors=\"1\""
        + " data-warnings=\"2\">\n<h1>FAILED</h1>");
    int verdict = html.indexOf("id=\"verdict\"");
    assertThat(verdict).isLessThan(html.indexOf("id=\"summary\""));
    assertThat(html.indexOf("id=\"summary\"")).isLessThan(html.indexOf("id=\"lineage\""));
    assertThat(html.indexOf("id=\"lineage\"")).isLessThan(html.indexOf("id=\"timeline\""));
    assertThat(html.indexOf("id=\"timeline\"")).isLessThan(html.indexOf("id=\"findings\""));
    assertThat(html).contains("<span>1 error</span><span>2 warnings</span><span>10 entries checked</span>"
        + "<span>3 chains</span>");
  }

  @Test
  void render_scenario_summaryNamesChainsSignersKindsAndReleasedModelDigests() throws Exception {
    ReportScenario.Verified v = scenario();
    String html = render(v);
    String keyAcme = "key " + v.report().chains().get(0).signerKeyIds().iterator().next().substring(0, 12);

    assertThat(html).contains("<tr data-chain=\"acme/base\"><td><code>acme/base</code></td><td class=\"num\">4</td>");
    assertThat(html).contains(keyAcme);
    assertThat(html).contains("<tr><td>release</td><td class=\"num\">3</td></tr>",
        "<tr><td>fine-tune</td><td class=\"num\">2</td></tr>",
        "<tr><td>urn:custody:test:red-team</td><td class=\"num\">1</td></tr>");
    for (Digest released : List.of(ReportScenario.BASE, ReportScenario.QUANT, ReportScenario.FORGED)) {
      assertThat(html).contains("<td class=\"digest\">" + released + "</td>");
    }
  }

  @Test
  void render_scenario_drawsEveryStepAndLinkInWellFormedSvg() throws Exception {
    String html = render(scenario());

    List<Document> svgs = svgs(html);
    assertThat(svgs).hasSize(2);
    Document lineage = svgs.get(0);
    assertThat(lineage.getDocumentElement().getAttribute("class")).isEqualTo("lineage");
    assertThat(select(lineage, "//*[local-name()='g'][contains(@class,'step')]").stream()
        .map(e -> e.getAttribute("data-entry")).toList())
        .containsExactly("acme/corpus:0", "acme/base:0", "acme/base:1", "acme/base:2", "acme/base:3", "beta/ft:0",
            "beta/ft:1", "beta/ft:2", "beta/ft:3", "beta/ft:4");
    Map<String, String> links = new LinkedHashMap<>();
    for (Element g : select(lineage, "//*[local-name()='g'][contains(@class,'link')]")) {
      links.put(g.getAttribute("data-from") + " > " + g.getAttribute("data-to"), g.getAttribute("data-type"));
    }
    assertThat(links).containsEntry("acme/corpus:0 > acme/base:0", "artifact")
        .containsEntry("acme/base:2 > acme/base:3", "subject")
        .containsEntry("root:" + ReportScenario.LLAMA + " > acme/base:0", "root")
        .containsEntry("root:" + ReportScenario.INSTRUCTIONS + " > beta/ft:0", "root")
        .hasSize(11);
    // Every link is routed: a path from its source to its target.
    for (Element path : select(lineage, "//*[local-name()='g'][contains(@class,'link')]/*[local-name()='path']")) {
      assertThat(path.getAttribute("d")).matches("M[0-9.]+,[0-9.]+( L[0-9.]+,[0-9.]+)+");
    }
    assertThat(select(lineage, "//*[local-name()='g'][@data-root='declared']")).singleElement()
        .satisfies(e -> assertThat(e.getTextContent()).contains("llama-3-8b (published by meta)"));
    assertThat(select(svgs.get(1), "//*[local-name()='circle']")).hasSize(10);
  }

  @Test
  void render_scenario_marksFailingStepsAndLinksThemToTheirFindings() throws Exception {
    String html = render(scenario());
    Document lineage = svgs(html).get(0);

    Element failing = select(lineage, "//*[local-name()='g'][@data-entry='beta/ft:0']").get(0);
    assertThat(failing.getAttribute("class")).isEqualTo("step error kind-fine-tune");
    assertThat(failing.getAttribute("data-status")).isEqualTo("error");
    String href = select(lineage, "//*[local-name()='g'][@data-entry='beta/ft:0']/*[local-name()='a']").get(0)
        .getAttribute("href");
    assertThat(href).isEqualTo("#finding-2");
    assertThat(html).contains("<tr class=\"finding error\" id=\"finding-2\" data-code=\"LINEAGE_INPUT_UNPROVEN\""
        + " data-severity=\"ERROR\" data-entry=\"beta/ft:0\">");
    assertThat(html).contains("<a href=\"#" + failing.getAttribute("id") + "\"><code>beta/ft:0</code></a>");
    Element warned = select(lineage, "//*[local-name()='g'][@data-entry='beta/ft:3']").get(0);
    assertThat(warned.getAttribute("data-status")).isEqualTo("warning");
    assertThat(warned.getTextContent()).contains("WARNING RELEASE_UNPRODUCED");
    assertThat(select(lineage, "//*[local-name()='g'][@data-status='ok']/*[local-name()='a']")).isEmpty();
  }

  @Test
  void render_scenario_groupsFindingsBySeverityWithAnAnchorEach() throws Exception {
    VerificationReport report = scenario().report();
    String html = render(scenario());

    assertThat(html.indexOf("<h3 id=\"errors\">Errors (1)</h3>")).isPositive()
        .isLessThan(html.indexOf("<h3 id=\"warnings\">Warnings (2)</h3>"));
    // The ledger's missing checkpoint is a warning (truncation cannot be excluded): no information findings.
    assertThat(html).doesNotContain("<h3 id=\"infos\">");
    for (int i = 0; i < report.findings().size(); i++) {
      assertThat(html).contains("id=\"finding-" + (i + 1) + "\" data-code=\"" + report.findings().get(i).code() + "\"");
    }
    assertThat(html).contains("<td class=\"num\">5</td><td class=\"message\">fine-tune beta/ft:0 uses dataset"
        + " &#39;instructions&#39;");
  }

  @Test
  void render_scenario_isSelfContainedAndLoadsNothing() throws Exception {
    String html = render(scenario());
    String withoutSvgNamespace = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");

    assertThat(withoutSvgNamespace).doesNotContain("http://", "https://", "//cdn", "@import", "javascript:");
    assertOnlyOwnMarkup(html);
    Matcher refs = Pattern.compile("(?:href|src)=\"([^\"]*)\"").matcher(html);
    while (refs.find()) {
      assertThat(refs.group(1)).as("a reference in the page").startsWith("#");
    }
    Matcher urls = Pattern.compile("url\\(([^)]*)\\)").matcher(html);
    while (urls.find()) {
      assertThat(urls.group(1)).as("a CSS/SVG url()").startsWith("#");
    }
  }

  @Test
  void render_any_contentSecurityPolicyAllowsExactlyTheInlineStyleSheet() throws Exception {
    String html = render(scenario());
    Matcher style = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL).matcher(html);
    assertThat(style.find()).isTrue();
    String hash = BaseEncoding.base64().encode(Digest.sha256(style.group(1).getBytes(StandardCharsets.UTF_8)).value()
        .toByteArray());

    assertThat(html).contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src"
        + " 'sha256-" + hash + "'; img-src data:; base-uri 'none'; form-action 'none'\">");
    assertThat(style.find()).as("a second style sheet").isFalse();
    assertThat(html).doesNotContain(" style=\"");
  }

  @Test
  void render_twice_isTheSamePage() throws Exception {
    ReportScenario.Verified v = scenario();
    assertThat(render(v)).isEqualTo(render(v));
  }

  @Test
  void render_hostileText_isVisibleAndInertEverywhere() throws Exception {
    ReportScenario s = ReportScenario.standard();
    s.add("beta/ft", Event.builder(EventType.of("urn:x:'\u202Egnp.exe&x=1\u200B")).input(ReportScenario.model("model",
        ReportScenario.QUANT)).parameter("note", "</title></text></svg><script>alert(1)</script>\u0007").build(), s.beta);
    ReportScenario.Verified v = s.verify(tmp.resolve("l\"><img src=x onerror=alert(2)>&\u202E"));
    VerificationReport report = v.report().withFindings(List.of(new Finding(FindingCode.LINEAGE_INPUT_UNPROVEN,
        Severity.WARNING, Optional.empty(), "unquoted <script>alert(3)</script> \u202E and an escape \\u0041")));
    HtmlReportOptions options = HtmlReportOptions.defaults().withSignerLabel(step -> "<b onclick=x>\u2066trainer");

    String html = HtmlReportRenderer.render(report, Optional.of(v.lineage()), options);

    assertThat(html).doesNotContain("\u202E", "\u200B", "\u2066", "\u0007", "<script", "<img", "<b ");
    assertOnlyOwnMarkup(html);
    assertThat(html).contains("data-kind=\"urn:x:&#39;\\u202Egnp.exe&amp;x=1\\u200B\"");
    assertThat(html).contains("l&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;\\u202E");
    assertThat(html).contains("parameter note = &lt;/title&gt;&lt;/text&gt;&lt;/svg&gt;&lt;script&gt;alert(1)"
        + "&lt;/script&gt;\\u0007");
    assertThat(html).contains("&lt;b onclick=x&gt;\\u2066trainer");
    // A message that still holds an unsafe character is escaped whole (its own backslash doubled).
    assertThat(html).contains("unquoted &lt;script&gt;alert(3)&lt;/script&gt; \\u202E and an escape \\\\u0041");
    assertThat(svgs(html)).hasSize(2);
  }

  @Test
  void render_messageQuotedByCustody_keepsItsEscapesAsTheyAre() throws Exception {
    ReportScenario.Verified v = scenario();
    VerificationReport report = v.report().withFindings(List.of(new Finding(FindingCode.LINEAGE_INPUT_UNPROVEN,
        Severity.WARNING, Optional.empty(), "uses 'urn:x:\\u202Eevil'")));

    String html = HtmlReportRenderer.render(report, Optional.of(v.lineage()));

    assertThat(html).contains("uses &#39;urn:x:\\u202Eevil&#39;").doesNotContain("\\\\u202E");
  }

  @Test
  void render_withoutLineage_showsVerdictSummaryAndFindingsOnly() throws Exception {
    ReportScenario.Verified v = scenario();

    String html = HtmlReportRenderer.render(v.report(), Optional.empty());

    assertThat(html).contains("data-verdict=\"FAILED\"", "id=\"summary\"", "id=\"findings\"",
        "No lineage was given to this report").doesNotContain("<svg", "id=\"lineage\"", "id=\"timeline\"");
    assertThat(html).contains("<tr class=\"finding error\" id=\"finding-2\"");
  }

  @Test
  void render_verifiedLedger_saysVerified() throws Exception {
    ReportScenario s = new ReportScenario();
    s.add("acme/corpus", Event.builder(EventType.DATASET_INGEST).output(ReportScenario.dataset("corpus",
        ReportScenario.CORPUS)).build(), s.acme);
    ReportScenario.Verified v = s.verify(tmp.resolve("clean"));

    String html = HtmlReportRenderer.render(v.report(), Optional.of(v.lineage()));

    assertThat(html).contains("<header class=\"verdict verified\" id=\"verdict\" data-verdict=\"VERIFIED\"",
        "No release in scope.").doesNotContain("class=\"note bounded\"");
  }

  @Test
  void render_reportOfOneChain_drawsThatChainAndWhatItDependsOn() throws Exception {
    ReportScenario s = ReportScenario.standard();
    Path dir = tmp.resolve("one-chain");
    s.ledger.write(dir);
    LineageCollector collector = new LineageCollector("one-chain");
    VerificationReport report = LedgerVerifier.builder(TrustedKeys.of(List.of(s.acme.publicKey(), s.beta.publicKey())))
        .observer(collector).chain("beta/ft").build().verify(dir);
    LineageGraph graph = LineageGraph.build(collector.steps(), ReportScenario.SETTINGS, ReportScenario.ROOTS);

    String html = HtmlReportRenderer.render(report.withFindings(graph.findings()), Optional.of(graph));

    assertThat(select(svgs(html).get(0), "//*[local-name()='g'][contains(@class,'step')]").stream()
        .map(e -> e.getAttribute("data-entry")).toList())
        .containsExactly("acme/corpus:0", "acme/base:0", "beta/ft:0", "beta/ft:1", "beta/ft:2", "beta/ft:3", "beta/ft:4");
    assertThat(html).contains("7 steps in scope");
  }

  @Test
  void render_lineageAcrossTwoLedgersWithACycle_drawsBothLedgersAndMarksTheCycle() throws Exception {
    ReportScenario a = new ReportScenario();
    a.add("a/m", Event.builder(EventType.TRAINING).input(ReportScenario.model("in", ReportScenario.BASE))
        .output(ReportScenario.model("out", ReportScenario.TUNED)).build(), a.acme);
    ReportScenario b = new ReportScenario();
    b.add("b/m", Event.builder(EventType.TRAINING).input(ReportScenario.model("in", ReportScenario.TUNED))
        .output(ReportScenario.model("out", ReportScenario.BASE)).build(), b.beta);
    Path dirA = a.ledger.write(tmp.resolve("ledger-a"));
    Path dirB = b.ledger.write(tmp.resolve("ledger-b"));
    LineageCollector ca = new LineageCollector("ledger-a");
    LineageCollector cb = new LineageCollector("ledger-b");
    TrustedKeys trust = TrustedKeys.of(List.of(a.acme.publicKey(), b.beta.publicKey()));
    VerificationReport report = LedgerVerifier.builder(trust).observer(ca).build().verify(dirA);
    LedgerVerifier.builder(trust).observer(cb).build().verify(dirB);
    List<dev.custody.verify.lineage.Step> steps = new ArrayList<>(ca.steps());
    steps.addAll(cb.steps());
    LineageGraph graph = LineageGraph.build(steps, ReportScenario.SETTINGS, ReportScenario.ROOTS);

    String html = HtmlReportRenderer.render(report.withFindings(graph.findings()), Optional.of(graph));

    Document lineage = svgs(html).get(0);
    assertThat(select(lineage, "//*[local-name()='g'][contains(@class,'step')]").stream()
        .map(e -> e.getAttribute("data-ledger") + " " + e.getAttribute("data-entry") + " " + e.getAttribute("data-status"))
        .toList()).containsExactly("ledger-a a/m:0 error", "ledger-b b/m:0 ok");
    assertThat(html).contains("<text class=\"n-ledger\"", "ledger ledger-b</text>", "data-code=\"LINEAGE_CYCLE\"",
        "from 2 ledgers");
    assertThat(select(lineage, "//*[local-name()='g'][contains(@class,'link')]")).hasSize(2);
  }

  @Test
  void render_signerLabelHook_namesSignersOnNodesAndInTheChainTable() throws Exception {
    ReportScenario.Verified v = scenario();
    String acmeKey = ReportScenario.standard().acme.keyId();
    HtmlReportOptions options = HtmlReportOptions.defaults()
        .withSignerLabel(step -> step.keyId().equals(acmeKey) ? "acme/trainer (acme)" : "beta/trainer (beta)");

    String html = HtmlReportRenderer.render(v.report(), Optional.of(v.lineage()), options);

    assertThat(html).containsPattern("<text class=\"n-signer\" x=\"10\" y=\"[0-9]+\">acme/trainer \\(acme\\)</text>");
    assertThat(html).contains("<tr data-chain=\"beta/ft\"><td><code>beta/ft</code></td><td class=\"num\">5</td>");
    assertThat(html).containsPattern("<tr data-chain=\"beta/ft\">.*<td>beta/trainer \\(beta\\)</td></tr>");
    assertThat(html).doesNotContain(">key " + acmeKey.substring(0, 12) + "<");
  }

  @Test
  void render_generatedAt_printsTheTime() throws Exception {
    ReportScenario.Verified v = scenario();
    String html = HtmlReportRenderer.render(v.report(), Optional.of(v.lineage()),
        HtmlReportOptions.defaults().withGeneratedAt(java.time.Instant.parse("2026-12-01T10:00:00Z")));
    assertThat(html).contains("<dt>Generated</dt><dd>2026-12-01T10:00:00Z</dd>");
  }

  @Test
  void options_maxNodesOutOfRange_isRejected() {
    assertThatThrownBy(() -> HtmlReportOptions.defaults().withMaxNodes(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxNodes must be between 1 and 2000, got 0");
    assertThatThrownBy(() -> HtmlReportOptions.defaults().withMaxNodes(2001))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void html_label_cutsOnCodePointsAfterMakingTextVisible() {
    assertThat(Html.label("\uD83D\uDE00abc<", 3)).isEqualTo("\uD83D\uDE00a\u2026");
    assertThat(Html.label("\u202Eab", 4)).isEqualTo("\\u2\u2026");
    assertThat(Html.label("a<b", 10)).isEqualTo("a&lt;b");
    assertThat(ReportWords.shortDigest(ReportScenario.CORPUS)).isEqualTo("sha256:" + ReportScenario.CORPUS.value().hex()
        .substring(0, 12));
  }
}
