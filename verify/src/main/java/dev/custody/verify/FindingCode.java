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

  // ---- 4. transparency (checkpoints of the log's RFC 9162 Merkle tree)

  /** The ledger's log identity files ({@code log/config.json}, {@code log/vkey}) are malformed. */
  LOG_IDENTITY_INVALID(Severity.ERROR),
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
   * The ledger holds entries but no checkpoint: a warning when it has a log key, information for
   * ledgers made before checkpoints existed.
   */
  NO_CHECKPOINT(Severity.WARNING),

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
