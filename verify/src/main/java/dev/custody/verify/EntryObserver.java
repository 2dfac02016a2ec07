package dev.custody.verify;

import dev.custody.core.entry.EntryPayload;

/**
 * A later stage of replay (DESIGN.md §6 checks 5–7) that sees every authentic entry: one whose
 * record parsed strictly and whose signature verified with a trusted key, so its payload may be
 * read. Entries come in log order, one at a time, on the replay's sequential thread. An entry
 * that is authentic may still take part in an integrity finding (a fork, a gap); the report
 * carries those.
 */
@FunctionalInterface
public interface EntryObserver {
  /**
   * @param ref where the entry is, with chain, sequence and hash
   * @param payload its verified payload
   */
  void authentic(RecordRef ref, EntryPayload payload);

  /**
   * {@link #authentic(RecordRef, EntryPayload)} with the signer the trust policy resolved the entry's
   * key to (its key, and its identity and organisation under a policy). The default forgets the signer.
   */
  default void authentic(RecordRef ref, EntryPayload payload, dev.custody.verify.policy.Signer signer) {
    authentic(ref, payload);
  }
}
