package dev.custody.core.event;

import dev.custody.core.internal.text.Untrusted;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One lifecycle step of a model: what kind of step, what it consumed and produced, with which
 * parameters in which environment, when, the kind-specific {@link EventDetails}, and for a step run
 * as a process ({@code custody run}) its {@link Invocation}.
 * Field names follow in-toto / SLSA vocabulary where one exists (materials are {@code inputs},
 * products are {@code outputs}).
 *
 * <p>Immutable. Use {@link #builder} to build one.
 */
public record Event(
    EventType type,
    List<ArtifactRef> inputs,
    List<ArtifactRef> outputs,
    SortedMap<String, String> parameters,
    SortedMap<String, String> environment,
    Optional<Instant> startedAt,
    Optional<Instant> finishedAt,
    EventDetails details,
    Optional<Invocation> invocation) {

  /** Most artifacts one side of an event may list; a larger set belongs in a manifest. */
  public static final int MAX_ARTIFACTS = 10_000;

  public Event {
    Objects.requireNonNull(type, "type");
    inputs = List.copyOf(Objects.requireNonNull(inputs, "inputs"));
    outputs = List.copyOf(Objects.requireNonNull(outputs, "outputs"));
    if (inputs.size() > MAX_ARTIFACTS || outputs.size() > MAX_ARTIFACTS) {
      throw new IllegalArgumentException("an event lists at most " + MAX_ARTIFACTS + " inputs and outputs each");
    }
    requireUniqueNames(inputs, "input");
    requireUniqueNames(outputs, "output");
    parameters = Names.immutableCopy(Names.requireStringMap(parameters, "parameters"));
    environment = Names.immutableCopy(Names.requireStringMap(environment, "environment"));
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(finishedAt, "finishedAt");
    startedAt.ifPresent(t -> requireTime(t, "startedAt"));
    finishedAt.ifPresent(t -> requireTime(t, "finishedAt"));
    // finishedAt before startedAt is not rejected here: an event read from a signed entry is what its
    // signer's clocks said, and the verifier reports the inconsistency (TIME_REVERSED) instead of
    // refusing the entry. Builder.build(), the writers' path, refuses to create one.
    Objects.requireNonNull(details, "details");
    if (!details.admits(type)) {
      throw new IllegalArgumentException("event kind " + Untrusted.quote(type.name()) + " cannot carry "
          + details.getClass().getSimpleName() + " details");
    }
    if (details instanceof EventDetails.Comparison) {
      EventDetails.Comparison.requireArtifacts(inputs, outputs);
    }
    Objects.requireNonNull(invocation, "invocation");
  }

  /** An event without an {@link Invocation}. */
  public Event(EventType type, List<ArtifactRef> inputs, List<ArtifactRef> outputs, SortedMap<String, String> parameters,
      SortedMap<String, String> environment, Optional<Instant> startedAt, Optional<Instant> finishedAt,
      EventDetails details) {
    this(type, inputs, outputs, parameters, environment, startedAt, finishedAt, details, Optional.empty());
  }

  /** Whether {@code finishedAt} is before {@code startedAt}: the event's own times run backwards. */
  public boolean timesReversed() {
    return startedAt.isPresent() && finishedAt.isPresent() && finishedAt.get().isBefore(startedAt.get());
  }

  /**
   * Checks that a time can be encoded in custody formats: years 0000-9999 (RFC 3339 §5.6).
   *
   * @throws IllegalArgumentException naming {@code what} and the time
   */
  public static Instant requireTime(Instant time, String what) {
    return Names.requireTime(time, what);
  }

  public static Builder builder(EventType type) {
    return new Builder(type);
  }

  private static void requireUniqueNames(List<ArtifactRef> refs, String side) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (ArtifactRef r : refs) {
      if (!seen.add(r.name())) {
        throw new IllegalArgumentException("duplicate " + side + " name " + Untrusted.quote(r.name()));
      }
    }
  }

  /** Builds an {@link Event}; not thread-safe. */
  public static final class Builder {
    private final EventType type;
    private final List<ArtifactRef> inputs = new java.util.ArrayList<>();
    private final List<ArtifactRef> outputs = new java.util.ArrayList<>();
    private final SortedMap<String, String> parameters = new TreeMap<>();
    private final SortedMap<String, String> environment = new TreeMap<>();
    // Unset (null) until their setters are called; build() reads null as absent (details: the kind's default).
    private @Nullable Instant startedAt;
    private @Nullable Instant finishedAt;
    private @Nullable EventDetails details;
    private @Nullable Invocation invocation;

    private Builder(EventType type) {
      this.type = Objects.requireNonNull(type, "type");
    }

    public Builder input(ArtifactRef ref) {
      inputs.add(ref);
      return this;
    }

    public Builder output(ArtifactRef ref) {
      outputs.add(ref);
      return this;
    }

    public Builder parameter(String key, String value) {
      parameters.put(key, value);
      return this;
    }

    public Builder environment(String key, String value) {
      environment.put(key, value);
      return this;
    }

    public Builder startedAt(Instant t) {
      startedAt = t;
      return this;
    }

    public Builder finishedAt(Instant t) {
      finishedAt = t;
      return this;
    }

    public Builder details(EventDetails d) {
      details = d;
      return this;
    }

    /** How the step was run as a process (none by default). */
    public Builder invocation(Invocation i) {
      invocation = i;
      return this;
    }

    /**
     * @throws IllegalArgumentException if a field is invalid, finishedAt is before startedAt, or the
     *     kind requires details that were not given
     */
    public Event build() {
      if (startedAt != null && finishedAt != null && finishedAt.isBefore(startedAt)) {
        throw new IllegalArgumentException("finishedAt " + finishedAt + " is before startedAt " + startedAt);
      }
      EventDetails d = details != null ? details : EventDetails.defaultFor(type).orElseThrow(
          () -> new IllegalArgumentException("event kind " + Untrusted.quote(type.name()) + " requires its specific fields ("
              + requiredFieldsHint(type) + ")"));
      return new Event(type, inputs, outputs, parameters, environment, Optional.ofNullable(startedAt),
          Optional.ofNullable(finishedAt), d, Optional.ofNullable(invocation));
    }

    private static String requiredFieldsHint(EventType type) {
      return switch (type.name()) {
        case "release" -> "version";
        case "custody-transfer" -> "from, to";
        case "approval", "revocation" -> "subject, decision";
        case "annotation" -> "text";
        case "comparison" -> "method, architecture, tensors, elements; see custody compare --record";
        default -> "see EventDetails";
      };
    }
  }
}
