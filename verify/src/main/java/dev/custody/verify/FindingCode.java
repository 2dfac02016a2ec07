package dev.custody.verify;

/**
 * Stable codes of verification findings. The names are a contract (they appear in JSON reports and
 * scripts match on them): codes are added, never renamed or removed. Grouped by the check of
 * DESIGN.md §6 that raises them; each code has one default {@link Severity}.
 */
public enum FindingCode {
  // ---- layout of the ledger directory

  /** A segment file's name declares a first log index other than the number of records before it. */
  SEGMENT_INDEX_MISMATCH(Severity.ERROR),
  /** A file in the segments directory that is not a segment; it is not read. */
  SEGMENT_UNEXPECTED_FILE(Severity.ERROR),
  /** The last line of the log has no '\n': a write torn by a crash, never acknowledged; not checked. */
  TORN_TAIL(Severity.WARNING),
  /** A line without '\n' in the middle of the log (a segment other than the last ends without one). */
  RECORD_UNTERMINATED(Severity.ERROR),
  /** The ledger holds no entries at all. */
  LEDGER_EMPTY(Severity.INFO),
  /**
   * A temporary file of an interrupted atomic write ({@code .NAME.<random>.tmp}) was left by a crash;
   * it is not read, and the next writer removes it.
   */
  TEMPORARY_FILE_LEFT(Severity.INFO),

  // ---- 1. format

  /** A record is longer than the record size limit; it was skipped unread. */
  RECORD_OVERSIZE(Severity.ERROR),
  /** A record is not a well-formed custody JWS (bad JSON, members, base64url or header). */
  RECORD_MALFORMED(Severity.ERROR),
  /** The protected header's {@code typ} is not {@code custody-entry+jws}: the JWS is not an entry. */
  HEADER_TYPE_INVALID(Severity.ERROR),
  /**
   * A record is a valid entry but not in the one byte form custody's signer writes, so its entry
   * hash is not the one its content was signed under: the JWS object or the protected header is
   * re-spelled (member order, whitespace, escapes), the signature is in its second valid form
   * (high-S ES256, Ed25519 with {@code S >= L}), or the signed payload is spelled otherwise than the
   * encoder writes it (whitespace, a byte-order mark, member order, another spelling of a number or
   * string). The message names which rule. Before this code existed, a re-spelled JWS object was
   * {@link #RECORD_MALFORMED} (also an error) and the other forms verified.
   */
  RECORD_NOT_CANONICAL(Severity.ERROR),

  // ---- 2. authenticity

  /** The header {@code kid} names no trusted key. */
  KEY_UNTRUSTED(Severity.ERROR),
  /** The header {@code alg} is not the algorithm of the trusted key its {@code kid} names. */
  ALG_MISMATCH(Severity.ERROR),
  /** The signature does not verify with the trusted key the header names. */
  SIGNATURE_INVALID(Severity.ERROR),
  /** The signed payload is not a valid custody/entry/v1 payload. */
  PAYLOAD_MALFORMED(Severity.ERROR),
  /** The payload's {@code keyId} is not the key that signed the entry (the header {@code kid}). */
  KEY_ID_MISMATCH(Severity.ERROR),

  // ---- 3. integrity

  /** The same record (same entry hash) appears more than once in the log. */
  DUPLICATE_ENTRY(Severity.ERROR),
  /** The first entry seen of a chain does not have sequence 0. */
  CHAIN_START_MISSING(Severity.ERROR),
  /** A chain's sequence numbers skip: entries are missing between two entries. */
  SEQUENCE_GAP(Severity.ERROR),
  /** A chain entry appears after an entry with a higher sequence number of the same chain. */
  SEQUENCE_OUT_OF_ORDER(Severity.ERROR),
  /** Two different entries have the same chain and sequence number: the chain forks. */
  FORK(Severity.ERROR),
  /** An entry's {@code prev} is not the hash of the chain's previous entry. */
  PREV_MISMATCH(Severity.ERROR),
  /**
   * Times run backwards: an entry's {@code time} is earlier than that of the previous entry of its
   * chain, or an event's {@code finishedAt} is before its {@code startedAt}. A warning: times are
   * the signers' claims, and a wrong clock looks the same as a back-dated entry; the order of the
   * log, not the times, is what checkpoints commit to.
   */
  TIME_REVERSED(Severity.WARNING),
  /**
   * An entry is dated later than trusted time allows, by more than 5 minutes: later than the RFC 3161
   * timestamp of a checkpoint that covers it (when timestamps were checked), or than the verifier's
   * clock. A warning, for the same reason as {@link #TIME_REVERSED}.
   */
  TIME_IN_FUTURE(Severity.WARNING),
  /**
   * An {@code approval} or {@code revocation} names as its subject no authentic entry that comes
   * before it in the log: the subject is missing (deleted, or in another ledger), was rejected, or
   * comes later (a decision cannot precede what it decides about). An error: a signed decision about
   * evidence the ledger does not hold shows the ledger is incomplete, which hash links cannot show
   * when a whole chain was removed.
   */
  SUBJECT_NOT_FOUND(Severity.ERROR),

