package dev.custody.core.event;

import dev.custody.core.internal.text.Untrusted;
import dev.custody.core.FormatException;
import dev.custody.core.derivation.ComparisonSummary;
import dev.custody.core.Digest;
import dev.custody.core.internal.json.StrictJson;
import java.nio.charset.StandardCharsets;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The kind-specific fields of an event. Each built-in kind admits exactly one details type
 * ({@link #admits}); kinds with no specific fields use {@link None}.
 */
public sealed interface EventDetails {

  /** Whether these details may accompany an event of {@code type}. */
  boolean admits(EventType type);

  /** No kind-specific fields: dataset-ingest, training, fine-tune. */
  record None() implements EventDetails {
    @Override
    public boolean admits(EventType type) {
      return type.equals(EventType.DATASET_INGEST) || type.equals(EventType.TRAINING)
          || type.equals(EventType.FINE_TUNE);
    }
  }

  /**
   * evaluation: named metrics with exact decimal values (no binary floating point in evidence).
   * Build one from ordinary Java numbers with {@link #of}.
   */
  record Evaluation(SortedMap<String, BigDecimal> metrics) implements EventDetails {
    public Evaluation {
      Objects.requireNonNull(metrics, "metrics");
      metrics.keySet().forEach(k -> Names.requireName(k, "metric name"));
      metrics.values().forEach(v -> Objects.requireNonNull(v, "metric value"));
      metrics = Names.immutableCopy(metrics);
    }

    /**
     * Metrics from ordinary Java numbers, e.g. {@code Evaluation.of(Map.of("accuracy", 0.913, "samples", 12000))},
     * each stored as the exact decimal it is written as: a {@code double} or {@code float} as the shortest
     * decimal that reads back as the same value ({@link Double#toString}, {@link Float#toString}: {@code 0.913}
     * is stored as {@code 0.913}, not as the binary fraction nearest to it), integers as they are, a
     * {@link BigDecimal} unchanged.
     *
     * @throws IllegalArgumentException naming the metric, for a NaN or infinite value, an invalid name, or a
     *     {@link Number} type other than {@code BigDecimal}, {@code BigInteger}, {@code Double}, {@code Float},
     *     {@code Long}, {@code Integer}, {@code Short}, {@code Byte}, {@code AtomicInteger}, {@code AtomicLong}
     */
    public static Evaluation of(java.util.Map<String, ? extends Number> metrics) {
      Objects.requireNonNull(metrics, "metrics");
      SortedMap<String, BigDecimal> exact = new TreeMap<>();
      metrics.forEach((name, value) -> exact.put(Names.requireName(name, "metric name"), decimal(name, value)));
      return new Evaluation(exact);
    }

    private static BigDecimal decimal(String name, Number n) {
      Objects.requireNonNull(n, "metric value of " + name);
      if (n instanceof BigDecimal d) {
        return d;
      }
      if (n instanceof java.math.BigInteger i) {
        return new BigDecimal(i);
      }
      if (n instanceof Double || n instanceof Float) {
        if (!Double.isFinite(n.doubleValue())) {
          throw new IllegalArgumentException("metric " + Untrusted.quote(name) + " is " + n
              + ": a metric must be a finite number");
        }
        // toString, not new BigDecimal(double): the decimal the caller wrote, not the binary fraction stored.
        return new BigDecimal(n.toString());
      }
      if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte
          || n instanceof java.util.concurrent.atomic.AtomicInteger || n instanceof java.util.concurrent.atomic.AtomicLong) {
        return BigDecimal.valueOf(n.longValue());
      }
      throw new IllegalArgumentException("metric " + Untrusted.quote(name) + " is a " + n.getClass().getName()
          + ": give a BigDecimal, BigInteger, Double, Float, Long or Integer");
    }

    @Override
    public boolean admits(EventType type) {
      return type.equals(EventType.EVALUATION);
    }
  }

  /** conversion (quantize, prune, distil, re-format) and merge: the method used, if stated. */
  record Method(Optional<String> method) implements EventDetails {
    public Method {
      Objects.requireNonNull(method, "method");
      method.ifPresent(m -> Names.requireName(m, "method"));
    }

    /** The method {@code method}, e.g. {@code Method.of("gptq-4bit")}. */
    public static Method of(String method) {
      return new Method(Optional.of(Objects.requireNonNull(method, "method")));
    }

    @Override
    public boolean admits(EventType type) {
      return type.equals(EventType.CONVERSION) || type.equals(EventType.MERGE);
    }
  }

  /** release: the version released. */
  record Release(String version) implements EventDetails {
    public Release {
      Names.requireName(version, "release version");
    }

    @Override
    public boolean admits(EventType type) {
      return type.equals(EventType.RELEASE);
    }
  }

  /** custody-transfer: who handed the model over to whom. */
  record Transfer(String from, String to) implements EventDetails {
    public Transfer {
      Names.requireText(from, "transfer from");
      Names.requireText(to, "transfer to");
      if (from.isEmpty() || to.isEmpty()) {
        throw new IllegalArgumentException("custody-transfer needs non-empty 'from' and 'to'");
      }
    }

    @Override
    public boolean admits(EventType type) {
      return type.equals(EventType.CUSTODY_TRANSFER);
    }
  }

  /**
   * approval and revocation: the entry (by hash) the decision is about, the decision and a reason.
   * For approval the decision is {@code approved} or {@code rejected}; for revocation it is {@code revoked}.
   */
  record Decision(Digest subject, String decision, Optional<String> reason) implements EventDetails {
    public Decision {
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(decision, "decision");
      Objects.requireNonNull(reason, "reason");
      if (!decision.equals("approved") && !decision.equals("rejected") && !decision.equals("revoked")) {
        throw new IllegalArgumentException("decision must be approved, rejected or revoked, got " + Untrusted.quote(decision));
      }
      reason.ifPresent(r -> Names.requireText(r, "reason"));
    }

    /** A decision with a reason, e.g. {@code Decision.of(releaseHash, "approved", "eval report reviewed")}. */
    public static Decision of(Digest subject, String decision, String reason) {
      return new Decision(subject, decision, Optional.of(Objects.requireNonNull(reason, "reason")));
    }

    @Override
    public boolean admits(EventType type) {
      return (type.equals(EventType.APPROVAL) && !decision.equals("revoked"))
          || (type.equals(EventType.REVOCATION) && decision.equals("revoked"));
    }
  }

  /** annotation: a free-text note. */
  record Annotation(String text) implements EventDetails {
    public Annotation {
      Names.requireText(text, "annotation text");
    }

    @Override
    public boolean admits(EventType type) {
      return type.equals(EventType.ANNOTATION);
    }
  }

  /**
   * comparison: the signed figures of comparing the weights of the event's inputs {@code a} and
   * {@code b} (see {@link ComparisonSummary} for what each figure means). A comparison event has
   * exactly those two inputs, both of kind {@code model}, and no outputs ({@link #requireArtifacts}).
   */
  record Comparison(ComparisonSummary summary) implements EventDetails {
    /** The input names of the two models compared, in the order of the comparison. */
    public static final String INPUT_A = "a";
    public static final String INPUT_B = "b";

    public Comparison {
      Objects.requireNonNull(summary, "summary");
    }

    @Override
    public boolean admits(EventType type) {
      return type.equals(EventType.COMPARISON);
    }

    /**
     * Checks the artifacts of a comparison event: inputs exactly {@code a} and {@code b} of kind
     * {@code model} (the models compared, by manifest root digest), no outputs (a comparison
     * produces nothing).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static void requireArtifacts(java.util.List<ArtifactRef> inputs, java.util.List<ArtifactRef> outputs) {
      boolean ok = inputs.size() == 2 && outputs.isEmpty();
      for (ArtifactRef r : inputs) {
        ok &= (r.name().equals(INPUT_A) || r.name().equals(INPUT_B)) && r.kind() == ArtifactKind.MODEL;
      }
      if (!ok) {
        throw new IllegalArgumentException("a comparison has exactly two inputs, 'a' and 'b', of kind model (the"
            + " models compared), and no outputs");
      }
    }
  }

  /**
   * A custom kind's body: a JSON object, held as its exact JSON text (validated by the codec).
   * Custody does not interpret it.
   */
  record Custom(String json) implements EventDetails {
    /**
     * Deepest nesting of a body: it sits at depth 3 of an entry payload (payload, event, body), and the
     * whole payload must stay within {@link StrictJson#MAX_DEPTH} or it could be signed but never read.
     */
    public static final int MAX_BODY_DEPTH = StrictJson.MAX_DEPTH - 2;

    public Custom {
      Objects.requireNonNull(json, "custom body");
      try {
        // Re-encoded by Jackson so that the stored text is one strict, compact JSON object.
        com.fasterxml.jackson.databind.JsonNode node =
            StrictJson.parseObjectNode(json.getBytes(StandardCharsets.UTF_8), "custom event body");
        if (depth(node) > MAX_BODY_DEPTH) {
          throw new IllegalArgumentException("custom event body nests deeper than " + MAX_BODY_DEPTH + " levels");
        }
        json = node.toString();
      } catch (FormatException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }

    private static int depth(com.fasterxml.jackson.databind.JsonNode n) {
      int max = 0;
      for (com.fasterxml.jackson.databind.JsonNode c : n) {
        max = Math.max(max, depth(c));
      }
      return n.isContainerNode() ? max + 1 : 0;
    }

    @Override
    public boolean admits(EventType type) {
      return !type.isBuiltIn();
    }
  }

  /** The details a kind has when nothing specific is given, or empty if the kind requires fields. */
  static Optional<EventDetails> defaultFor(EventType type) {
    if (new None().admits(type)) {
      return Optional.of(new None());
    }
    if (type.equals(EventType.EVALUATION)) {
      return Optional.of(new Evaluation(new TreeMap<>()));
    }
    if (type.equals(EventType.CONVERSION) || type.equals(EventType.MERGE)) {
      return Optional.of(new Method(Optional.empty()));
    }
    if (!type.isBuiltIn()) {
      return Optional.of(new Custom("{}"));
    }
    return Optional.empty();
  }
}
