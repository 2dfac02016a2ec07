package dev.custody.attest.interop;

import dev.custody.attest.AttestException;
import dev.custody.attest.Signer;
import dev.custody.core.Bytes;
import dev.custody.core.dsse.DsseEnvelope;
import dev.custody.core.dsse.DsseSignature;
import dev.custody.core.dsse.Pae;
import dev.custody.core.jws.KeyAlgorithm;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;

/**
 * Signs DSSE envelopes with a custody {@link Signer}: the signature covers {@link Pae} of the payload
 * type and payload. Ed25519 signatures are the raw 64 bytes; ES256 signatures are written in DER, the
 * encoding every Sigstore, cosign, OMS and npm verifier expects (the signer's JWS form, r||s, is
 * transcoded). The envelope's {@code keyid} is the signer's key id, which is also the bundle's public
 * key hint (sigstore_bundle.proto: for DSSE the hint MUST equal the keyid). Thread-safe.
 */
final class DsseSigner {
  private final Signer signer;

  DsseSigner(Signer signer) {
    this.signer = Objects.requireNonNull(signer, "signer");
  }

  /** The key id, used as DSSE {@code keyid} and bundle {@code publicKey.hint}. */
  String keyId() {
    return signer.keyId();
  }

  DsseEnvelope sign(String payloadType, byte[] payload) throws AttestException {
    byte[] sig = signer.sign(Pae.encode(payloadType, payload));
    if (signer.publicKey().algorithm() == KeyAlgorithm.ES256) {
      sig = der(sig);
    }
    return new DsseEnvelope(payloadType, Bytes.copyOf(payload),
        List.of(new DsseSignature(signer.keyId(), Bytes.copyOf(sig))));
  }

  /** R||S (32 bytes each) as a DER SEQUENCE of two INTEGERs. */
  private static byte[] der(byte[] rs) {
    int half = rs.length / 2;
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(rs, 0, half));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(rs, half, rs.length));
    try {
      return new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)}).getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new IllegalStateException("DER encoding in memory failed", e);
    }
  }
}
