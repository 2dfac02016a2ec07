package dev.custody.core.jws;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.util.Base64URL;
import dev.custody.core.FormatException;
import dev.custody.core.internal.keys.PublicKeyInfo;
import dev.custody.core.Bytes;
import dev.custody.core.Digest;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A public key that may verify custody signatures: its algorithm (from the closed allow-list),
 * its SubjectPublicKeyInfo DER encoding, and its key id. Immutable and thread-safe.
 *
 * <p><b>Key id</b>: the lowercase hex SHA-256 of the SubjectPublicKeyInfo DER encoding (the same
 * rule sigstore and OpenSSF model signing use for key ids), so it is stable across PEM/JWK
 * re-encodings of the same key and cannot name two different keys.
 */
public final class VerificationKey {

  /** Stateless once constructed; shared by every ES256 key. */
  private static final java.security.Provider ECDSA_PROVIDER =
      new org.bouncycastle.jce.provider.BouncyCastleProvider();

  private final KeyAlgorithm algorithm;
  private final Bytes spki;
  private final String keyId;
  private final JWSVerifier verifier;

  private VerificationKey(KeyAlgorithm algorithm, byte[] spki, JWSVerifier verifier) {
    this.algorithm = algorithm;
    this.spki = Bytes.copyOf(spki);
    this.keyId = Digest.sha256(spki).value().hex();
    this.verifier = verifier;
  }

  /**
   * Reads a PEM {@code PUBLIC KEY} (SubjectPublicKeyInfo) block.
   *
   * @param source names the input in errors, e.g. the file path
   */
  public static VerificationKey fromPem(String pem, String source) throws FormatException {
    return fromSpki(Pem.decode(pem, "PUBLIC KEY", "public key", source), source);
  }

  /** Reads a DER SubjectPublicKeyInfo; only Ed25519 and EC P-256 keys are accepted. */
  public static VerificationKey fromSpki(byte[] der, String source) throws FormatException {
    SubjectPublicKeyInfo info = PublicKeyInfo.strict(der, source);
    ASN1ObjectIdentifier oid = info.getAlgorithm().getAlgorithm();
    if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
      byte[] raw = PublicKeyInfo.ed25519(info, source);
      return new VerificationKey(KeyAlgorithm.ED25519, der, Ed25519JwsVerifier.forPublicKey(raw, source));
    }
    if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      if (!SECObjectIdentifiers.secp256r1.toASN1Primitive().equals(info.getAlgorithm().getParameters())) {
        throw new FormatException(source + ": EC public key is not on P-256 (only ES256 is allowed)");
      }
      try {
        ECPublicKey key = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        ECDSAVerifier ecdsa = new ECDSAVerifier(key);
        // Bouncy Castle's ECDSA, not the JDK's: JDK 17's SunEC rejects valid signatures whose k*G has an
        // x-coordinate >= n (Wycheproof ecdsa_secp256r1_sha256_p1363 tcId 115 and 257). The provider is
        // handed to this verifier only, never registered globally.
        ecdsa.getJCAContext().setProvider(ECDSA_PROVIDER);
        return new VerificationKey(KeyAlgorithm.ES256, der, ecdsa);
      } catch (GeneralSecurityException | JOSEException | ClassCastException e) {
        throw new FormatException(source + ": invalid P-256 public key: " + e.getMessage(), e);
      }
    }
    throw new FormatException(source + ": unsupported public key algorithm " + oid
        + " (custody accepts Ed25519 and ECDSA P-256)");
  }

  /** Builds a key from a raw 32-byte Ed25519 public key (RFC 8032 encoding). */
  public static VerificationKey ed25519(byte[] raw) throws FormatException {
    if (raw.length != Ed25519.PUBLIC_KEY_SIZE) {
      throw new FormatException("Ed25519 public key must be 32 bytes, got " + raw.length);
    }
    byte[] prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    byte[] der = new byte[prefix.length + raw.length];
    System.arraycopy(prefix, 0, der, 0, prefix.length);
    System.arraycopy(raw, 0, der, prefix.length, raw.length);
    return fromSpki(der, "Ed25519 public key");
  }

  public KeyAlgorithm algorithm() {
    return algorithm;
  }

  /** The SubjectPublicKeyInfo DER encoding. */
  public Bytes spki() {
    return spki;
  }

  public String keyId() {
    return keyId;
  }

  /** PEM text of the public key, ending in a newline. */
  public String toPem() {
    return Pem.encode(spki.toByteArray(), "PUBLIC KEY");
  }

  /** Signature length of both allowed algorithms: Ed25519 (RFC 8032) and ES256 R||S (RFC 7518 §3.4). */
  private static final int SIGNATURE_LENGTH = 64;

  /**
   * Verifies a raw signature over a raw message (no JWS around it) with this key's algorithm, through
   * the same verifier that checks JWS entries: Bouncy Castle RFC 8032 for Ed25519; for ES256 Nimbus's
   * {@link ECDSAVerifier} itself, which rejects all-zero and out-of-range R or S, transcodes R||S to
   * DER and runs {@code SHA256withECDSA} (from Bouncy Castle, see {@link #fromSpki}). Used for known-answer vectors and for formats
   * that sign raw bytes.
   *
   * @param signature Ed25519 signature or ES256 R||S (IEEE P1363), 64 bytes
   * @throws SignatureException if the length is wrong (checked first) or the signature does not verify
   */
  public void verifyRaw(byte[] message, byte[] signature) throws SignatureException {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(signature, "signature");
    if (signature.length != SIGNATURE_LENGTH) {
      throw new SignatureException(algorithm.cliName() + " signature must be " + SIGNATURE_LENGTH
          + " bytes, got " + signature.length + " (key " + keyId + ")");
    }
    boolean ok;
    if (verifier instanceof Ed25519JwsVerifier ed) {
      ok = ed.verifyRaw(message, signature);
    } else {
      try {
        // Nimbus's ECDSAVerifier only uses the header for its alg; the "signing input" is any byte string.
        ok = verifier.verify(new JWSHeader(algorithm.jwsAlgorithm()), message, Base64URL.encode(signature));
      } catch (JOSEException e) {
        throw new SignatureException("signature check failed with key " + keyId + ": " + e.getMessage(), e);
      }
    }
    if (!ok) {
      throw new SignatureException("signature does not verify with key " + keyId);
    }
  }

  /** The Nimbus verifier bound to this key and its one algorithm. */
  JWSVerifier jwsVerifier() {
    return verifier;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerificationKey k && k.spki.equals(spki);
  }

  @Override
  public int hashCode() {
    return Objects.hash(spki);
  }

  @Override
  public String toString() {
    return algorithm.cliName() + " key " + keyId;
  }

}
