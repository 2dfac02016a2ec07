package dev.custody.core.dsse;

import dev.custody.core.FormatException;
import dev.custody.core.internal.keys.PublicKeyInfo;
import dev.custody.core.Bytes;
import dev.custody.core.Digest;
import dev.custody.core.jws.Pem;
import dev.custody.core.jws.SignatureException;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.jspecify.annotations.Nullable;

/**
 * The public key of a signer outside custody — an OpenSSF model-signing publisher, a Sigstore
 * bundle's signer — with the algorithm it implies, from a closed allow-list: Ed25519, ECDSA P-256
 * with SHA-256 and ECDSA P-384 with SHA-384 (the curve fixes the hash, as in Sigstore's
 * {@code PKIX_ECDSA_P384_SHA_384}; the message never chooses it). Immutable and thread-safe.
 *
 * <p>This is deliberately not {@link dev.custody.core.jws.VerificationKey}: that class is the
 * allow-list of keys that may sign custody's own ledger (Ed25519 and ES256 only), and widening it
 * to P-384 would widen what a ledger accepts. Both read PEM through {@link Pem}.
 *
 * <p>ECDSA signatures are accepted in both encodings found in the wild: DER (Sigstore, cosign,
 * OMS, npm) and raw {@code r||s} (IEEE P1363, the DSSE spec vector). The two are told apart by
 * structure: a signature that is a strict DER {@code SEQUENCE} of two {@code INTEGER}s with nothing
 * after it is DER; otherwise it must be exactly twice the field size long. Either way r and s must
 * lie in [1, n-1] before any curve arithmetic.
 */
public final class EnvelopeKey {
  /** The allow-list. */
  public enum Algorithm {
    ED25519("Ed25519", 0),
    ECDSA_P256_SHA256("ECDSA P-256 SHA-256", 32),
    ECDSA_P384_SHA384("ECDSA P-384 SHA-384", 48);

    private final String label;
    private final int fieldBytes;

    Algorithm(String label, int fieldBytes) {
      this.label = label;
      this.fieldBytes = fieldBytes;
    }

    /** The human name, e.g. "ECDSA P-384 SHA-384". */
    public String label() {
      return label;
    }
  }

  /** Stateless; handed to each verification, never registered globally (see VerificationKey). */
  private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

  private final Algorithm algorithm;
  private final Bytes spki;
  // Exactly one of the two is set: ecKey for the ECDSA algorithms, edPoint for Ed25519.
  private final @Nullable PublicKey ecKey;
  private final Ed25519.@Nullable PublicPoint edPoint;

  private EnvelopeKey(Algorithm algorithm, byte[] spki, @Nullable PublicKey ecKey,
      Ed25519.@Nullable PublicPoint edPoint) {
    this.algorithm = algorithm;
    this.spki = Bytes.copyOf(spki);
    this.ecKey = ecKey;
    this.edPoint = edPoint;
  }

  /**
   * Reads the one PEM {@code PUBLIC KEY} block of {@code text}; text before or after the block (the
   * GnuTLS {@code certtool} dump) is ignored.
   *
   * @param source names the input in errors, e.g. the file path
   */
  public static EnvelopeKey fromPem(String text, String source) throws FormatException {
    return fromSpki(Pem.decodeAmidText(text, "PUBLIC KEY", "public key", source), source);
  }

