package dev.custody.core.entry;

import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.Digest;
import dev.custody.core.jws.CanonicalSignature;
import dev.custody.core.jws.JwsEnvelope;
import dev.custody.core.jws.SignatureException;
import dev.custody.core.jws.VerificationKey;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

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
   * Parses stored record bytes: a strict custody JWS in its one canonical spelling.
   *
   * @param where names the record in errors, e.g. "segments/00000000000000000000.jsonl line 18"
   * @throws NotCanonicalException if the record is valid but spelled otherwise than the signer
   *     writes it: the JWS object ({@link NotCanonicalException.Rule#ENVELOPE}) or the protected
   *     header ({@link NotCanonicalException.Rule#HEADER})
   * @throws FormatException if it is not a strict custody JWS at all
   */
  public static EntryRecord parse(byte[] record, String where) throws FormatException {
    Objects.requireNonNull(record, "record");
    // One spelling per entry: whitespace or member order would change the entry hash without
    // touching the signature, so a record must be exactly the form the signer wrote (the stored form).
    Optional<JwsEnvelope> stored = JwsEnvelope.parseStored(record, MAX_RECORD_BYTES, where);
    if (stored.isEmpty()) {
      JwsEnvelope.parse(record, MAX_RECORD_BYTES, where); // throws if it is no custody JWS at all
      throw new NotCanonicalException(NotCanonicalException.Rule.ENVELOPE, where + ": record is not in canonical"
          + " form (exactly {\"protected\":…,\"payload\":…,\"signature\":…} in this order, without whitespace)");
    }
    JwsEnvelope env = stored.get();
    // The header is signed, but a signer other than custody's (or the holder of the key) could spell
    // it in many ways; only the one the signer writes is accepted. Checked before any cryptography.
    if (!env.canonicalProtectedB64().equals(env.protectedB64())) {
      throw new NotCanonicalException(NotCanonicalException.Rule.HEADER, where + ": protected header is not in"
          + " canonical form (exactly {\"alg\":…,\"kid\":…,\"typ\":…} in this order, without whitespace or"
          + " needless escapes)");
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

  /**
   * Verifies the signature with {@code key}: first that it is the one encoding custody accepts for
   * the key's algorithm (low-S ES256, Ed25519 {@code S < L}; see {@link CanonicalSignature}), then
   * the cryptography ({@link JwsEnvelope#verify}).
   *
   * @throws NotCanonicalException ({@link NotCanonicalException.Rule#SIGNATURE}) if the signature is
   *     in another encoding; checked before any cryptography
   * @throws SignatureException if it does not verify with {@code key}
   */
  public void verifySignature(VerificationKey key) throws SignatureException, NotCanonicalException {
    Optional<String> problem = CanonicalSignature.problem(key.algorithm(), envelope.signature().toByteArray());
    if (problem.isPresent()) {
      throw new NotCanonicalException(NotCanonicalException.Rule.SIGNATURE, problem.get());
    }
    envelope.verify(key);
  }

  /**
   * Decodes the payload, which must be in its one canonical spelling. Callers judging evidence
   * verify the signature first: a signed payload can only be spelled otherwise by its signer, so a
   * non-canonical one is the signer's defect (or the key holder's attempt at a second entry hash
   * for the same content), reported after the signature verified (verify, then parse).
   *
   * @param where names the record in errors
   * @throws NotCanonicalException ({@link NotCanonicalException.Rule#PAYLOAD}) if the payload decodes but
   *     is spelled otherwise than {@link EntryCodec#encode} writes it
   * @throws FormatException if it is not a valid payload
   */
  public EntryPayload payload(String where) throws FormatException {
    return payload(envelope.payload().toByteArray(), where);
  }

  /**
   * The members a listing shows ({@link EntrySummary}): read from the head of the payload when it is
   * in its canonical spelling, without decoding the rest of the event; otherwise from the whole payload
   * as {@link #payload(String)} decodes it, with its errors.
   *
   * @throws FormatException if the payload's head is not canonical and the payload is not valid
   */
  public EntrySummary summary(String where) throws FormatException {
    byte[] p = envelope.payload().toByteArray();
    Optional<EntrySummary> head = PayloadHead.read(p);
    return head.isPresent() ? head.get() : EntrySummary.of(payload(p, where));
  }

  /**
   * {@link #payload(String)} of payload bytes: the fast path ({@link CanonicalPayloadDecoder}), which
   * accepts exactly the canonical bytes of the kinds it covers in one streaming pass; everything else,
   * valid or not, is decided by {@link #strictPayload}, the reference, with the same values and errors.
   */
  static EntryPayload payload(byte[] received, String where) throws FormatException {
    Optional<EntryPayload> fast = CanonicalPayloadDecoder.decode(received);
    return fast.isPresent() ? fast.get() : strictPayload(received, where);
  }

  /** The reference decoder of {@link #payload(String)}: strict decode, re-encode, byte comparison. */
  static EntryPayload strictPayload(byte[] received, String where) throws FormatException {
    EntryPayload p = EntryCodec.decode(received, where + " payload");
    // Re-encoding is the canonicality check here, not a comparison of meaning: the encoder has one
    // spelling for every payload it can decode (member order, no whitespace, one form of each number
    // and string escape), so the received bytes are canonical exactly when they equal it. What the
    // payload means was settled by the strict decode above.
    byte[] canonical;
    try {
      canonical = EntryCodec.encode(p);
    } catch (RuntimeException e) {
      throw new NotCanonicalException(NotCanonicalException.Rule.PAYLOAD, where + " payload cannot be re-encoded"
          + " canonically: " + e.getMessage());
    }
    int at = Arrays.mismatch(received, canonical);
    if (at >= 0) {
      throw new NotCanonicalException(NotCanonicalException.Rule.PAYLOAD, where + " payload is not in canonical"
          + " form: it differs from custody's encoding of the same payload at byte " + at + " (custody writes"
          + " members in the documented order, without whitespace or a byte-order mark, and one spelling of"
          + " each number and string)");
    }
    return p;
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