  // ---- 4. transparency (checkpoints of the log's RFC 9162 Merkle tree)

  /** The ledger's log identity files ({@code log/config.json}, {@code log/vkey}) are malformed. */
  LOG_IDENTITY_INVALID(Severity.ERROR),
  /**
   * The auditor trusts a log key (given to the verifier), but the ledger does not carry that log's
   * identity: {@code log/config.json} or {@code log/vkey} is missing, or {@code log/vkey} is not a
   * trusted log key. Deleting the identity with the checkpoints would otherwise make a truncated
   * ledger look like one made before checkpoints existed.
   */
  LOG_IDENTITY_MISSING(Severity.ERROR),
  /**
   * The auditor trusts a log key, but no checkpoint of the ledger's own ({@code checkpoint},
   * {@code checkpoints/N}) is signed by it, though the ledger holds entries: checkpoints were deleted
   * or never made, so removal of the last entries cannot be excluded. (Without a trusted log key the
   * same absence is {@link #NO_CHECKPOINT}, a warning.)
   */
  NO_TRUSTED_CHECKPOINT(Severity.ERROR),
  /**
   * No trusted log key was given, so checkpoints were checked with the ledger's own {@code log/vkey}:
   * that proves the ledger is consistent with its own checkpoints, not who signed them.
   */
  LOG_KEY_UNTRUSTED(Severity.WARNING),
  /** A checkpoint file is not a well-formed signed note with a C2SP checkpoint, or is misnamed. */
  CHECKPOINT_MALFORMED(Severity.ERROR),
  /**
   * A checkpoint's log signature by the trusted key, or a cosignature on it by a trusted witness,
   * does not verify: it was altered or forged.
   */
  CHECKPOINT_SIGNATURE_INVALID(Severity.ERROR),
  /** A checkpoint is not signed by any trusted log key (or is for another origin), or there is no key to check it. */
  CHECKPOINT_UNTRUSTED(Severity.ERROR),
  /** A checkpoint stored in the ledger names a root other than that of the ledger's first {@code size} entries. */
  CHECKPOINT_ROOT_MISMATCH(Severity.ERROR),
  /**
   * The ledger does not extend the auditor's checkpoint (root mismatch at its size), or two
   * checkpoints are signed for the same size with different roots: rewritten history, a fork or a
   * split view.
   */
  CHECKPOINT_INCONSISTENT(Severity.ERROR),
  /** A checkpoint commits to more entries than the ledger holds: entries were removed (truncation). */
  LEDGER_SHORTER_THAN_CHECKPOINT(Severity.ERROR),
  /**
   * The auditor's checkpoint carries valid cosignatures by fewer trusted witnesses than required
   * (the message names who cosigned and who did not).
   */
  CHECKPOINT_WITNESSES_MISSING(Severity.ERROR),
  /** The auditor's checkpoint carries the required witness cosignatures (the message names them and their times). */
  CHECKPOINT_WITNESSED(Severity.INFO),
  /** A checkpoint's RFC 3161 timestamp verified against a trusted TSA root; the message gives the time. */
  TIMESTAMP_VERIFIED(Severity.INFO),
  /**
   * A checkpoint's RFC 3161 timestamp does not verify: malformed, for other data, not from a trusted
   * TSA, or its signature or certificate is bad (the message names the reason).
   */
  TIMESTAMP_INVALID(Severity.ERROR),
  /** Trusted TSA roots were given but the checkpoint that dates the ledger carries no timestamp. */
  TIMESTAMP_MISSING(Severity.WARNING),
  /** Entries after the newest checkpoint are not yet committed to by a signed tree head. */
  NOT_CHECKPOINTED(Severity.WARNING),
  /**
   * The ledger holds entries but no checkpoint, and the verifier was given no trusted log key: the
   * report says that truncation and reordering across chains cannot be excluded. Always a warning:
   * until issue 7 it was information for ledgers without a log key (made before checkpoints
   * existed), which let a ledger whose log identity and checkpoints were deleted pass with nothing
   * but information. With a trusted log key the same absence is {@link #NO_TRUSTED_CHECKPOINT}, an error.
   */
  NO_CHECKPOINT(Severity.WARNING),

  // ---- 4. transparency of an evidence bundle (custody verify --bundle): its entries are proven by
  //      inclusion proofs in its newest checkpoint, not by replaying the whole log

