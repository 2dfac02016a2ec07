package dev.custody.verify.policy;

import dev.custody.core.event.EventType;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A set of event kinds as a policy writes it: built-in kind names, custom kind URIs, or {@code *}
 * for every kind. Immutable.
 *
 * @param all whether this is {@code *}
 * @param kinds the kinds named (empty when {@code all})
 */
public record KindSet(boolean all, Set<EventType> kinds) {
  /** Every kind. */
  public static final KindSet ALL = new KindSet(true, Set.of());

  public KindSet {
    kinds = Set.copyOf(kinds);
    if (all != kinds.isEmpty()) {
      throw new IllegalArgumentException(all ? "'*' stands alone in a list of kinds" : "a list of kinds is not empty");
    }
  }

  /** Exactly these kinds. */
  public static KindSet of(EventType... kinds) {
    return new KindSet(false, Set.of(kinds));
  }

  public boolean contains(EventType kind) {
    Objects.requireNonNull(kind, "kind");
    return all || kinds.contains(kind);
  }

  @Override
  public String toString() {
    return all ? "*" : kinds.stream().map(EventType::name).sorted().collect(Collectors.joining(", "));
  }
}
