package dev.custody.verify.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ELK layered layout as the report uses it: layers downwards, boxes apart, links routed between them. */
class GraphLayoutTest {
  /** A diamond with a tail: 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3, 3 -> 4, and a labelled shortcut 0 -> 4. */
  static final List<GraphLayout.Box> BOXES = List.of(new GraphLayout.Box(160, 70), new GraphLayout.Box(200, 55),
      new GraphLayout.Box(150, 70), new GraphLayout.Box(180, 85), new GraphLayout.Box(150, 70));
  static final List<GraphLayout.Arc> ARCS = List.of(new GraphLayout.Arc(0, 1, 90, 30), new GraphLayout.Arc(0, 2, 90, 30),
      new GraphLayout.Arc(1, 3, 0, 0), new GraphLayout.Arc(2, 3, 0, 0), new GraphLayout.Arc(3, 4, 60, 17),
      new GraphLayout.Arc(0, 4, 120, 30));

  @Test
  void layout_diamond_placesEveryArcDownwardsBetweenItsBoxes() {
    GraphLayout.Drawing d = GraphLayout.layout(BOXES, ARCS);

    for (GraphLayout.Arc a : ARCS) {
      GraphLayout.Placed from = d.boxes().get(a.from());
      GraphLayout.Placed to = d.boxes().get(a.to());
      assertThat(from.y() + from.height()).as("arc %s: source above target", a).isLessThanOrEqualTo(to.y());
      GraphLayout.Route r = d.routes().get(ARCS.indexOf(a));
      GraphLayout.Point start = r.points().get(0);
      GraphLayout.Point end = r.points().get(r.points().size() - 1);
      assertThat(start.y()).as("arc %s starts at its source's bottom", a).isEqualTo(from.y() + from.height());
      assertThat(start.x()).isBetween(from.x(), from.x() + from.width());
      assertThat(end.y()).as("arc %s ends at its target's top", a).isEqualTo(to.y());
      assertThat(end.x()).isBetween(to.x(), to.x() + to.width());
      for (int i = 1; i < r.points().size(); i++) {
        GraphLayout.Point p = r.points().get(i - 1);
        GraphLayout.Point q = r.points().get(i);
        assertThat(p.x() == q.x() || p.y() == q.y()).as("arc %s is routed orthogonally", a).isTrue();
      }
      assertThat(r.label().isPresent()).isEqualTo(a.labelWidth() > 0);
    }
    // Boxes 1 and 2 share a layer (centred on one line), side by side; no two boxes overlap.
    assertThat(d.boxes().get(1).centre().y()).isEqualTo(d.boxes().get(2).centre().y());
    for (int i = 0; i < BOXES.size(); i++) {
      for (int j = i + 1; j < BOXES.size(); j++) {
        assertThat(overlap(d.boxes().get(i), d.boxes().get(j))).as("boxes %d and %d overlap", i, j).isFalse();
      }
      GraphLayout.Placed p = d.boxes().get(i);
      assertThat(p.width()).isEqualTo(BOXES.get(i).width());
      assertThat(p.x() + p.width()).isLessThanOrEqualTo(d.width());
      assertThat(p.y() + p.height()).isLessThanOrEqualTo(d.height());
    }
    // Labels sit clear of every box.
    for (GraphLayout.Route r : d.routes()) {
      r.label().ifPresent(l -> d.boxes().forEach(b -> assertThat(overlap(l, b)).as("label %s over box %s", l, b)
          .isFalse()));
    }
  }

  @Test
  void layout_sameGraphTwice_isTheSameDrawing() {
    assertThat(GraphLayout.layout(BOXES, ARCS)).isEqualTo(GraphLayout.layout(BOXES, ARCS));
  }

  @Test
  void layout_longChain_isLayeredNotARow() {
    List<GraphLayout.Box> boxes = new ArrayList<>();
    List<GraphLayout.Arc> arcs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      boxes.add(new GraphLayout.Box(150, 60));
      if (i > 0) {
        arcs.add(new GraphLayout.Arc(i - 1, i, 80, 30));
      }
    }
    GraphLayout.Drawing d = GraphLayout.layout(boxes, arcs);

    for (int i = 1; i < 8; i++) {
      assertThat(d.boxes().get(i).y()).isGreaterThan(d.boxes().get(i - 1).y() + 60);
    }
    assertThat(d.height()).isGreaterThan(d.width());
  }

  @Test
  void layout_nothing_isAnEmptyDrawing() {
    assertThat(GraphLayout.layout(List.of(), List.of())).isEqualTo(new GraphLayout.Drawing(0, 0, List.of(), List.of()));
  }

  @Test
  void arcAndBox_invalid_areRejected() {
    assertThatThrownBy(() -> new GraphLayout.Arc(1, 1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new GraphLayout.Arc(-1, 1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new GraphLayout.Box(0, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new GraphLayout.Box(Double.NaN, 10)).isInstanceOf(IllegalArgumentException.class);
  }

  private static boolean overlap(GraphLayout.Placed a, GraphLayout.Placed b) {
    return a.x() < b.x() + b.width() && b.x() < a.x() + a.width() && a.y() < b.y() + b.height()
        && b.y() < a.y() + a.height();
  }
}