  /** Reads a DER SubjectPublicKeyInfo from the allow-list. */
  public static EnvelopeKey fromSpki(byte[] der, String source) throws FormatException {
    SubjectPublicKeyInfo info = PublicKeyInfo.strict(der, source);
    ASN1ObjectIdentifier oid = info.getAlgorithm().getAlgorithm();
    if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
      byte[] raw = PublicKeyInfo.ed25519(info, source);
      Ed25519.PublicPoint p = Ed25519.validatePublicKeyPartialExport(raw, 0);
      if (p == null) {
        throw new FormatException(source + ": Ed25519 public key is not a valid curve point");
      }
      return new EnvelopeKey(Algorithm.ED25519, der, null, p);
    }
    if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      Object curve = info.getAlgorithm().getParameters();
      Algorithm a;
      if (SECObjectIdentifiers.secp256r1.toASN1Primitive().equals(curve)) {
        a = Algorithm.ECDSA_P256_SHA256;
      } else if (SECObjectIdentifiers.secp384r1.toASN1Primitive().equals(curve)) {
        a = Algorithm.ECDSA_P384_SHA384;
      } else {
        throw new FormatException(source + ": EC public key on curve " + curve
            + " is not accepted (P-256 and P-384 are)");
      }
      try {
        PublicKey key = KeyFactory.getInstance("EC", BC).generatePublic(new X509EncodedKeySpec(der));
        if (!(key instanceof ECPublicKey)) {
          throw new FormatException(source + ": not an EC public key");
        }
        return new EnvelopeKey(a, der, key, null);
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new FormatException(source + ": invalid " + a.label + " public key: " + e.getMessage(), e);
      }
    }
    throw new FormatException(source + ": unsupported public key algorithm " + oid
        + " (accepted: Ed25519, ECDSA P-256, ECDSA P-384)");
  }

  /** The key of a certificate (e.g. the leaf of a chain that has been validated). */
  public static EnvelopeKey fromCertificate(java.security.cert.X509Certificate certificate, String source)
      throws FormatException {
    return fromSpki(certificate.getPublicKey().getEncoded(), source);
  }

  public Algorithm algorithm() {
    return algorithm;
  }

  /** The SubjectPublicKeyInfo DER encoding. */
  public Bytes spki() {
    return spki;
  }

  /** Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER, custody's key id rule. */
  public String keyId() {
    return Digest.sha256(spki.toByteArray()).value().hex();
  }

  /**
   * Verifies {@code signature} over {@code message} with this key's one algorithm.
   *
   * @throws SignatureException if the signature is malformed (checked before any arithmetic) or
   *     does not verify
   */
  public void verify(byte[] message, byte[] signature) throws SignatureException {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(signature, "signature");
    if (algorithm == Algorithm.ED25519) {
      if (signature.length != Ed25519.SIGNATURE_SIZE) {
        throw new SignatureException("Ed25519 signature must be " + Ed25519.SIGNATURE_SIZE + " bytes, got "
            + signature.length + " (key " + keyId() + ")");
      }
      if (!Ed25519.verify(signature, 0, edPoint, message, 0, message.length)) {
        throw new SignatureException("signature does not verify with Ed25519 key " + keyId());
      }
      return;
    }
    PublicKey key = Objects.requireNonNull(ecKey, "an ECDSA key without its EC public key");
    byte[] der = toDer(key, signature);
    boolean ok;
    try {
      Signature s = Signature.getInstance(algorithm == Algorithm.ECDSA_P256_SHA256
          ? "SHA256withECDSA" : "SHA384withECDSA", BC);
      s.initVerify(key);
      s.update(message);
      ok = s.verify(der);
    } catch (GeneralSecurityException e) {
      throw new SignatureException("signature check failed with key " + keyId() + ": " + e.getMessage(), e);
    }
    if (!ok) {
      throw new SignatureException("signature does not verify with " + algorithm.label + " key " + keyId());
    }
  }

  /** The strict DER form of an ECDSA signature given as DER or raw r||s, with r and s range-checked. */
  private byte[] toDer(PublicKey key, byte[] signature) throws SignatureException {
    BigInteger n = ((ECPublicKey) key).getParams().getOrder();
    BigInteger r;
    BigInteger s;
    ASN1Sequence seq = strictDer(signature);
    if (seq != null) {
      r = ASN1Integer.getInstance(seq.getObjectAt(0)).getValue();
      s = ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
    } else if (signature.length == 2 * algorithm.fieldBytes) {
      r = new BigInteger(1, Arrays.copyOfRange(signature, 0, algorithm.fieldBytes));
      s = new BigInteger(1, Arrays.copyOfRange(signature, algorithm.fieldBytes, signature.length));
    } else {
      throw new SignatureException(algorithm.label + " signature is neither DER nor " + 2 * algorithm.fieldBytes
          + "-byte r||s (" + signature.length + " bytes, key " + keyId() + ")");
    }
    if (r.signum() <= 0 || r.compareTo(n) >= 0 || s.signum() <= 0 || s.compareTo(n) >= 0) {
      throw new SignatureException(algorithm.label + " signature has r or s outside [1, n-1] (key " + keyId() + ")");
    }
    try {
      return new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)}).getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new IllegalStateException("DER encoding in memory failed", e);
    }
  }

  /** The signature as a SEQUENCE of two INTEGERs if it is exactly that in DER, else null. */
  private static @Nullable ASN1Sequence strictDer(byte[] signature) {
    if (signature.length < 8 || signature[0] != 0x30) {
      return null;
    }
    try {
      ASN1Sequence seq = ASN1Sequence.getInstance(signature);
      if (seq.size() != 2 || !(seq.getObjectAt(0) instanceof ASN1Integer)
          || !(seq.getObjectAt(1) instanceof ASN1Integer)
          || !Arrays.equals(seq.getEncoded(ASN1Encoding.DER), signature)) {
        return null;
      }
      return seq;
    } catch (RuntimeException | IOException e) {
      return null;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EnvelopeKey k && k.spki.equals(spki);
  }

  @Override
  public int hashCode() {
    return spki.hashCode();
  }

  @Override
  public String toString() {
    return algorithm.label + " key " + keyId();
  }
}
