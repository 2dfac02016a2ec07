package dev.custody.core.entry;

import dev.custody.core.FormatException;
import dev.custody.core.bytes.Bytes;
import dev.custody.core.digest.Digest;
import dev.custody.core.jws.JwsEnvelope;
import dev.custody.core.jws.SignatureException;
import dev.custody.core.jws.VerificationKey;
import java.util.Objects;

/**
 * One entry of the log exactly as stored: the bytes of its JWS (one line of a segment file, without
 * the newline), their SHA-256 — the entry hash, which chain links and Merkle leaves cover — and the
 * parsed envelope. The bytes are never re-serialized (DESIGN.md §3); a record must be in the one
 * canonical form a signer writes, so that no two byte strings carry the same signed entry.
 *
 * <p>Immutable and thread-safe. The payload is only decoded on request, so a verifier can check the
 * signature first (verify, then parse).
 */
public final class EntryRecord {
  /**
   * Largest stored record: 1 MiB. Entries carry digests and metadata, not data; model manifests are
   * kept beside the log. The bound keeps a hostile ledger from exhausting a verifier's memory.
   */
  public static final int MAX_RECORD_BYTES = 1 << 20;

  private final Bytes bytes;
  private final Digest hash;
  private final JwsEnvelope envelope;

  private EntryRecord(Bytes bytes, Digest hash, JwsEnvelope envelope) {
    this.bytes = bytes;
    this.hash = hash;
    this.envelope = envelope;
  }

  /**
   * Parses stored record bytes.
   *
   * @param where names the record in errors, e.g. "segments/00000000000000000000.jsonl line 18"
   */
  public static EntryRecord parse(byte[] record, String where) throws FormatException {
    Objects.requireNonNull(record, "record");
    JwsEnvelope env = JwsEnvelope.parse(record, MAX_RECORD_BYTES, where);
    // One spelling per entry: whitespace or member order would change the entry hash without
    // touching the signature, so a record must be exactly the form the signer wrote.
    byte[] canonical = JwsEnvelope.serialize(env.protectedB64(), env.payloadB64(),
        dev.custody.core.jws.Base64Url.encode(env.signature().toByteArray()));
    if (!java.util.Arrays.equals(canonical, record)) {
      throw new FormatException(where + ": record is not in canonical form (exactly {\"protected\":…,\"payload\":…,"
          + "\"signature\":…} in this order, without whitespace)");
    }
    return new EntryRecord(Bytes.copyOf(record), Digest.sha256(record), env);
  }

  /** The exact stored bytes. */
  public Bytes bytes() {
    return bytes;
  }

  /** SHA-256 over {@link #bytes()}: the entry hash. */
  public Digest hash() {
    return hash;
  }

  public JwsEnvelope envelope() {
    return envelope;
  }

  /** The key id the header names (unverified). */
  public String headerKeyId() {
    return envelope.keyId();
  }

  /** Verifies the signature with {@code key}; see {@link JwsEnvelope#verify}. */
  public void verifySignature(VerificationKey key) throws SignatureException {
    envelope.verify(key);
  }

  /**
   * Decodes the payload. Callers judging evidence verify the signature first.
   *
   * @param where names the record in errors
   */
  public EntryPayload payload(String where) throws FormatException {
    return EntryCodec.decode(envelope.payload().toByteArray(), where + " payload");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EntryRecord r && r.bytes.equals(bytes);
  }

  @Override
  public int hashCode() {
    return bytes.hashCode();
  }

  @Override
  public String toString() {
    return "entry " + hash;
  }
}
