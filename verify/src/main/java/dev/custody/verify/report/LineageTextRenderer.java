package dev.custody.verify.report;

import dev.custody.verify.internal.replay.*;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.RecordRef;
import dev.custody.verify.Finding;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.Link;
import dev.custody.verify.lineage.RootUse;
import dev.custody.verify.lineage.Step;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Prints the lineage of one step as a tree back to its roots, for a terminal:
 *
 * <pre>
 * release acme/ft:5  2026-11-28T12:00:05Z  by acme/release-bot (acme)
 * └── model 'model' sha256:3f1c09ab22d4 from conversion acme/ft:3  2026-11-28T12:00:03Z  by acme/trainer (acme)
 *     ├── · evaluated by evaluation acme/ft:4  accuracy=0.91  by acme/eval (acme)
 *     └── model 'model' sha256:77aa01bc93e0 from fine-tune acme/ft:1  …
 *         ├── model 'base' sha256:0d4e… from training base/m:1 in 'basecorp'  …
 *         └── dataset 'train' sha256:9a9a… ROOT: external root llama-data (published by meta)
 * </pre>
 *
 * Each step lists what it used (the incoming links, newest producer first), then the roots it
 * used ({@link RootUse}: declared external roots, or UNPROVEN), and — as lines starting with
 * {@code ·} — the evaluations, approvals and revocations that refer to it. A step reached twice is
 * printed once and then referred to as "(shown above)". Findings about a step follow it, marked
 * with their severity. At most {@link #MAX_LINES} lines; the rest is counted.
 *
 * <p>Untrusted text (artifact names, custom kinds, ledger labels) is escaped with
 * {@link Untrusted}. Thread-safe; iterative, so a lineage of any depth prints without recursion.
 */
public final class LineageTextRenderer {
  /** Lines printed at most; a lineage of 100,000 steps is summarised, not dumped. */
  public static final int MAX_LINES = 10_000;

  private LineageTextRenderer() {}

  /**
   * @param graph the lineage
   * @param target the step whose lineage to print
   * @param signer how to name a step's signer (e.g. the policy identity, else the key id prefix)
   * @param findings findings to show beside the steps they concern (e.g. the whole report's)
   */
  public static String render(LineageGraph graph, Step target, Function<Step, String> signer, List<Finding> findings) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(target, "target");
    Map<RecordRef, List<Finding>> byEntry = new HashMap<>();
    for (Finding f : findings) {
      f.entry().ifPresent(e -> byEntry.computeIfAbsent(e, k -> new ArrayList<>()).add(f));
    }
    Printer p = new Printer(graph, signer, byEntry);
    p.print(target);
    return p.out.toString();
  }

  /** Deepest indentation drawn; deeper lines show the innermost levels after an ellipsis. */
  static final int MAX_INDENT_LEVELS = 40;

  /**
   * Where a line sits in the tree: its parent's position and whether it is the last child. Kept as
   * a linked list so that a deep lineage costs O(1) per line until a line is printed.
   */
  private record Indent(@Nullable Indent parent, boolean last, int depth) {
    static final Indent ROOT = new Indent(null, true, 0);

    Indent child(boolean lastChild) {
      return new Indent(this, lastChild, depth + 1);
    }

    /** The branch drawn before a line at this position, e.g. "│   └── ". */
    String branch() {
      StringBuilder levels = new StringBuilder();
      Indent i = parent;
      int drawn = 0;
      while (i != null && i.parent != null && drawn < MAX_INDENT_LEVELS - 1) {
        levels.insert(0, i.last ? "    " : "│   ");
        i = i.parent;
        drawn++;
      }
      String cut = i != null && i.parent != null ? "… " : "";
      return cut + levels + (last ? "└── " : "├── ");
    }
  }

  /** One line of the tree still to print: its position and what it shows. */
  private record Item(Indent at, Object what) {}

  private static final class Printer {
    final LineageGraph graph;
    final Function<Step, String> signer;
    final Map<RecordRef, List<Finding>> findings;
    final StringBuilder out = new StringBuilder();
    final Set<Step> shown = new HashSet<>();
    int lines;

    Printer(LineageGraph graph, Function<Step, String> signer, Map<RecordRef, List<Finding>> findings) {
      this.graph = graph;
      this.signer = signer;
      this.findings = findings;
    }

    void print(Step target) {
      line(describe(target));
      shown.add(target);
      Deque<Item> stack = new ArrayDeque<>();
      pushChildren(stack, target, Indent.ROOT);
      while (!stack.isEmpty() && lines < MAX_LINES) {
        Item it = stack.pop();
        String branch = it.at().branch();
        if (it.what() instanceof Link l) {
          Step from = l.from();
          boolean again = !shown.add(from);
          line(branch + artifact(l) + " from " + describe(from) + (again ? "  (shown above)" : ""));
          if (!again) {
            pushChildren(stack, from, it.at());
          }
        } else if (it.what() instanceof RootUse r) {
          line(branch + artifact(r.artifact()) + " ROOT: " + (r.isDeclared()
              ? "external root " + Untrusted.escape(r.declared().get().describe())
              : r.isUnproven() ? "UNPROVEN (no step produced it)"
              : "not produced by a step (" + r.artifact().kind().jsonName() + " inputs need not be)"));
        } else if (it.what() instanceof Step referrer) {
          line(branch + "· " + verb(referrer) + " by " + describe(referrer));
        } else if (it.what() instanceof Finding f) {
          line(branch + "! " + f.severity() + " " + f.code() + ": " + Untrusted.escape(f.message()));
        }
      }
      if (!stack.isEmpty()) {
        long more = graph.ancestors(target).stream().filter(a -> !shown.contains(a)).count();
        out.append("... output cut at ").append(MAX_LINES).append(" lines; ").append(more)
            .append(more == 1 ? " more step" : " more steps").append(" of this lineage not shown (use --json)\n");
      }
    }

    /** Pushes {@code s}'s children so that they pop in display order: findings, referrers, uses, roots. */
    private void pushChildren(Deque<Item> stack, Step s, Indent parent) {
      List<Object> children = new ArrayList<>(findings.getOrDefault(s.ref(), List.of()));
      children.addAll(graph.referrers(s));
      graph.linksInto(s).stream()
          .filter(l -> l.type() == Link.Type.ARTIFACT)
          .sorted(Comparator.comparing(Link::from, LineageGraph.ORDER.reversed()))
          .forEach(children::add);
      children.addAll(graph.rootsOf(s));
      for (int i = children.size() - 1; i >= 0; i--) {
        stack.push(new Item(parent.child(i == children.size() - 1), children.get(i)));
      }
    }

    private static String verb(Step t) {
      if (t.kind().equals(EventType.EVALUATION)) {
        return "evaluated" + metrics(t);
      }
      EventDetails.Decision d = (EventDetails.Decision) t.event().details();
      return switch (d.decision()) {
        case "approved" -> "approved";
        case "rejected" -> "rejected";
        default -> "revoked";
      } + d.reason().map(r -> " (" + Untrusted.quote(r, 80) + ")").orElse("");
    }

    private static String metrics(Step t) {
      if (!(t.event().details() instanceof EventDetails.Evaluation e) || e.metrics().isEmpty()) {
        return "";
      }
      List<String> parts = new ArrayList<>();
      e.metrics().forEach((k, v) -> parts.add(Untrusted.escape(k) + "=" + v.toPlainString()));
      return " [" + String.join(", ", parts) + "]";
    }

    private String describe(Step s) {
      return s.describe(graph.severalLedgers()) + "  " + s.time() + "  by " + Untrusted.escape(signer.apply(s));
    }

    private static String artifact(Link l) {
      return l.kind().jsonName() + " " + Untrusted.quote(l.toName(), 80) + " " + ReportWords.shortDigest(l.digest());
    }

    private static String artifact(ArtifactRef a) {
      return a.kind().jsonName() + " " + Untrusted.quote(a.name(), 80) + " " + ReportWords.shortDigest(a.digest());
    }


    private void line(String s) {
      lines++;
      out.append(s).append('\n');
    }
  }
}
