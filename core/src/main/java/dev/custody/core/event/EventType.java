package dev.custody.core.event;

import dev.custody.core.internal.text.Untrusted;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Objects;

/**
 * The kind of a lifecycle step: one of the built-in names (DESIGN.md §3) or a custom kind named
 * by an absolute type URI ({@code https://…} or {@code urn:…}).
 *
 * <p>Every built-in kind has exactly one instance, its constant: {@link #of} (and so every parser,
 * which goes through it) returns the constant, so {@code e.type() == EventType.RELEASE} is true for
 * a release read from a ledger as much as for one built in code. Custom kinds compare with
 * {@link #equals} (they are not interned: a ledger could name millions). Immutable; no public
 * constructor.
 */
public final class EventType {
  public static final EventType DATASET_INGEST = new EventType("dataset-ingest");
  public static final EventType TRAINING = new EventType("training");
  public static final EventType FINE_TUNE = new EventType("fine-tune");
  public static final EventType EVALUATION = new EventType("evaluation");
  public static final EventType CONVERSION = new EventType("conversion");
  public static final EventType MERGE = new EventType("merge");
  public static final EventType RELEASE = new EventType("release");
  public static final EventType CUSTODY_TRANSFER = new EventType("custody-transfer");
  public static final EventType APPROVAL = new EventType("approval");
  public static final EventType REVOCATION = new EventType("revocation");
  public static final EventType ANNOTATION = new EventType("annotation");
  /**
   * Derivation evidence: the signed figures of comparing two models' weights (inputs {@code a} and
   * {@code b}). Analysis, not a lifecycle step: it produces nothing.
   */
  public static final EventType COMPARISON = new EventType("comparison");

  /** The built-in kinds in the order DESIGN.md lists them, then {@code comparison} (issue 8). */
  public static final List<EventType> BUILT_IN = List.of(DATASET_INGEST, TRAINING, FINE_TUNE, EVALUATION,
      CONVERSION, MERGE, RELEASE, CUSTODY_TRANSFER, APPROVAL, REVOCATION, ANNOTATION, COMPARISON);

  private static final int MAX_URI_LENGTH = 512;

  /** Built-in kinds by name, for {@link #of}: immutable, filled once from {@link #BUILT_IN}. */
  private static final java.util.Map<String, EventType> BY_NAME = BUILT_IN.stream()
      .collect(java.util.stream.Collectors.toUnmodifiableMap(EventType::name, t -> t));

  private final String name;

  private EventType(String name) {
    this.name = name;
  }

  /**
   * Parses a built-in name (returning its constant) or a custom type URI.
   *
   * @throws IllegalArgumentException listing the built-in kinds
   */
  public static EventType of(String name) {
    Objects.requireNonNull(name, "event type");
    EventType builtIn = BY_NAME.get(name);
    if (builtIn != null) {
      return builtIn;
    }
    requireTypeUri(name);
    return new EventType(name);
  }

  /** The kind's name: the built-in name, or the custom kind's type URI. */
  public String name() {
    return name;
  }

  /** Whether this is one of the built-in kinds. */
  public boolean isBuiltIn() {
    return BY_NAME.get(name) == this;
  }

  private static void requireTypeUri(String name) {
    String hint = "unknown event kind " + Untrusted.quote(name) + ": use a built-in kind (dataset-ingest, training, fine-tune, "
        + "evaluation, conversion, merge, release, custody-transfer, approval, revocation, annotation, comparison) "
        + "or a custom kind as an absolute https: or urn: URI";
    // https: or urn: only, as documented: a plain-http type URI names nothing its owner can be held to.
    if (name.length() > MAX_URI_LENGTH || !(name.startsWith("https://") || name.startsWith("urn:"))) {
      throw new IllegalArgumentException(hint);
    }
    try {
      URI uri = new URI(name);
      if (!uri.isAbsolute()) {
        throw new IllegalArgumentException(hint);
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(hint, e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof EventType t && t.name.equals(name));
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
