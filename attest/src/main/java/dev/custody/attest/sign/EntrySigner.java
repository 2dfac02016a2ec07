package dev.custody.attest.sign;

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
   * Signs {@code payload} with {@code signer}.
   *
   * @throws IllegalArgumentException if the payload names another key than the signer's
   */
  public static byte[] sign(EntryPayload payload, Signer signer) throws AttestException {
    if (!payload.keyId().equals(signer.keyId())) {
      throw new IllegalArgumentException("payload names key " + payload.keyId() + " but the signer holds " + signer.keyId());
    }
    KeyAlgorithm alg = signer.publicKey().algorithm();
    String header = JwsEnvelope.entryHeader(alg.jwsAlgorithm().getName(), signer.keyId());
    String protectedB64 = Base64Url.encode(header.getBytes(StandardCharsets.UTF_8));
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
}