  /**
   * An entry's inclusion proof does not prove its exact record bytes at its log index in the tree of
   * the bundle's newest verified checkpoint: the record, the proof or the index was altered, or the
   * entry comes from another log or another bundle. The entry is still replayed (signature, chain
   * links, lineage), but nothing proves it is in the log.
   */
  BUNDLE_INCLUSION_INVALID(Severity.ERROR),
  /**
   * A checkpoint of the bundle older than its newest has no consistency proof to the newest, or the
   * proof does not verify: the two do not show one history (or the proof was altered).
   */
  BUNDLE_CONSISTENCY_INVALID(Severity.ERROR),
  /**
   * No checkpoint of the bundle verifies with a trusted log key (nor, without one, with the log key
   * the bundle names): none of its entries is proven to be in the log. The message says why.
   */
  BUNDLE_UNANCHORED(Severity.ERROR),
  /**
   * What an evidence bundle proves: its N entries are in the log whose newest checkpoint it carries,
   * at their log indices; the log's other entries were not seen. Information.
   */
  BUNDLE_PARTIAL(Severity.INFO),

  // ---- 5. lineage (the graph of steps linked by artifact digests, across chains and ledgers)

  /**
   * A model or dataset (by default) that a step uses was produced by no earlier step of the
   * evidence and is not an external root the policy declares: its origin is unproven. Severity by
   * policy (a warning with {@code --trust} only).
   */
  LINEAGE_INPUT_UNPROVEN(Severity.ERROR),
  /** A release releases a digest that no step of the evidence produced. Severity by policy. */
  RELEASE_UNPRODUCED(Severity.ERROR),
  /** An evaluation evaluates a model that no step of the evidence produced. Severity by policy. */
  EVALUATION_UNPRODUCED(Severity.ERROR),
  /** Steps of two different chains (or ledgers) each claim to have produced the same digest. Severity by policy. */
  DIGEST_CLAIMED_TWICE(Severity.ERROR),
  /** The lineage graph is circular (possible only across ledgers): at least one claim is false. */
  LINEAGE_CYCLE(Severity.ERROR),
  /** Across ledgers, a producer claims a later time than a step that uses its product. Severity by policy. */
  LINEAGE_TIME_REVERSED(Severity.WARNING),

  // ---- 5. lineage, derivation evidence (custody verify --weights, signed comparisons): do the
  //      weights bear out the claimed model links? See dev.custody.verify.lineage.DerivationCheck.

  /**
   * A claimed derivation (a fine-tune's base → result; a conversion's or merge's model input →
   * output) is contradicted by the weights: compared now from weights at hand, or by a signed
   * comparison in the evidence, they are unrelated (same-named tensors covering most of the smaller
   * model do not resemble each other, or — for a fine-tune — nothing is identical and nothing is
   * comparable). The message names the evidence it rests on. Similarity is evidence, not proof.
   */
  DERIVATION_UNSUPPORTED(Severity.ERROR),
  /**
   * Among the weights given (or in a signed comparison), a model a step of the evidence produced is a
   * near-copy of another model that its lineage does not include — neither as an ancestor, nor as a
   * descendant, nor through a common ancestor model: the lineage hides where the weights came from.
   */
  DERIVATION_UNDECLARED(Severity.ERROR),
  /** A claimed derivation was checked, but the figures neither support nor contradict it. */
  DERIVATION_INCONCLUSIVE(Severity.WARNING),
  /** A claimed derivation was checked and the weights resemble each other (the figures are in the message). */
  DERIVATION_SUPPORTED(Severity.INFO),
  /**
   * Weights given to the verifier hash to no artifact digest of the evidence, so no claim about
   * them can be checked (a wrong directory, or a model recorded with another serialization); they
   * still take part in the search for undeclared copies.
   */
  WEIGHTS_UNMATCHED(Severity.WARNING),
  /**
   * A signed comparison's figures differ from those of comparing the same two models' weights, at
   * hand, now. Its inputs name those bytes by digest and the figures of {@code custody/compare/v1}
   * are deterministic, so its signer misstated it, used a faulty tool, or let the files change while
   * comparing.
   */
  COMPARISON_MISMATCH(Severity.ERROR),

  // ---- 7. artifacts (custody verify --model): the model on disk against a released manifest

