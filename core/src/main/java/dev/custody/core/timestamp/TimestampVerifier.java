package dev.custody.core.timestamp;

import dev.custody.core.Bytes;
import dev.custody.core.Digest;
import dev.custody.core.note.SignedNote;
import dev.custody.core.timestamp.TimestampException.Reason;
import java.security.InvalidAlgorithmParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.tsp.TimeStampTokenInfo;

/**
 * Verifies RFC 3161 timestamp tokens against a fixed set of trusted TSA roots. Immutable and
 * thread-safe.
 *
 * <p>{@link #verify} checks, in this order, and throws a {@link TimestampException} naming the
 * first failure:
 *
 * <ol>
 *   <li>the imprint hash is SHA-256 (allow-list; {@link Reason#UNSUPPORTED_HASH});
 *   <li>the token carries the signer's certificate, and it has the extended key usage
 *       id-kp-timeStamping, critical and alone (RFC 3161 §2.3; {@link Reason#NOT_A_TSA_CERTIFICATE});
 *   <li>that certificate was valid at the token's genTime ({@link Reason#CERTIFICATE_NOT_VALID});
 *   <li>it chains to a trusted root through certificates in the token, every certificate valid at
 *       genTime (JDK PKIX; {@link Reason#UNTRUSTED_CHAIN});
 *   <li>the CMS signature and the ESS signing-certificate binding verify (Bouncy Castle
 *       {@code TimeStampToken.validate}; {@link Reason#BAD_SIGNATURE});
 *   <li>the imprint equals SHA-256 of the data ({@link Reason#IMPRINT_MISMATCH}).
 * </ol>
 *
 * <p>Certificates are judged at the token's own genTime, not today: a timestamp stays verifiable
 * after the TSA certificate expires, which is the point of archiving it. Revocation (CRL/OCSP) is
 * not checked: verification is offline. A TSA whose key was compromised must be removed from the
 * trusted roots.
 */
public final class TimestampVerifier {
  private final Set<TrustAnchor> anchors;
  private final List<X509Certificate> roots;
  private final BouncyCastleProvider provider = new BouncyCastleProvider();

  private TimestampVerifier(List<X509Certificate> roots) {
    this.roots = List.copyOf(roots);
    Set<TrustAnchor> a = new HashSet<>();
    for (X509Certificate r : this.roots) {
      a.add(new TrustAnchor(r, null));
    }
    this.anchors = Set.copyOf(a);
  }

