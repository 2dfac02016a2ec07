package dev.custody.core.event;

import dev.custody.core.text.Untrusted;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Objects;

/**
 * The kind of a lifecycle step: one of the built-in names (DESIGN.md §3) or a custom kind named
 * by an absolute type URI ({@code https://…} or {@code urn:…}).
 */
public record EventType(String name) {
  // Declared first: the constants below are validated against it during class initialisation.
  private static final java.util.Set<String> BUILT_IN_NAMES = java.util.Set.of("dataset-ingest", "training",
      "fine-tune", "evaluation", "conversion", "merge", "release", "custody-transfer", "approval", "revocation",
      "annotation", "comparison");

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

  public EventType {
    Objects.requireNonNull(name, "event type");
    if (!isBuiltInName(name)) {
      requireTypeUri(name);
    }
  }

  /**
   * Parses a built-in name or a custom type URI.
   *
   * @throws IllegalArgumentException listing the built-in kinds
   */
  public static EventType of(String name) {
    return new EventType(name);
  }

  /** Whether this is one of the built-in kinds. */
  public boolean isBuiltIn() {
    return isBuiltInName(name);
  }

  private static boolean isBuiltInName(String name) {
    return BUILT_IN_NAMES.contains(name);
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
  public String toString() {
    return name;
  }
}
