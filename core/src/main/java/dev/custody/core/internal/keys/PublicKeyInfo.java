package dev.custody.core.internal.keys;

import dev.custody.core.FormatException;
import java.io.IOException;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** The one strict reader of a DER SubjectPublicKeyInfo, for every public-key type custody reads. */
public final class PublicKeyInfo {
  private PublicKeyInfo() {}

  /**
   * Parses a DER SubjectPublicKeyInfo strictly: present, well-formed, and in distinguished encoding
   * (re-encoding gives the same bytes), so one key has one byte form. Which algorithms are allowed is
   * the caller's business.
   *
   * @param source names the input in errors, e.g. the file path
   */
  public static SubjectPublicKeyInfo strict(byte[] der, String source) throws FormatException {
    try {
      if (der.length == 0) { // Bouncy Castle's getInstance throws NullPointerException on no bytes
        throw new FormatException(source + ": not a SubjectPublicKeyInfo structure (no bytes)");
      }
      SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(der);
      if (!Arrays.equals(info.getEncoded(ASN1Encoding.DER), der)) {
        throw new FormatException(source + ": public key is not in DER (distinguished) encoding");
      }
      return info;
    } catch (RuntimeException | IOException e) {
      // Bouncy Castle reports malformed ASN.1 with several unchecked exceptions (IllegalArgumentException,
      // IllegalStateException for a wrong type, ...), as SigningKey's PKCS#8 reader also expects.
      throw new FormatException(source + ": not a SubjectPublicKeyInfo structure", e);
    }
  }

  /** The 32 raw bytes of an Ed25519 SubjectPublicKeyInfo (no algorithm parameters allowed). */
  public static byte[] ed25519(SubjectPublicKeyInfo info, String source) throws FormatException {
    byte[] raw = info.getPublicKeyData().getOctets();
    if (raw.length != org.bouncycastle.math.ec.rfc8032.Ed25519.PUBLIC_KEY_SIZE
        || info.getAlgorithm().getParameters() != null) {
      throw new FormatException(source + ": malformed Ed25519 public key");
    }
    return raw;
  }
}
