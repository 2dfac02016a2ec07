package dev.custody.verify.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.elk.alg.layered.options.LayeredOptions;
import org.eclipse.elk.core.RecursiveGraphLayoutEngine;
import org.eclipse.elk.core.math.ElkPadding;
import org.eclipse.elk.core.options.CoreOptions;
import org.eclipse.elk.core.options.Direction;
import org.eclipse.elk.core.options.EdgeLabelPlacement;
import org.eclipse.elk.core.options.EdgeRouting;
import org.eclipse.elk.core.util.BasicProgressMonitor;
import org.eclipse.elk.graph.ElkBendPoint;
import org.eclipse.elk.graph.ElkEdge;
import org.eclipse.elk.graph.ElkEdgeSection;
import org.eclipse.elk.graph.ElkLabel;
import org.eclipse.elk.graph.ElkNode;
import org.eclipse.elk.graph.util.ElkGraphUtil;

/**
 * Lays out a directed graph of boxes top to bottom with Eclipse ELK's layered (Sugiyama)
 * algorithm: boxes in layers so that arcs point downwards, crossings minimised, arcs routed
 * orthogonally around the boxes, arc labels placed by ELK between the layers. Knows nothing of
 * lineage: the caller sizes the boxes and labels (in CSS pixels) and draws the result.
 *
 * <p>Deterministic (ELK's fixed random seed). Thread-safe: each call builds its own ELK graph and
 * engine. Cost grows faster than linearly with the arcs (crossing minimisation sweeps the layers),
 * which is why {@link HtmlReportOptions#maxNodes()} bounds what the report draws.
 */
final class GraphLayout {
  /** Space around the drawing, in pixels. */
  static final double PADDING = 16;

  private GraphLayout() {}

  /** A box to place, {@code width} × {@code height} pixels. */
  record Box(double width, double height) {
    Box {
      if (!(width > 0 && height > 0)) {
        throw new IllegalArgumentException("a box has a positive size, got " + width + " x " + height);
      }
    }
  }

  /**
   * An arc from box {@code from} to box {@code to} (indexes into the boxes), with a label of the
   * given size to place, or none when the label width is 0.
   */
  record Arc(int from, int to, double labelWidth, double labelHeight) {
    Arc {
      if (from < 0 || to < 0 || from == to) {
        throw new IllegalArgumentException("an arc joins two different boxes, got " + from + " -> " + to);
      }
    }
  }

  /** A point of the drawing, in pixels from its top left corner. */
  record Point(double x, double y) {}

  /** Where a box or a label went: its top left corner and size. */
  record Placed(double x, double y, double width, double height) {
    Point centre() {
      return new Point(x + width / 2, y + height / 2);
    }
  }

  /** An arc's route from its source box's border to its target's, and its label if it has one. */
  record Route(List<Point> points, Optional<Placed> label) {
    Route {
      points = List.copyOf(points);
      Objects.requireNonNull(label, "label");
    }
  }

  /** The whole drawing: its size, and the boxes and routes in the order given. */
  record Drawing(double width, double height, List<Placed> boxes, List<Route> routes) {
    Drawing {
      boxes = List.copyOf(boxes);
      routes = List.copyOf(routes);
    }
  }

  /** Lays out {@code boxes} joined by {@code arcs}. */
  static Drawing layout(List<Box> boxes, List<Arc> arcs) {
    if (boxes.isEmpty()) {
      return new Drawing(0, 0, List.of(), List.of());
    }
    ElkNode root = ElkGraphUtil.createGraph();
    root.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
    root.setProperty(CoreOptions.DIRECTION, Direction.DOWN);
    root.setProperty(CoreOptions.EDGE_ROUTING, EdgeRouting.ORTHOGONAL);
    root.setProperty(CoreOptions.PADDING, new ElkPadding(PADDING));
    root.setProperty(LayeredOptions.SPACING_NODE_NODE, 28.0);
    root.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, 36.0);
    root.setProperty(LayeredOptions.SPACING_EDGE_NODE_BETWEEN_LAYERS, 14.0);
    root.setProperty(LayeredOptions.SPACING_EDGE_EDGE, 12.0);
    root.setProperty(LayeredOptions.SPACING_EDGE_LABEL, 4.0);
    root.setProperty(LayeredOptions.SPACING_COMPONENT_COMPONENT, 40.0);
    List<ElkNode> nodes = new ArrayList<>(boxes.size());
    for (Box b : boxes) {
      ElkNode n = ElkGraphUtil.createNode(root);
      n.setDimensions(b.width(), b.height());
      nodes.add(n);
    }
    List<ElkEdge> edges = new ArrayList<>(arcs.size());
    for (Arc a : arcs) {
      ElkEdge e = ElkGraphUtil.createSimpleEdge(nodes.get(a.from()), nodes.get(a.to()));
      if (a.labelWidth() > 0) {
        // ELK skips labels without text; the text is drawn by the caller.
        ElkLabel l = ElkGraphUtil.createLabel("label", e);
        l.setDimensions(a.labelWidth(), a.labelHeight());
        l.setProperty(CoreOptions.EDGE_LABELS_PLACEMENT, EdgeLabelPlacement.CENTER);
      }
      edges.add(e);
    }
    new RecursiveGraphLayoutEngine().layout(root, new BasicProgressMonitor());

    List<Placed> placed = new ArrayList<>(nodes.size());
    for (ElkNode n : nodes) {
      placed.add(new Placed(n.getX(), n.getY(), n.getWidth(), n.getHeight()));
    }
    List<Route> routes = new ArrayList<>(edges.size());
    for (ElkEdge e : edges) {
      List<Point> points = new ArrayList<>();
      for (ElkEdgeSection s : e.getSections()) {
        points.add(new Point(s.getStartX(), s.getStartY()));
        for (ElkBendPoint p : s.getBendPoints()) {
          points.add(new Point(p.getX(), p.getY()));
        }
        points.add(new Point(s.getEndX(), s.getEndY()));
      }
      Optional<Placed> label = e.getLabels().stream().findFirst()
          .map(l -> new Placed(l.getX(), l.getY(), l.getWidth(), l.getHeight()));
      routes.add(new Route(points, label));
    }
    return new Drawing(root.getWidth(), root.getHeight(), placed, routes);
  }
}
