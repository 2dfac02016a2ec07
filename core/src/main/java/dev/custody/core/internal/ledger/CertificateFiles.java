package dev.custody.core.internal.ledger;

import dev.custody.core.FormatException;
import dev.custody.core.jws.Pem;
import dev.custody.core.internal.text.Untrusted;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The signers' certificate chains of a file ledger (layout and read side; attest's
 * {@code CertificateStore} writes them).
 *
 * <h2>Layout</h2>
 * <pre>
 * DIR/certificates/&lt;keyId&gt;.pem   the X.509 chain binding signing key keyId (64 lowercase hex, the SHA-256 of
 *                                its SubjectPublicKeyInfo) to an identity: PEM CERTIFICATE blocks, the leaf
 *                                (whose public key is that key) first, then each issuer up to, optionally, the root
 * </pre>
 *
 * <p>An entry's JWS header names only its key id; a verifier under a trust policy whose identities
 * are certified by organisation roots looks here for the chain of a key the policy does not list.
 * The file is <b>untrusted</b>: whoever holds the ledger can write anything there, so the verifier
 * checks that the leaf carries the entry's key and validates the path to a root it trusts
 * (verify's {@code CertificateValidator}). One chain per key, for the key's whole life: entries
 * already signed under a key are judged by the chain recorded for it, so a renewed certificate
 * comes with a new key (see {@code CertificateStore}).
 *
 * <p>{@link #parse} is the one parser of such a chain, for the writer and the verifier alike.
 * Thread-safe (stateless).
 */
public final class CertificateFiles {
  /** Directory of the chains inside a ledger directory. */
  public static final String DIR = "certificates";
  /** Largest chain file: a few certificates of a few KiB each. */
  public static final int MAX_CHAIN_BYTES = 64 * 1024;
  /** Most certificates in a chain: leaf and intermediates of any real PKI fit. */
  public static final int MAX_CERTIFICATES = 10;
  private static final String SUFFIX = ".pem";
  private static final String PEM_LABEL = "CERTIFICATE";
  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{64}");

  private CertificateFiles() {}

  /** Whether {@code keyId} is a key id (64 lowercase hex): only such text ever becomes a file name here. */
  public static boolean isKeyId(String keyId) {
    return KEY_ID.matcher(keyId).matches();
  }

  /**
   * The file holding the chain of key {@code keyId}.
   *
   * @throws IllegalArgumentException if {@code keyId} is not 64 lowercase hex digits
   */
  public static Path path(Path ledgerDir, String keyId) {
    if (!isKeyId(keyId)) {
      throw new IllegalArgumentException("not a key id (64 lowercase hex digits): " + Untrusted.quote(keyId, 80));
    }
    return ledgerDir.resolve(DIR).resolve(keyId + SUFFIX);
  }

  /**
   * The key id a file name of {@code certificates/} gives ({@code <keyId>.pem}, the inverse of
   * {@link #path}); empty for any other name.
   */
  public static Optional<String> keyIdOfName(String fileName) {
    if (!fileName.endsWith(SUFFIX)) {
      return Optional.empty();
    }
    String keyId = fileName.substring(0, fileName.length() - SUFFIX.length());
    return isKeyId(keyId) ? Optional.of(keyId) : Optional.empty();
  }

  /** {@code certificates/<keyId>.pem}, relative to the ledger, for messages. */
  public static String relativeName(String keyId) {
    return DIR + "/" + keyId + SUFFIX;
  }

  /**
   * The chain recorded for {@code keyId}, unchecked, or empty if there is none (or {@code keyId} is
   * not a key id: no path is ever built from other text). Read through {@link LedgerFiles}: a symbolic
   * link or special file at the chain or at {@code certificates/} is refused, not followed.
   *
   * @throws FormatException naming the file if it is larger than {@value #MAX_CHAIN_BYTES} bytes
   * @throws UnsafeFileException if it (or {@code certificates/}) is a link or special file
   */
  public static Optional<byte[]> read(Path ledgerDir, String keyId) throws IOException, FormatException {
    if (!isKeyId(keyId)) {
      return Optional.empty();
    }
    return LedgerFiles.of(ledgerDir).readIfPresent(path(ledgerDir, keyId), MAX_CHAIN_BYTES);
  }

  /**
   * Parses a chain strictly: 1 to {@value #MAX_CERTIFICATES} PEM {@code CERTIFICATE} blocks
   * separated by whitespace only, each exactly one DER X.509 certificate (no bytes after it). Says
   * nothing about whether the chain is valid, ordered or trusted.
   *
   * @param source names the chain in errors, e.g. its file
   * @throws FormatException naming the certificate (1-based) that is wrong
   */
  public static List<X509Certificate> parse(byte[] pem, String source) throws FormatException {
    if (pem.length > MAX_CHAIN_BYTES) {
      throw new FormatException(source + ": over " + MAX_CHAIN_BYTES + " bytes, too large for a certificate chain");
    }
    String text = new String(pem, StandardCharsets.US_ASCII);
    List<byte[]> ders = Pem.decodeAll(text, PEM_LABEL, MAX_CERTIFICATES, "certificate", source);
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (byte[] der : ders) {
        X509Certificate c = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der));
        if (c.getEncoded().length != der.length) {
          throw new FormatException(source + ": certificate " + (out.size() + 1) + " has bytes after its DER encoding");
        }
        out.add(c);
      }
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new FormatException(source + ": certificate " + (out.size() + 1) + " is not an X.509 certificate: "
          + Untrusted.escape(String.valueOf(e.getMessage())), e);
    }
    return out;
  }

  /** The chain as custody writes it: each certificate's PEM block (64-character lines), in order. */
  public static byte[] encode(List<X509Certificate> chain) {
    StringBuilder sb = new StringBuilder();
    for (X509Certificate c : chain) {
      try {
        sb.append(Pem.encode(c.getEncoded(), PEM_LABEL));
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException("a parsed certificate has no encoding", e);
      }
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
