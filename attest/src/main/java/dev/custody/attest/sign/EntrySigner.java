package dev.custody.attest.sign;

import dev.custody.attest.AttestException;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.jws.Base64Url;
import dev.custody.core.jws.JwsEnvelope;
import java.nio.charset.StandardCharsets;

/**
 * Turns a payload into the stored bytes of an entry: a flattened JWS whose protected header is
 * {@code {"alg":…,"kid":…,"typ":"custody-entry+jws"}} and whose payload is {@link EntryCodec#encode}.
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
    String header = "{\"alg\":\"" + signer.publicKey().algorithm().jwsAlgorithm().getName() + "\",\"kid\":\""
        + signer.keyId() + "\",\"typ\":\"" + JwsEnvelope.ENTRY_TYPE + "\"}";
    String protectedB64 = Base64Url.encode(header.getBytes(StandardCharsets.US_ASCII));
    String payloadB64 = Base64Url.encode(EntryCodec.encode(payload));
    byte[] sig = signer.sign((protectedB64 + "." + payloadB64).getBytes(StandardCharsets.US_ASCII));
    return JwsEnvelope.serialize(protectedB64, payloadB64, Base64Url.encode(sig));
  }
}
