package dev.custody.verify;

import dev.custody.core.entry.EntryPayload;
import java.util.List;
import java.util.Optional;

/**
 * What the per-record checks (format and authenticity) established about one log record, handed
 * in log order to the sequential checks.
 *
 * @param ref the record; chain and sequence are set only when {@code payload} is
 * @param payload the payload, present only when the signature verified with a trusted key
 * @param signerKeyId the key id of the trusted key that verified the signature, present with {@code payload}
 * @param findings the per-record findings, in check order
 */
record CheckedRecord(EntryRef ref, Optional<EntryPayload> payload, Optional<String> signerKeyId, List<Finding> findings) {
  CheckedRecord {
    findings = List.copyOf(findings);
    if (payload.isPresent() != signerKeyId.isPresent()) {
      throw new IllegalArgumentException("an authentic record has both a payload and a signer");
    }
  }

  /** A record that failed the per-record checks. */
  static CheckedRecord rejected(EntryRef ref, List<Finding> findings) {
    return new CheckedRecord(ref, Optional.empty(), Optional.empty(), findings);
  }

  /** Whether the record passed the format and authenticity checks that reading its payload needs. */
  boolean authentic() {
    return payload.isPresent();
  }
}
