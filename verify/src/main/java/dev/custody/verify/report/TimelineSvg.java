package dev.custody.verify.report;

import static dev.custody.verify.report.LineageSvg.px;

import dev.custody.verify.lineage.Step;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The timeline: one lane per chain, each drawn step a dot at its claimed time (the signer's
 * clock: a claim, not proof), coloured by its status and linked to its node in the lineage
 * picture. Lanes are ordered by their first step's time. Dots are {@code circle.t-step} with
 * {@code data-entry="chain:seq"} and {@code data-status}. Well-formed XML.
 */
final class TimelineSvg {
  static final double WIDTH = 980;
  static final double LANE_LABEL_WIDTH = 230;
  static final double LANE_HEIGHT = 24;
  static final double AXIS_HEIGHT = 46;
  static final double RIGHT_MARGIN = 30;
  /** Ticks on the time axis, ends included. */
  static final int TICKS = 5;
  /** Longest chain id shown beside a lane. */
  static final int MAX_LANE_LABEL = 30;

  private TimelineSvg() {}

  static String render(List<Step> steps, Map<Step, String> status, Map<Step, String> ids) {
    Map<String, List<Step>> lanes = new LinkedHashMap<>();
    steps.stream().sorted(Comparator.comparing(Step::time).thenComparing(Step::ledger)
            .thenComparingLong(s -> s.ref().logIndex()))
        .forEach(s -> lanes.computeIfAbsent(s.chain(), k -> new ArrayList<>()).add(s));
    Instant min = steps.stream().map(Step::time).min(Comparator.naturalOrder()).orElseThrow();
    Instant max = steps.stream().map(Step::time).max(Comparator.naturalOrder()).orElseThrow();
    double span = Math.max(1, Duration.between(min, max).toMillis());
    double x0 = LANE_LABEL_WIDTH;
    double plot = WIDTH - x0 - RIGHT_MARGIN;
    double height = AXIS_HEIGHT + lanes.size() * LANE_HEIGHT + 8;

    StringBuilder svg = new StringBuilder(2048 + 200 * steps.size());
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" role=\"img\"")
        .append(" aria-labelledby=\"timeline-title\" width=\"").append(px(WIDTH)).append("\" height=\"")
        .append(px(height)).append("\" viewBox=\"0 0 ").append(px(WIDTH)).append(' ').append(px(height))
        .append("\"><title id=\"timeline-title\">Timeline of ").append(steps.size()).append(" steps in ")
        .append(lanes.size()).append(lanes.size() == 1 ? " chain" : " chains").append(", by claimed time</title>");
    Axis axis = Axis.of(min, max);
    svg.append("<text class=\"t-caption\" x=\"").append(px(x0)).append("\" y=\"16\">").append(Html.own(axis.caption())).append("</text>");
    int ticks = min.equals(max) ? 1 : TICKS;
    for (int i = 0; i < ticks; i++) {
      double f = ticks == 1 ? 0.5 : (double) i / (ticks - 1);
      double x = x0 + f * plot;
      Instant t = min.plusMillis(Math.round(f * Duration.between(min, max).toMillis()));
      svg.append("<line class=\"t-grid\" x1=\"").append(px(x)).append("\" y1=\"").append(px(AXIS_HEIGHT - 6))
          .append("\" x2=\"").append(px(x)).append("\" y2=\"").append(px(height - 4)).append("\"/>")
          .append("<text class=\"t-tick\" text-anchor=\"middle\" x=\"").append(px(x)).append("\" y=\"")
          .append(px(AXIS_HEIGHT - 12)).append("\">").append(Html.own(axis.ticks().format(t))).append("</text>");
    }
    int lane = 0;
    for (Map.Entry<String, List<Step>> e : lanes.entrySet()) {
      double y = AXIS_HEIGHT + lane * LANE_HEIGHT + LANE_HEIGHT / 2;
      List<Step> ls = e.getValue();
      svg.append("<g class=\"t-lane\" data-chain=\"").append(Html.text(ls.get(0).chain())).append("\">")
          .append("<text class=\"t-chain\" x=\"").append(px(x0 - 12)).append("\" y=\"").append(px(y + 4))
          .append("\" text-anchor=\"end\">").append(Html.label(e.getKey(), MAX_LANE_LABEL)).append("</text>");
      double first = x(ls.get(0).time(), min, span, x0, plot);
      double last = x(ls.get(ls.size() - 1).time(), min, span, x0, plot);
      svg.append("<line class=\"t-lane-line\" x1=\"").append(px(first)).append("\" y1=\"").append(px(y))
          .append("\" x2=\"").append(px(Math.max(last, first + 0.1))).append("\" y2=\"").append(px(y)).append("\"/>");
      for (Step s : ls) {
        double x = x(s.time(), min, span, x0, plot);
        String st = Objects.requireNonNull(status.get(s), "a status for every step drawn");
        svg.append("<a href=\"#").append(ids.get(s)).append("\"><circle class=\"t-step ").append(st)
            .append("\" data-entry=\"").append(Html.text(s.position())).append("\" data-status=\"")
            .append(st).append("\" cx=\"").append(px(x)).append("\" cy=\"").append(px(y))
            .append("\" r=\"").append(st.equals("ok") ? "5" : "6.5").append("\"><title>")
            .append(Html.text(s.kind().name() + " " + s.position() + " at " + LineageSvg.time(s.time())
                + " (claimed)")).append("</title></circle></a>");
      }
      svg.append("</g>");
      lane++;
    }
    return svg.append("</svg>").toString();
  }

  /** How the axis prints times: the common part once (left of the axis), the varying part at each tick. */
  private record Axis(String caption, DateTimeFormatter ticks) {
    static Axis of(Instant min, Instant max) {
      String day = DAY.format(min);
      Duration span = Duration.between(min, max);
      if (day.equals(DAY.format(max))) {
        return new Axis(day + " UTC", format(span.compareTo(Duration.ofMinutes(10)) < 0 ? "HH:mm:ss" : "HH:mm"));
      }
      return span.compareTo(Duration.ofDays(10)) < 0 ? new Axis("UTC", format("MM-dd HH:mm"))
          : new Axis("UTC", format("yyyy-MM-dd"));
    }

    private static DateTimeFormatter format(String pattern) {
      return DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC);
    }
  }

  private static final DateTimeFormatter DAY = Axis.format("yyyy-MM-dd");

  private static double x(Instant t, Instant min, double span, double x0, double plot) {
    return x0 + plot * (Duration.between(min, t).toMillis() / span);
  }
}