  /** No authentic entry to check the model against: no release of the chain, or no such entry. */
  ARTIFACT_ENTRY_NOT_FOUND(Severity.ERROR),
  /** The entry names no model artifact, or several and none is named {@code model}. */
  ARTIFACT_NOT_IDENTIFIED(Severity.ERROR),
  /** The entry's model manifest is not in the ledger's manifest store; only the root digest is compared. */
  ARTIFACT_MANIFEST_MISSING(Severity.WARNING),
  /** The stored manifest does not match the digests signed in the entry (altered, damaged, or malformed). */
  ARTIFACT_MANIFEST_INVALID(Severity.ERROR),
  /** The model could not be hashed (a refused symbolic link, a special file, no files). */
  ARTIFACT_UNREADABLE(Severity.ERROR),
  /** A file of the released manifest is not in the model. */
  ARTIFACT_FILE_MISSING(Severity.ERROR),
  /** A file in the model is not in the released manifest. */
  ARTIFACT_FILE_EXTRA(Severity.ERROR),
  /** A file's content (or, for shards, one of its shards) differs from the released manifest. */
  ARTIFACT_FILE_CHANGED(Severity.ERROR),
  /** The model's root digest is not the one signed in the entry. */
  ARTIFACT_ROOT_MISMATCH(Severity.ERROR),
  /** The model matches the released manifest file by file, and its root digest the signed one. */
  ARTIFACT_VERIFIED(Severity.INFO),
  /**
   * The release the model was checked against is named by a later authentic {@code revocation}
   * entry. An error, not a warning: a revoked release is one its publisher withdrew (a defect, a
   * leaked or poisoned model, a legal reason), and a regulator asking "may this model be used?"
   * must not get a passing verdict for it, even when the bytes match. The message names the
   * revocation entry and its reason.
   */
  ARTIFACT_REVOKED(Severity.ERROR),

  // ---- 7. artifacts, base-model signatures (record --input-signature): the publisher's OpenSSF
  //      model signature kept with an input, re-checked (dev.custody.verify.OmsInputCheck)

  /**
   * An input recorded with its publisher's OMS signature no longer checks: the stored signature or
   * key/roots file is altered, the signature does not verify, or it signs another model.
   */
  INPUT_SIGNATURE_INVALID(Severity.ERROR),
  /** The OMS signature (or the key or roots it was checked with) an input names is not in the ledger. */
  INPUT_SIGNATURE_MISSING(Severity.ERROR),
  /** An input's OMS signature verified again; the message names the model and the signer. */
  INPUT_SIGNATURE_VERIFIED(Severity.INFO),
  /**
   * A step uses an external root the policy declares with {@code requireSignature: true}, but the
   * input was not recorded with its publisher's OMS signature ({@code record --input-signature}).
   */
  INPUT_SIGNATURE_REQUIRED(Severity.ERROR),

  // ---- policy (custody verify --policy): who may sign what, when, and the policy's rules

  /**
   * A certificate chains to an organisation's roots but its leaf matches no certificate identity of
   * the policy (the message gives each identity's unmet constraint).
   */
  IDENTITY_UNKNOWN(Severity.ERROR),
  /** The signer's identity holds no role that allows this kind of entry on this chain. */
  ROLE_VIOLATION(Severity.ERROR),
  /**
   * The signer's identity or key was revoked at R and the entry is not proven to predate R (its
   * proven time, from a timestamp or witness of a covering checkpoint, else now, is not before R).
   */
  IDENTITY_REVOKED(Severity.ERROR),
  /** The entry's claimed (or proven) time is before the identity's or its certificate path's notBefore. */
  IDENTITY_NOT_YET_VALID(Severity.ERROR),
  /**
   * The identity's notAfter, or the notAfter of its certificate path, is at or before the entry's
   * claimed time, or the entry is not proven to predate it.
   */
  IDENTITY_EXPIRED(Severity.ERROR),
  /**
   * The signer's certificate chain is malformed, is not for the entry's key, does not chain to its
   * organisation's roots (PKIX, with the validator's reason), or its leaf fails a constraint.
   */
  CERTIFICATE_INVALID(Severity.ERROR),
  /** The first entry after a custody transfer is not the receiver's approval of the transfer. */
  TRANSFER_NOT_ACCEPTED(Severity.ERROR),
  /** A custody transfer whose {@code from} is not the chain's owning organisation, or names an unknown one. */
  TRANSFER_INVALID(Severity.ERROR),
  /** An identity of an organisation other than the chain's owner appended to it (after a transfer, or ever). */
  CHAIN_NOT_OWNER(Severity.ERROR),
  /** A rule of the policy is violated; the message names the rule id. */
  RULE_VIOLATION(Severity.ERROR),

  // ---- scope

  /** The chain the verification was restricted to has no authentic entry in the ledger. */
  CHAIN_NOT_FOUND(Severity.ERROR);

  private final Severity severity;

  FindingCode(Severity severity) {
    this.severity = severity;
  }

  /** The severity findings with this code carry. */
  public Severity severity() {
    return severity;
  }
}
