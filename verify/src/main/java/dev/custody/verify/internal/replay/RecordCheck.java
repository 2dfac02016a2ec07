package dev.custody.verify.internal.replay;

import dev.custody.verify.*;

import com.nimbusds.jose.JOSEObjectType;
import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.entry.NotCanonicalException;
import dev.custody.core.jws.JwsEnvelope;
import dev.custody.core.jws.SignatureException;
import dev.custody.core.jws.VerificationKey;
import dev.custody.core.internal.ledger.RawRecord;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.policy.Resolution;
import dev.custody.verify.policy.Signer;
import dev.custody.verify.policy.SignerResolver;
import dev.custody.verify.policy.TrustPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Checks 1 (format) and 2 (authenticity) of DESIGN.md §6 on one record, independent of every other
 * record, so records can be checked in parallel. Stateless and thread-safe.
 *
 * <p>Order, each step only if the previous passed: the record is a strict custody JWS in its one
 * canonical spelling (JWS object and protected header, else {@link FindingCode#RECORD_NOT_CANONICAL});
 * its header {@code typ} is the entry type; its {@code kid} names a trusted key; its {@code alg} is
 * that key's algorithm; the signature is in its canonical form (low-S ES256, Ed25519 {@code S < L})
 * and verifies; only then is the payload parsed (verify, then parse: STYLE.md habit 6) and required
 * to be spelled exactly as custody's encoder writes it; the payload's {@code keyId} is the signing
 * key; and the trust policy's roles allow the signer this kind of event on this chain
 * ({@link FindingCode#ROLE_VIOLATION} otherwise — the entry is still authentic and takes part in
 * the chain and lineage checks, since its signature is valid; only its signer's authority is not).
 *
 * <p>"A trusted key" is what the {@link TrustPolicy} resolves the header's {@code kid} to: a key it
 * binds to an identity, or a key certified by an organisation root through a chain recorded in the
 * ledger ({@link SignerResolver}); a rejection carries its own code ({@link FindingCode#KEY_UNTRUSTED},
 * {@link FindingCode#CERTIFICATE_INVALID}, {@link FindingCode#IDENTITY_UNKNOWN}).
 *
 * <p>Text from the record that goes into a message (a {@code kid} that names no trusted key, a
 * {@code typ}, an {@code alg}) is quoted with {@link Untrusted#quote}; a trusted key's id is
 * custody's own hex.
 */
public final class RecordCheck {
  private final TrustPolicy policy;
  private final SignerResolver resolver;
  private final java.util.function.Function<RawRecord, String> where;
  private final Optional<String> ledger;

  /**
   * @param resolver resolves key ids under {@code policy}, reading certificate chains from the ledger
   * @param where how a record is named in findings (its segment and line, with the ledger's label when
   *     several ledgers are verified together)
   * @param ledger the ledger's label, for {@link RecordRef#ledger()} (one instance shared by every reference)
   */
  public RecordCheck(TrustPolicy policy, SignerResolver resolver, java.util.function.Function<RawRecord, String> where,
      Optional<String> ledger) {
    this.policy = policy;
    this.resolver = resolver;
    this.where = where;
    this.ledger = java.util.Objects.requireNonNull(ledger, "ledger");
  }

  /** Checks a complete ('\n'-terminated) record line. Never throws for bad input. */
  public CheckedRecord check(RawRecord raw) {
    String where = this.where.apply(raw);
    List<Finding> findings = new ArrayList<>(1);
    if (raw.oversize()) {
      RecordRef ref = new RecordRef(raw.logIndex(), where, Optional.empty(), OptionalLong.empty(), Optional.empty(),
          ledger);
      findings.add(Finding.of(FindingCode.RECORD_OVERSIZE, ref, "record is longer than the limit of "
          + EntryRecord.MAX_RECORD_BYTES + " bytes and was skipped; the ledger was written by something other than"
          + " custody or was altered"));
      return CheckedRecord.rejected(ref, findings);
    }
    byte[] bytes = Objects.requireNonNull(raw.bytes(), "a record that is not oversize has its bytes");
    EntryRecord record;
    try {
      record = EntryRecord.parse(bytes, where);
    } catch (NotCanonicalException e) {
      RecordRef ref = new RecordRef(raw.logIndex(), where, Optional.empty(), OptionalLong.empty(),
          Optional.of(Digest.sha256(bytes)), ledger);
      findings.add(notCanonical(ref, e, "the record was re-encoded after signing: its content may be intact, but"
          + " its entry hash is not the one it was signed under"));
      return CheckedRecord.rejected(ref, findings);
    } catch (FormatException | RuntimeException e) {
      RecordRef ref = new RecordRef(raw.logIndex(), where, Optional.empty(), OptionalLong.empty(),
          Optional.of(Digest.sha256(bytes)), ledger);
      findings.add(Finding.of(FindingCode.RECORD_MALFORMED, ref, "record is not a valid custody entry JWS: "
          + messageOf(e) + "; the record was altered or damaged"));
      return CheckedRecord.rejected(ref, findings);
    }
    Digest hash = record.hash();
    RecordRef ref = new RecordRef(raw.logIndex(), where, Optional.empty(), OptionalLong.empty(), Optional.of(hash),
        ledger);

    // Format and key selection checks come before any cryptography (STYLE.md habit 8).
    JOSEObjectType typ = record.envelope().header().getType();
    if (typ == null || !JwsEnvelope.ENTRY_TYPE.equals(typ.getType())) {
      findings.add(Finding.of(FindingCode.HEADER_TYPE_INVALID, ref, "JWS header typ is "
          + (typ == null ? "missing" : Untrusted.quote(typ.getType())) + ", expected '" + JwsEnvelope.ENTRY_TYPE
          + "': this JWS is not a custody entry"));
      return CheckedRecord.rejected(ref, findings);
    }
    String kid = record.headerKeyId();
    Resolution resolution = kid == null ? new Resolution.Rejected(Resolution.Reason.UNKNOWN_KEY, "the header names"
        + " no key (kid)") : resolver.resolve(kid);
    if (resolution instanceof Resolution.Rejected rejected) {
      findings.add(Finding.of(rejected.code(), ref, rejected.message() + "; otherwise treat this entry as forged"));
      return CheckedRecord.rejected(ref, findings);
    }
    Signer signer = ((Resolution.Trusted) resolution).signer();
    VerificationKey key = signer.key();
    // From here kid is the id of a trusted key, custody's own hex text.
    // The algorithm is bound to the trusted key, never taken from the message (STYLE.md habit 7).
    if (!key.algorithm().jwsAlgorithm().equals(record.envelope().header().getAlgorithm())) {
      findings.add(Finding.of(FindingCode.ALG_MISMATCH, ref, "header alg "
          + Untrusted.quote(record.envelope().header().getAlgorithm().getName()) + " is not the algorithm of"
          + " trusted key " + kid + " (" + key.algorithm().jwsAlgorithm() + "); the entry was not made by that"
          + " key's signer"));
      return CheckedRecord.rejected(ref, findings);
    }
    try {
      record.verifySignature(key);
    } catch (NotCanonicalException e) {
      findings.add(notCanonical(ref, e, "the signature was re-encoded after signing, or made by a signer that does"
          + " not write custody's form"));
      return CheckedRecord.rejected(ref, findings);
    } catch (SignatureException | RuntimeException e) {
      // Core's plain "does not verify" adds nothing; other causes (a malformed signature) are worth showing.
      String detail = e instanceof SignatureException && messageOf(e).startsWith("signature does not verify")
          ? "" : " (" + messageOf(e) + ")";
      findings.add(Finding.of(FindingCode.SIGNATURE_INVALID, ref, "signature does not verify with trusted "
          + key.algorithm().cliName() + " key " + kid + detail + "; the record was altered after signing, or"
          + " forged"));
      return CheckedRecord.rejected(ref, findings);
    }
    // It is now safe to parse the payload: its bytes are what a trusted key signed.
    EntryPayload payload;
    try {
      payload = record.payload(where);
    } catch (NotCanonicalException e) {
      findings.add(notCanonical(ref, e, "the signer " + kid + " signed a payload that custody's encoder would not"
          + " write, so the same content could be signed under more than one entry hash"));
      return CheckedRecord.rejected(ref, findings);
    } catch (FormatException | RuntimeException e) {
      findings.add(Finding.of(FindingCode.PAYLOAD_MALFORMED, ref, "signed payload is not a valid "
          + "custody/entry/v1 payload: " + messageOf(e) + "; the signer " + kid + " produced a bad entry"));
      return CheckedRecord.rejected(ref, findings);
    }
    RecordRef named = new RecordRef(raw.logIndex(), where, Optional.of(payload.chain()),
        OptionalLong.of(payload.sequence()), Optional.of(hash), ledger);
    if (!payload.keyId().equals(kid)) {
      // The signer is authentic (a trusted key signed it), so the entry still takes part in the chain
      // checks; only its claim about who signed is wrong. A payload keyId is 64 hex digits (EntryPayload).
      findings.add(Finding.of(FindingCode.KEY_ID_MISMATCH, named, "payload keyId " + payload.keyId()
          + " is not the key that signed the entry (header kid " + kid + "); the signer " + kid
          + " issued an entry claiming another signer"));
    }
    policy.authorize(signer, payload.event().type(), payload.chain()).ifPresent(v -> findings.add(v.toFinding(named)));
    return new CheckedRecord(named, Optional.of(payload), Optional.of(signer), findings);
  }

  /** The one finding for every canonical-form rule; the message says which part broke which rule. */
  private static Finding notCanonical(RecordRef ref, NotCanonicalException e, String consequence) {
    String part = switch (e.rule()) {
      case ENVELOPE -> "JWS object";
      case HEADER -> "protected header";
      case SIGNATURE -> "signature";
      case PAYLOAD -> "signed payload";
    };
    return Finding.of(FindingCode.RECORD_NOT_CANONICAL, ref, "the " + part + " is not in the one canonical form"
        + " custody writes: " + messageOf(e) + "; " + consequence + ". Each entry has exactly one byte form, so"
        + " that its hash cannot be changed without the signing key");
  }

  /**
   * The message of an exception from a core parser. Core messages quote the record's text they
   * repeat; what else they carry is custody's own wording.
   */
  private static String messageOf(Exception e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
