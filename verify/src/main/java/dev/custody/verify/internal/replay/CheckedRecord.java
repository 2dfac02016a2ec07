package dev.custody.verify.internal.replay;

import dev.custody.verify.*;

import dev.custody.verify.policy.Signer;
import dev.custody.core.entry.EntryPayload;
import java.util.List;
import java.util.Optional;

/**
 * What the per-record checks (format and authenticity) established about one log record, handed
 * in log order to the sequential checks.
 *
 * @param ref the record; chain and sequence are set only when {@code payload} is
 * @param payload the payload, present only when the signature verified with a trusted key
 * @param signer who signed: the trusted key that verified the signature and the identity the trust
 *     policy binds it to; present with {@code payload}
 * @param findings the per-record findings, in check order
 */
public record CheckedRecord(RecordRef ref, Optional<EntryPayload> payload, Optional<Signer> signer, List<Finding> findings) {
  public CheckedRecord {
    findings = List.copyOf(findings);
    if (payload.isPresent() != signer.isPresent()) {
      throw new IllegalArgumentException("an authentic record has both a payload and a signer");
    }
  }

  /** A record that failed the per-record checks. */
  public static CheckedRecord rejected(RecordRef ref, List<Finding> findings) {
    return new CheckedRecord(ref, Optional.empty(), Optional.empty(), findings);
  }

  /** Whether the record passed the format and authenticity checks that reading its payload needs. */
  public boolean authentic() {
    return payload.isPresent();
  }
}
