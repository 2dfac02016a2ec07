package dev.custody.core.entry;

import dev.custody.core.FormatException;
import java.util.Objects;

/**
 * A record reads as a valid entry but is not in the one byte form custody's signer writes. Each
 * entry has exactly one spelling, so that its hash — which chain links, Merkle leaves and
 * approvals cover — cannot be changed without the signing key; a second spelling of the same
 * signed content is rejected like damage. {@link #rule()} says which part broke the rule.
 */
public final class NotCanonicalException extends FormatException {
  private static final long serialVersionUID = 1L;

  /** The part of a record whose spelling is not the canonical one. */
  public enum Rule {
    /** The JWS object: exactly {@code {"protected":…,"payload":…,"signature":…}}, no whitespace. */
    ENVELOPE,
    /** The protected header: exactly {@code {"alg":…,"kid":…,"typ":…}}, no whitespace, no escapes beyond JSON's required ones. */
    HEADER,
    /** The signature: low-S for ES256, {@code S < L} for Ed25519. */
    SIGNATURE,
    /** The signed payload: exactly {@link EntryCodec#encode} of what it decodes to. */
    PAYLOAD
  }

  private final Rule rule;

  public NotCanonicalException(Rule rule, String message) {
    super(message);
    this.rule = Objects.requireNonNull(rule, "rule");
  }

  /** Which part of the record is not canonical. */
  public Rule rule() {
    return rule;
  }
}
