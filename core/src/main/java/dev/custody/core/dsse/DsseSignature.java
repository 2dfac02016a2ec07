package dev.custody.core.dsse;

import dev.custody.core.Bytes;
import java.util.Objects;

/**
 * One signature of a DSSE envelope.
 *
 * @param keyId the envelope's unauthenticated key id hint (JSON member "keyid"); {@code ""} when absent, {@code null} or empty
 *     (envelope.md: absent means the same as empty). Never used to choose or trust a key.
 * @param sig the signature bytes (for ECDSA DER or raw r||s; see {@link EnvelopeKey})
 */
public record DsseSignature(String keyId, Bytes sig) {
  public DsseSignature {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(sig, "sig");
  }
}
