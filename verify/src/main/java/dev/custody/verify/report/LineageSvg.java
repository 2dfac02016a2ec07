package dev.custody.verify.report;

import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.verify.Finding;
import dev.custody.verify.Severity;
import dev.custody.verify.lineage.Link;
import dev.custody.verify.lineage.RootUse;
import dev.custody.verify.lineage.Step;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The lineage picture: an inline SVG of a {@link LineageView}'s steps (rounded boxes: kind,
 * {@code chain:sequence}, signer, claimed time, and the worst finding), its root artifacts (pills:
 * green for a declared external root, dashed amber for an unproven input), and the links between
 * them (artifact links solid, labelled with the artifact's name and digest prefix; approval and
 * revocation subject links dashed violet, labelled with the decision; root uses dotted), laid out
 * by {@link GraphLayout}. A marked step links to its first finding ({@code #finding-N}).
 *
 * <p>The DOM carries what tests and scripts need: a step is {@code g.step} with
 * {@code data-entry="chain:seq"}, {@code data-kind}, {@code data-log-index}, {@code data-ledger},
 * {@code data-status} ({@code error}, {@code warning}, {@code ok}); a link is {@code g.link} with
 * {@code data-type} ({@code artifact}, {@code subject}, {@code root}), {@code data-from},
 * {@code data-to} ({@code chain:seq}, or {@code root:<digest>}) and {@code data-digest}; a root is
 * {@code g.root} with {@code data-digest} and {@code data-root} ({@code declared}, {@code unproven}).
 * The SVG is well-formed XML.
 */
final class LineageSvg {
  /** Longest kind, position, signer or name shown on a node, in code points (the tooltip has it all). */
  static final int MAX_LABEL = 34;
  /** Longest artifact name shown on a link. */
  static final int MAX_LINK_LABEL = 26;
  /** Most inputs, outputs or parameters a tooltip lists. */
  static final int MAX_TOOLTIP_ITEMS = 12;
  /** Longest parameter value a tooltip shows. */
  static final int MAX_TOOLTIP_VALUE = 200;
  /** Assumed advance of one character at the node fonts (12 px bold sans, 11 px mono); generous. */
  static final double CHAR_WIDTH = 7.0;
  static final double LINE_HEIGHT = 15;
  static final double NODE_PADDING_X = 10;
  static final double NODE_PADDING_Y = 8;
  static final double MIN_NODE_WIDTH = 150;
  /** Assumed advance of one character of a link label (10.5 px). */
  static final double LINK_CHAR_WIDTH = 6.4;
  static final double LINK_LINE_HEIGHT = 13;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private LineageSvg() {}

  /** A node to draw: its opening tag, text lines and tooltip (all escaped), and size. */
  private record Node(String open, List<Line> lines, String tooltip, String link, double width, double height,
      double radius) {}

  /** A line of text in a node, already escaped, with its visible length. */
  private record Line(String cssClass, String html, int length) {}

  /** An arc to draw: its ends, its opening tag, marker, and label lines (escaped). */
  private record Edge(int from, int to, String open, String marker, String name, String digest) {}

  /**
   * The picture of {@code view}.
   *
   * @param findings the report's findings (the view's step findings index them)
   * @param ids the element id of each drawn step
   */
  static String render(List<Finding> findings, LineageView view, HtmlReportOptions options, Map<Step, String> ids) {
    List<Node> nodes = new ArrayList<>();
    Map<Step, Integer> index = new HashMap<>();
    for (Step s : view.shown) {
      index.put(s, nodes.size());
      nodes.add(stepNode(s, view, findings, options, Objects.requireNonNull(ids.get(s), "an id for each step drawn")));
    }
    int firstRoot = nodes.size();
    view.roots.forEach(r -> nodes.add(rootNode(r)));

    List<Edge> edges = new ArrayList<>();
    for (Link l : view.links) {
      edges.add(linkEdge(l, nodeOf(index, l.from()), nodeOf(index, l.to())));
    }
    for (int i = 0; i < view.roots.size(); i++) {
      LineageView.Root r = view.roots.get(i);
      for (RootUse use : r.uses()) {
        edges.add(rootEdge(r, use, firstRoot + i, nodeOf(index, use.step())));
      }
    }

    List<GraphLayout.Box> boxes = nodes.stream().map(n -> new GraphLayout.Box(n.width(), n.height())).toList();
    List<GraphLayout.Arc> arcs = edges.stream().map(LineageSvg::arc).toList();
    GraphLayout.Drawing d = GraphLayout.layout(boxes, arcs);

    StringBuilder svg = new StringBuilder(4096 + 1024 * nodes.size());
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lineage\" role=\"img\"")
        .append(" aria-labelledby=\"lineage-title\" width=\"").append(px(d.width())).append("\" height=\"")
        .append(px(d.height())).append("\" viewBox=\"0 0 ").append(px(d.width())).append(' ').append(px(d.height()))
        .append("\"><title id=\"lineage-title\">Lineage graph: ").append(view.shown.size()).append(" steps, ")
        .append(view.roots.size()).append(" root artifacts</title><defs>").append(marker("arrow-artifact"))
        .append(marker("arrow-subject")).append(marker("arrow-root")).append("</defs>");
    for (int i = 0; i < edges.size(); i++) {
      edge(svg, edges.get(i), d.routes().get(i));
    }
    for (int i = 0; i < nodes.size(); i++) {
      node(svg, nodes.get(i), d.boxes().get(i));
    }
    return svg.append("</svg>").toString();
  }

  private static void edge(StringBuilder svg, Edge e, GraphLayout.Route route) {
    svg.append(e.open()).append("<path d=\"");
    List<GraphLayout.Point> points = route.points();
    for (int i = 0; i < points.size(); i++) {
      svg.append(i == 0 ? "M" : " L").append(px(points.get(i).x())).append(',').append(px(points.get(i).y()));
    }
    svg.append("\" marker-end=\"url(#").append(e.marker()).append(")\"/>");
    route.label().ifPresent(p -> {
      svg.append("<rect class=\"link-label-bg\" x=\"").append(px(p.x())).append("\" y=\"").append(px(p.y()))
          .append("\" width=\"").append(px(p.width())).append("\" height=\"").append(px(p.height()))
          .append("\" rx=\"3\"/>");
      String x = px(p.x() + p.width() / 2);
      double y = p.y() + LINK_LINE_HEIGHT - 2;
      svg.append("<text class=\"link-name\" x=\"").append(x).append("\" y=\"").append(px(y)).append("\">")
          .append(e.name()).append("</text>");
      if (!e.digest().isEmpty()) {
        svg.append("<text class=\"link-digest\" x=\"").append(x).append("\" y=\"").append(px(y + LINK_LINE_HEIGHT))
            .append("\">").append(e.digest()).append("</text>");
      }
    });
    svg.append("</g>");
  }

  private static void node(StringBuilder svg, Node n, GraphLayout.Placed p) {
    svg.append(n.open()).append(" transform=\"translate(").append(px(p.x())).append(',').append(px(p.y()))
        .append(")\"><title>").append(n.tooltip()).append("</title>");
    if (!n.link().isEmpty()) {
      svg.append("<a href=\"").append(n.link()).append("\">");
    }
    svg.append("<rect class=\"box\" width=\"").append(px(n.width())).append("\" height=\"").append(px(n.height()))
        .append("\" rx=\"").append(px(n.radius())).append("\"/>");
    double y = NODE_PADDING_Y + LINE_HEIGHT - 3;
    for (Line line : n.lines()) {
      svg.append("<text class=\"").append(line.cssClass()).append("\" x=\"").append(px(NODE_PADDING_X))
          .append("\" y=\"").append(px(y)).append("\">").append(line.html()).append("</text>");
      y += LINE_HEIGHT;
    }
    if (!n.link().isEmpty()) {
      svg.append("</a>");
    }
    svg.append("</g>");
  }

  private static Node stepNode(Step s, LineageView view, List<Finding> findings, HtmlReportOptions options, String id) {
    String signer = options.signerLabel().apply(s);
    List<Line> lines = new ArrayList<>();
    lines.add(line("n-kind", s.kind().name()));
    lines.add(line("n-pos", s.position()));
    if (view.graph.severalLedgers()) {
      lines.add(line("n-ledger", "ledger " + s.ledger()));
    }
    lines.add(line("n-signer", signer));
    lines.add(own("n-time", time(s.time())));
    List<Integer> fs = view.findingsByStep.getOrDefault(s, List.of());
    if (!fs.isEmpty()) {
      Finding first = findings.get(fs.get(0));
      lines.add(own("n-status", first.severity() + " " + first.code() + (fs.size() > 1 ? " +" + (fs.size() - 1) : "")));
    }

    List<String> tip = new ArrayList<>();
    tip.add(s.kind().name() + " " + s.position() + " (log index " + s.ref().logIndex() + ", ledger " + s.ledger() + ")");
    tip.add("entry " + s.hash());
    tip.add("signed by " + signer + " (key " + s.keyId() + ")");
    tip.add("claimed time " + s.time());
    artifacts(tip, "input", s.event().inputs());
    artifacts(tip, "output", s.event().outputs());
    s.event().parameters().entrySet().stream().limit(MAX_TOOLTIP_ITEMS)
        .forEach(e -> tip.add("parameter " + e.getKey() + " = " + Html.cut(e.getValue(), MAX_TOOLTIP_VALUE)));
    if (s.event().details() instanceof EventDetails.Release r) {
      tip.add("version " + r.version());
    }
    fs.forEach(i -> tip.add(findings.get(i).severity() + " " + findings.get(i).code()));

    String status = statusName(view.status.get(s));
    String open = "<g class=\"step " + status + " kind-" + kindClass(s.kind()) + "\" id=\"" + id + "\" data-entry=\""
        + Html.text(s.position()) + "\" data-kind=\"" + Html.text(s.kind().name()) + "\" data-log-index=\""
        + s.ref().logIndex() + "\" data-ledger=\"" + Html.text(s.ledger()) + "\" data-status=\"" + status + "\"";
    String link = fs.isEmpty() ? "" : "#" + HtmlReportRenderer.findingId(fs.get(0));
    return sized(open, lines, tip, link, 8);
  }

  private static Node rootNode(LineageView.Root r) {
    boolean declared = r.declared().isPresent();
    List<Line> lines = new ArrayList<>();
    lines.add(line("n-kind", (declared ? "external " : "unproven ") + r.kind().jsonName()));
    lines.add(line("n-pos", declared ? r.declared().get().describe() : r.name()));
    lines.add(own("n-digest", ReportWords.shortDigest(r.digest())));
    List<String> tip = new ArrayList<>();
    tip.add(declared ? "declared external root: " + r.declared().get().describe()
        : "no step of the evidence produced this " + r.kind().jsonName() + ", and no external root is declared for it");
    tip.add(r.digest().toString());
    tip.add("used by " + r.uses().size() + (r.uses().size() == 1 ? " step" : " steps"));
    String open = "<g class=\"root " + (declared ? "declared" : "unproven") + "\" data-digest=\""
        + Html.own(r.digest().toString()) + "\" data-root=\"" + (declared ? "declared" : "unproven") + "\"";
    Node n = sized(open, lines, tip, "", 0);
    return new Node(n.open(), n.lines(), n.tooltip(), n.link(), n.width(), n.height(), n.height() / 2);
  }

  private static Node sized(String open, List<Line> lines, List<String> tooltip, String link, double radius) {
    int longest = lines.stream().mapToInt(Line::length).max().orElse(0);
    double width = Math.max(MIN_NODE_WIDTH, Math.ceil(longest * CHAR_WIDTH + 2 * NODE_PADDING_X));
    double height = lines.size() * LINE_HEIGHT + 2 * NODE_PADDING_Y;
    String tip = String.join("\n", tooltip.stream().map(Html::text).toList());
    return new Node(open, lines, tip, link, width, height, radius);
  }

  /** The node of a drawn step: the view's links and root uses join drawn steps only. */
  private static int nodeOf(Map<Step, Integer> index, Step s) {
    return Objects.requireNonNull(index.get(s), "a link or root use of a step not drawn");
  }

  private static Edge linkEdge(Link l, int from, int to) {
    String open = "<g class=\"link " + (l.type() == Link.Type.SUBJECT ? "subject" : "artifact") + "\" data-type=\""
        + (l.type() == Link.Type.SUBJECT ? "subject" : "artifact") + "\" data-from=\"" + Html.text(l.from().position())
        + "\" data-to=\"" + Html.text(l.to().position()) + "\" data-digest=\"" + Html.own(l.digest().toString())
        + "\"><title>" + Html.text(describe(l)) + "</title>";
    if (l.type() == Link.Type.SUBJECT) {
      String decision = l.to().event().details() instanceof EventDetails.Decision dec ? dec.decision() : "subject";
      return new Edge(from, to, open, "arrow-subject", Html.label(decision, MAX_LINK_LABEL), "");
    }
    String name = l.fromName().isEmpty() || l.fromName().equals(l.toName()) ? l.toName()
        : l.fromName() + " \u2192 " + l.toName();
    return new Edge(from, to, open, "arrow-artifact", Html.label(name, MAX_LINK_LABEL),
        Html.own(ReportWords.shortDigest(l.digest())));
  }

  private static Edge rootEdge(LineageView.Root r, RootUse use, int from, int to) {
    String open = "<g class=\"link root-use" + (r.declared().isPresent() ? "" : " unproven")
        + "\" data-type=\"root\" data-from=\"root:" + Html.own(r.digest().toString()) + "\" data-to=\""
        + Html.text(use.step().position()) + "\" data-digest=\"" + Html.own(r.digest().toString()) + "\"><title>"
        + Html.text(use.step().kind().name() + " " + use.step().position() + " uses " + use.artifact().kind().jsonName()
            + " '" + use.artifact().name() + "' " + r.digest()) + "</title>";
    return new Edge(from, to, open, "arrow-root", Html.label(use.artifact().name(), MAX_LINK_LABEL), "");
  }

  private static GraphLayout.Arc arc(Edge e) {
    int chars = Math.max(visibleLength(e.name()), visibleLength(e.digest()));
    double w = chars == 0 ? 0 : Math.ceil(chars * LINK_CHAR_WIDTH + 8);
    double h = e.digest().isEmpty() ? LINK_LINE_HEIGHT + 4 : 2 * LINK_LINE_HEIGHT + 4;
    return new GraphLayout.Arc(e.from(), e.to(), w, h);
  }

  /** Length of escaped HTML as displayed (an entity is one character). */
  private static int visibleLength(String html) {
    return Html.length(html.replaceAll("&[#a-z0-9]+;", "x"));
  }

  /** A line of untrusted text, made visible and cut to the label length. */
  private static Line line(String cls, String untrusted) {
    String visible = Html.visible(untrusted, MAX_LABEL);
    return new Line(cls, Html.own(visible), Html.length(visible));
  }

  /** A line of custody's own text. */
  private static Line own(String cls, String text) {
    return new Line(cls, Html.own(text), Html.length(text));
  }

  private static void artifacts(List<String> tip, String role, List<ArtifactRef> list) {
    list.stream().limit(MAX_TOOLTIP_ITEMS)
        .forEach(a -> tip.add(role + " " + a.kind().jsonName() + " '" + a.name() + "' " + a.digest()));
    if (list.size() > MAX_TOOLTIP_ITEMS) {
      tip.add((list.size() - MAX_TOOLTIP_ITEMS) + " more " + role + "s");
    }
  }

  private static String describe(Link l) {
    if (l.type() == Link.Type.SUBJECT) {
      return l.to().kind().name() + " " + l.to().position() + " decides on " + l.from().kind().name() + " "
          + l.from().position() + " (entry " + l.digest() + ")";
    }
    return l.from().kind().name() + " " + l.from().position() + " produced '" + l.fromName() + "', used by "
        + l.to().kind().name() + " " + l.to().position() + " as '" + l.toName() + "': " + l.kind().jsonName() + " "
        + l.digest();
  }

  private static String marker(String id) {
    return "<marker id=\"" + id + "\" class=\"" + id + "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\""
        + " markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\"/></marker>";
  }

  /**
   * {@code error}, {@code warning} or {@code ok}: a step's status as the page names it (CSS class, data
   * attribute), from its worst finding's severity (null: no finding).
   */
  static String statusName(@Nullable Severity s) {
    if (s == Severity.ERROR) {
      return "error";
    }
    return s == Severity.WARNING ? "warning" : "ok";
  }

  /** A CSS class suffix for a kind: the built-in name, or {@code custom}. */
  static String kindClass(EventType kind) {
    return kind.isBuiltIn() ? kind.name() : "custom";
  }

  /** A coordinate, with at most one decimal. */
  static String px(double v) {
    long tenths = Math.round(v * 10);
    return tenths % 10 == 0 ? Long.toString(tenths / 10) : Double.toString(tenths / 10.0);
  }

  /** A claimed time as the page prints it: {@code 2026-11-28 12:00:03Z}. */
  static String time(Instant t) {
    return TIME.format(t);
  }
}
