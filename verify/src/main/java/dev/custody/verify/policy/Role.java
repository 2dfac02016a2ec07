package dev.custody.verify.policy;

import dev.custody.core.event.EventType;
import java.util.List;
import java.util.Objects;

/**
 * One grant of the policy: identities matching {@code identities} may sign entries of the kinds
 * {@code kinds} on chains matching {@code chains}. Roles only grant; an entry is allowed when any
 * role allows it (their order does not matter). Immutable.
 *
 * @param identities identity names or {@link NamePattern}s, e.g. {@code acme/release-bot}, {@code acme/*}
 * @param kinds the kinds granted
 * @param chains chain {@link NamePattern}s, e.g. {@code acme/*}, {@code acme/**}
 * @param source where the role is written, e.g. {@code policy.yaml:31:5}, for messages
 */
public record Role(List<NamePattern> identities, KindSet kinds, List<NamePattern> chains, String source) {
  public Role {
    identities = List.copyOf(identities);
    Objects.requireNonNull(kinds, "kinds");
    chains = List.copyOf(chains);
    Objects.requireNonNull(source, "source");
    if (identities.isEmpty() || chains.isEmpty()) {
      throw new IllegalArgumentException("a role names at least one identity and one chain");
    }
  }

  /** Whether this role lets {@code identity} sign {@code kind} on {@code chain}. */
  public boolean allows(String identity, EventType kind, String chain) {
    return kinds.contains(kind) && identities.stream().anyMatch(p -> p.matches(identity))
        && chains.stream().anyMatch(p -> p.matches(chain));
  }
}
