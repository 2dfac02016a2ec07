package dev.custody.attest;

import dev.custody.attest.AttestException;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.jws.Base64Url;
import dev.custody.core.jws.CanonicalSignature;
import dev.custody.core.jws.JwsEnvelope;
import dev.custody.core.jws.KeyAlgorithm;
import java.nio.charset.StandardCharsets;

/**
 * Turns a payload into the stored bytes of an entry, in the one spelling verifiers accept: a
 * flattened JWS whose protected header is {@link JwsEnvelope#entryHeader}, whose payload is
 * {@link EntryCodec#encode}, and whose signature is canonical ({@link CanonicalSignature}: low-S
 * for ES256, whatever the {@link Signer} returned).
 */
public final class EntrySigner {
  private EntrySigner() {}

  /**
   * Signs {@code payload} with {@code signer}: the record's bytes.
   *
   * @throws IllegalArgumentException if the payload names another key than the signer's
   */
  public static byte[] sign(EntryPayload payload, Signer signer) throws AttestException {
    return record(payload, signer);
  }

  /**
   * Signs {@code payload} with {@code signer}: the record with its hash and position, which a store
   * appends without parsing it again ({@link SignedEntry}).
   *
   * @throws IllegalArgumentException if the payload names another key than the signer's
   * @throws AttestException if the signer fails or returns a malformed signature
   */
  public static SignedEntry signEntry(EntryPayload payload, Signer signer) throws AttestException {
    return new SignedEntry(record(payload, signer), payload.chain(), payload.sequence(), payload.prev());
  }

  private static byte[] record(EntryPayload payload, Signer signer) throws AttestException {
    if (!payload.keyId().equals(signer.keyId())) {
      throw new IllegalArgumentException("payload names key " + payload.keyId() + " but the signer holds " + signer.keyId());
    }
    KeyAlgorithm alg = signer.publicKey().algorithm();
    String protectedB64 = protectedHeader(signer);
    String payloadB64 = Base64Url.encode(EntryCodec.encode(payload));
    byte[] sig = signer.sign((protectedB64 + "." + payloadB64).getBytes(StandardCharsets.US_ASCII));
    // ECDSA signers (the JDK's, an HSM's, a KMS's) return either of the two valid S values; verifiers
    // accept only the low one, so that an entry has one spelling (CanonicalSignature).
    byte[] canonical;
    try {
      canonical = CanonicalSignature.lowS(alg, sig);
    } catch (IllegalArgumentException e) {
      throw new AttestException("signer " + signer.keyId() + " returned a malformed " + alg.cliName() + " signature: "
          + e.getMessage(), e);
    }
    return JwsEnvelope.serialize(protectedB64, payloadB64, Base64Url.encode(canonical));
  }

  /**
   * The exact length in bytes of the record {@link #sign} makes of {@code payload} with
   * {@code signer}, computed without signing: the header, the payload and the signature length are
   * fixed by the payload and the key's algorithm. For checking a record's size against
   * {@link dev.custody.core.entry.EntryRecord#MAX_RECORD_BYTES} before anything is appended.
   */
  public static int recordLength(EntryPayload payload, Signer signer) {
    // serialize() adds a fixed frame around the three base64url parts, which it copies unescaped.
    return JwsEnvelope.serialize("", "", "").length + protectedHeader(signer).length()
        + Base64Url.encodedLength(EntryCodec.encode(payload).length)
        + Base64Url.encodedLength(signatureLength(signer.publicKey().algorithm()));
  }

  /** Bytes of a JWS signature: Ed25519 (RFC 8032 §5.1.6) and ES256 as R||S (RFC 7518 §3.4) both 64. */
  private static int signatureLength(KeyAlgorithm algorithm) {
    return switch (algorithm) {
      case ED25519, ES256 -> 64;
    };
  }

  /** The one spelling of the protected header (JwsEnvelope.entryHeader), base64url-encoded. */
  private static String protectedHeader(Signer signer) {
    String header = JwsEnvelope.entryHeader(signer.publicKey().algorithm().jwsAlgorithm().getName(), signer.keyId());
    return Base64Url.encode(header.getBytes(StandardCharsets.UTF_8));
  }
}