  /**
   * A verifier trusting TSAs certified by {@code roots}.
   *
   * @throws IllegalArgumentException if {@code roots} is empty
   */
  public static TimestampVerifier forRoots(Collection<X509Certificate> roots) {
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("at least one trusted TSA root certificate is required");
    }
    return new TimestampVerifier(new ArrayList<>(roots));
  }

  /** {@code forRoots(trustedRoots).verify(token, data)}. */
  public static VerifiedTimestamp verify(TimestampToken token, byte[] data, Collection<X509Certificate> trustedRoots)
      throws TimestampException {
    return forRoots(trustedRoots).verify(token, data);
  }

  /**
   * The bytes a checkpoint's timestamp covers: the note <b>text</b> (the checkpoint body, final
   * newline included, as the log signed it), not the whole note. Cosignatures added to the note
   * later do not invalidate the timestamp, and the token states what matters: this tree head
   * existed at that time. The same bytes a cosignature covers (tlog-cosignature).
   */
  public static byte[] checkpointData(SignedNote checkpoint) {
    return checkpoint.unverifiedTextBytes().toByteArray();
  }

  /** {@link #verify} of {@link #checkpointData}{@code (checkpoint)}. */
  public VerifiedTimestamp verifyCheckpoint(TimestampToken token, SignedNote checkpoint) throws TimestampException {
    return verify(token, checkpointData(checkpoint));
  }

  /**
   * Verifies that {@code token} timestamps {@code data} and was issued by a TSA trusted here.
   *
   * @return the verified time and TSA
   * @throws TimestampException naming the failed check (see the class comment)
   */
  public VerifiedTimestamp verify(TimestampToken token, byte[] data) throws TimestampException {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(data, "data");
    TimeStampToken t = token.token();
    TimeStampTokenInfo info = t.getTimeStampInfo();
    if (!NISTObjectIdentifiers.id_sha256.equals(info.getMessageImprintAlgOID())) {
      throw new TimestampException(Reason.UNSUPPORTED_HASH, "the timestamp's message imprint uses "
          + info.getMessageImprintAlgOID() + ", custody accepts only SHA-256 (" + NISTObjectIdentifiers.id_sha256 + ")");
    }
    Date genTime = info.getGenTime();
    List<X509Certificate> certs = certificates(t);
    X509Certificate signer = signerCertificate(t, certs);
    checkTimestampingUsage(signer);
    try {
      signer.checkValidity(genTime);
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw new TimestampException(Reason.CERTIFICATE_NOT_VALID, "the TSA certificate '"
          + signer.getSubjectX500Principal().getName() + "' was not valid at the timestamp's time " + genTime.toInstant()
          + " (valid " + signer.getNotBefore().toInstant() + " to " + signer.getNotAfter().toInstant() + ")", e);
    }
    checkChain(signer, certs, genTime);
    try {
      t.validate(new JcaSimpleSignerInfoVerifierBuilder().setProvider(provider).build(signer));
    } catch (TSPException | OperatorCreationException | IllegalArgumentException e) {
      throw new TimestampException(Reason.BAD_SIGNATURE, "the timestamp token's signature does not verify with the"
          + " TSA certificate '" + signer.getSubjectX500Principal().getName() + "': " + e.getMessage()
          + "; the token was altered or is not from this TSA", e);
    }
    byte[] expected = sha256(data);
    // Constant time, as for every digest comparison (STYLE.md 10).
    if (!MessageDigest.isEqual(expected, info.getMessageImprintDigest())) {
      throw new TimestampException(Reason.IMPRINT_MISMATCH, "the timestamp is for other data: its imprint is sha256:"
          + Bytes.copyOf(info.getMessageImprintDigest()).hex() + ", the data hashes to sha256:"
          + Bytes.copyOf(expected).hex() + " (a checkpoint's timestamp covers the note text, not the whole file)");
    }
    return new VerifiedTimestamp(genTime.toInstant(), signer, info.getSerialNumber(), info.getPolicy().getId());
  }

  /** The trusted roots. */
  public List<X509Certificate> roots() {
    return roots;
  }

  private List<X509Certificate> certificates(TimeStampToken t) throws TimestampException {
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(provider);
    List<X509Certificate> out = new ArrayList<>();
    for (X509CertificateHolder h : t.getCertificates().getMatches(null)) {
      try {
        out.add(converter.getCertificate(h));
      } catch (CertificateException e) {
        throw new TimestampException(Reason.MALFORMED, "the timestamp token carries an unreadable certificate '"
            + h.getSubject() + "': " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static X509Certificate signerCertificate(TimeStampToken t, List<X509Certificate> certs)
      throws TimestampException {
    for (X509Certificate c : certs) {
      try {
        if (t.getSID().match(new X509CertificateHolder(c.getEncoded()))) {
          return c;
        }
      } catch (java.io.IOException | java.security.cert.CertificateEncodingException e) {
        throw new TimestampException(Reason.MALFORMED, "unreadable certificate in the timestamp token", e);
      }
    }
    throw new TimestampException(Reason.NOT_A_TSA_CERTIFICATE, "the timestamp token does not carry its TSA's"
        + " certificate (" + certs.size() + " certificates, none matches the signer " + t.getSID().getIssuer()
        + " serial " + t.getSID().getSerialNumber() + "); request timestamps with certReq set");
  }

  /** RFC 3161 §2.3: "only one instance of the extended key usage field extension ... This extension MUST be critical." */
  private static void checkTimestampingUsage(X509Certificate signer) throws TimestampException {
    String subject = signer.getSubjectX500Principal().getName();
    List<String> eku;
    try {
      eku = signer.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw new TimestampException(Reason.NOT_A_TSA_CERTIFICATE, "the TSA certificate '" + subject
          + "' has an unreadable extended key usage extension", e);
    }
    String timeStamping = "1.3.6.1.5.5.7.3.8";
    if (eku == null || !eku.equals(List.of(timeStamping))) {
      throw new TimestampException(Reason.NOT_A_TSA_CERTIFICATE, "the certificate '" + subject + "' that signed the"
          + " timestamp is not a timestamping certificate: its extended key usage is " + (eku == null ? "absent" : eku)
          + ", RFC 3161 §2.3 requires exactly id-kp-timeStamping (" + timeStamping + ")");
    }
    Set<String> critical = signer.getCriticalExtensionOIDs();
    if (critical == null || !critical.contains("2.5.29.37")) {
      throw new TimestampException(Reason.NOT_A_TSA_CERTIFICATE, "the TSA certificate '" + subject
          + "' has a non-critical extended key usage; RFC 3161 §2.3 requires it to be critical");
    }
  }

  private void checkChain(X509Certificate signer, List<X509Certificate> certs, Date at) throws TimestampException {
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(signer);
      PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
      params.setRevocationEnabled(false); // offline; see the class comment
      params.setDate(at);
      params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(certs)));
      CertPathBuilder.getInstance("PKIX").build(params);
    } catch (CertPathBuilderException e) {
      throw new TimestampException(Reason.UNTRUSTED_CHAIN, "the TSA certificate '"
          + signer.getSubjectX500Principal().getName() + "' (issuer '" + signer.getIssuerX500Principal().getName()
          + "') does not chain to a trusted TSA root at " + at.toInstant() + ": " + e.getMessage()
          + "; add the TSA's root certificate to the trusted roots if you trust it", e);
    } catch (InvalidAlgorithmParameterException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK's PKIX CertPathBuilder is required", e);
    }
  }

  private static byte[] sha256(byte[] data) {
    return Digest.newSha256().digest(data);
  }
}
