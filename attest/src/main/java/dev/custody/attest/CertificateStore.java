package dev.custody.attest;

import dev.custody.attest.internal.store.ArtifactStore;
import dev.custody.attest.internal.store.DirectoryArtifacts;
import dev.custody.core.FormatException;
import dev.custody.core.jws.VerificationKey;
import dev.custody.core.internal.ledger.CertificateFiles;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * The certificate chains of a ledger (write side; the file layout and the read side are
 * {@link CertificateFiles}): a signer whose key is bound to an identity by an X.509 certificate
 * records its chain once — at {@code certificates/<keyId>.pem} in a ledger directory, in a row keyed by
 * the key id in a database ({@link Ledger#certificates()}) — so that a verifier whose trust policy
 * trusts the organisation's CA can tell who signed the key's entries.
 *
 * <p>{@link #put} checks the chain before anything is written: it parses as 1 to
 * {@value CertificateFiles#MAX_CERTIFICATES} PEM certificates ({@link CertificateFiles#parse}); the
 * leaf's SubjectPublicKeyInfo SHA-256 is the signing key's id; each certificate is issued (name and
 * signature) by the next, so the order is leaf first, then each issuer; the leaf is an end-entity
 * certificate that may sign; and every certificate is valid now (a chain that expired, or is not yet
 * valid, would make every entry signed now fail verification). Nothing here decides whether the
 * chain is trusted: that is the verifier's policy.
 *
 * <p><b>One chain per key, written once.</b> The chain is stored in custody's PEM spelling
 * ({@link CertificateFiles#encode}) and never replaced: recording the same certificates again is a
 * no-op, and a different chain for a key that has one is refused. A verifier judges every entry of a
 * key by the one chain stored for it — replacing it with a renewed certificate (whose notBefore is
 * later) would turn the key's earlier entries into {@code IDENTITY_NOT_YET_VALID} errors, i.e.
 * change what already-recorded evidence proves. A renewed certificate therefore comes with a new key
 * ({@code custody keys generate}); the old key's entries keep the chain they were signed under.
 *
 * <p>Durability: the chain is written under a temporary name, fsynced and hard-linked into place
 * ({@link DurableFiles#createWhole}) before {@link #put} returns, so callers append the entries it
 * vouches for only after it is durable; a crash leaves either nothing or the whole chain. Nothing
 * inside the ledger is followed through a symbolic link ({@link LedgerFiles}). Thread-safe and safe
 * across processes: of two writers racing with different chains for one key, one wins and the other
 * is refused.
 */
public final class CertificateStore {
  private final ArtifactStore artifacts;
  private final Clock clock;

  private CertificateStore(ArtifactStore artifacts, Clock clock) {
    this.artifacts = artifacts;
    this.clock = clock;
  }

  /** The chains kept in {@code artifacts} (a ledger directory's files or a database's rows), judged at {@code clock}. */
  static CertificateStore over(ArtifactStore artifacts, Clock clock) {
    return new CertificateStore(Objects.requireNonNull(artifacts, "artifacts"), Objects.requireNonNull(clock, "clock"));
  }

  /**
   * The store of the ledger at {@code ledgerDir}, judging validity by the system clock.
   *
   * @throws FormatException if {@code ledgerDir} is not a custody ledger
   */
  public static CertificateStore of(Path ledgerDir) throws FormatException {
    return of(ledgerDir, Clock.systemUTC());
  }

  /**
   * The store of the ledger at {@code ledgerDir}, judging the certificates' validity at {@code clock}'s
   * instant (the time entries signed after {@link #put} will claim).
   *
   * @throws FormatException if {@code ledgerDir} is not a custody ledger
   */
  public static CertificateStore of(Path ledgerDir, Clock clock) throws FormatException {
    Objects.requireNonNull(ledgerDir, "ledgerDir");
    return over(DirectoryArtifacts.of(ledgerDir), clock);
  }

  /** What {@link #put} did. */
  public enum Outcome {
    /** The chain was written. */
    STORED,
    /** The same certificates were already recorded for the key; nothing was written. */
    ALREADY_STORED
  }

  /**
   * A chain that passed {@link #check} for one key, ready to {@link #put}. Only {@link #check} makes
   * one, so {@link #put} never stores an unchecked chain. Immutable.
   */
  public static final class Checked {
    private final String keyId;
    private final List<X509Certificate> certificates;
    private final String source;

    private Checked(String keyId, List<X509Certificate> certificates, String source) {
      this.keyId = keyId;
      this.certificates = List.copyOf(certificates);
      this.source = source;
    }

    /** The signing key the chain certifies. */
    public String keyId() {
      return keyId;
    }

    /** Where the chain was read from, for messages. */
    public String source() {
      return source;
    }

    @Override
    public String toString() {
      return "certificate chain " + source + " for key " + keyId;
    }
  }

  /**
   * Checks {@code pem} as the chain of signing key {@code keyId} (see the class comment) and that no
   * other chain is stored for that key, writing nothing: what a caller runs before work whose result
   * it will sign (e.g. {@code custody run}), so that a bad chain stops it early.
   *
   * @param keyId the signing key's id (64 lowercase hex)
   * @param pem the chain: PEM certificates, leaf first, then each issuer (a trailing root is allowed)
   * @param source names the chain in errors, e.g. the file it was read from
   * @throws FormatException naming {@code source} and what is wrong with the chain
   * @throws FileAlreadyExistsException if a different chain (or a file that is no chain for this key)
   *     is stored for {@code keyId}
   * @throws IOException if the stored chain cannot be read, or something in the ledger where it goes
   *     is a link or special file
   */
  public Checked check(String keyId, byte[] pem, String source) throws IOException, FormatException {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(pem, "pem");
    Objects.requireNonNull(source, "source");
    if (!CertificateFiles.isKeyId(keyId)) {
      throw new IllegalArgumentException("not a key id (64 lowercase hex digits): " + Untrusted.quote(keyId, 80));
    }
    List<X509Certificate> chain = CertificateFiles.parse(pem, source);
    check(keyId, chain, source);
    Checked checked = new Checked(keyId, chain, source);
    // A directory refuses a link (of the file or of certificates/) or a special file.
    Optional<byte[]> stored = artifacts.certificateChain(keyId);
    if (stored.isPresent()) {
      compareStored(checked, stored.get());
    }
    return checked;
  }

  /**
   * {@link #check}, then stores the chain durably unless the same certificates are stored for that
   * key already.
   *
   * @throws FormatException naming {@code source} and what is wrong with the chain; nothing was written
   * @throws FileAlreadyExistsException if a different chain (or a file that is no chain for this key)
   *     is stored for {@code keyId}; it is left as it is
   * @throws IOException if the chain cannot be stored (the message names the file), or something in
   *     the ledger where it goes is a link or special file
   */
  public Outcome put(String keyId, byte[] pem, String source) throws IOException, FormatException {
    return put(check(keyId, pem, source));
  }

  /**
   * Stores a {@link #check}ed chain durably, unless the same certificates are stored for its key
   * already (by now: another writer may have stored one since the check).
   *
   * @throws FileAlreadyExistsException if a different chain is stored for the key; it is left as it is
   * @throws IOException if the chain cannot be stored (the message names the file)
   */
  public Outcome put(Checked checked) throws IOException, FormatException {
    Objects.requireNonNull(checked, "checked");
    Optional<byte[]> stored = artifacts.certificateChain(checked.keyId());
    if (stored.isEmpty() && artifacts.createCertificateChain(checked.keyId(), CertificateFiles.encode(checked.certificates))) {
      return Outcome.STORED;
    }
    if (stored.isEmpty()) { // another writer stored one in between
      stored = artifacts.certificateChain(checked.keyId());
    }
    return compareStored(checked, stored.orElseThrow(() -> new java.nio.file.NoSuchFileException(
        artifacts.certificateChainName(checked.keyId()), null, "removed while custody stored it")));
  }

  /** The checks of the class comment, after parsing; the first failure is thrown. */
  private void check(String keyId, List<X509Certificate> chain, String source) throws FormatException {
    X509Certificate leaf = chain.get(0);
    String leafKey;
    try {
      leafKey = VerificationKey.fromSpki(leaf.getPublicKey().getEncoded(), source + " certificate 1").keyId();
    } catch (FormatException e) {
      throw new FormatException(source + ": the leaf certificate " + subject(leaf) + " holds a key custody cannot sign"
          + " with (only Ed25519 and P-256 keys sign entries): " + e.getMessage(), e);
    }
    if (!leafKey.equals(keyId)) {
      String hint = "";
      for (int i = 1; i < chain.size(); i++) {
        if (keyIdOf(chain.get(i)).filter(keyId::equals).isPresent()) {
          hint = "; certificate " + (i + 1) + " of the file is the signing key's: put it first (leaf first, then each"
              + " issuer)";
        }
      }
      throw new FormatException(source + ": the leaf certificate " + subject(leaf) + " is for key " + leafKey
          + ", not for the signing key " + keyId + hint + (hint.isEmpty() ? "; give the certificate chain issued for"
          + " the signing key (its first certificate must hold that key's public key)" : ""));
    }
    if (leaf.getBasicConstraints() >= 0) {
      throw new FormatException(source + ": the leaf certificate " + subject(leaf) + " is a CA certificate"
          + " (basicConstraints CA:true); a signer's certificate must be an end-entity one");
    }
    boolean[] usage = leaf.getKeyUsage();
    if (usage != null && !usage[0]) {
      throw new FormatException(source + ": the leaf certificate " + subject(leaf) + " has a key usage without"
          + " digitalSignature, so it may not sign entries");
    }
    for (int i = 0; i + 1 < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      X509Certificate issuer = chain.get(i + 1);
      if (!c.getIssuerX500Principal().equals(issuer.getSubjectX500Principal()) || !signedBy(c, issuer)) {
        throw new FormatException(source + ": certificate " + (i + 2) + " (" + subject(issuer) + ") did not issue"
            + " certificate " + (i + 1) + " (" + subject(c) + ", issued by "
            + Untrusted.quote(c.getIssuerX500Principal().getName(X500Principal.RFC2253)) + "); the chain must be the"
            + " leaf, then its issuer, then that one's issuer, and so on");
      }
    }
    Instant now = clock.instant();
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      if (now.isAfter(c.getNotAfter().toInstant())) {
        throw new FormatException(source + ": certificate " + (i + 1) + " (" + subject(c) + ") expired at "
            + c.getNotAfter().toInstant() + "; entries signed now would fail verification (IDENTITY_EXPIRED). Have"
            + " a certificate issued for a new key (custody keys generate) and record with that");
      }
      if (now.isBefore(c.getNotBefore().toInstant())) {
        throw new FormatException(source + ": certificate " + (i + 1) + " (" + subject(c) + ") is not valid before "
            + c.getNotBefore().toInstant() + "; entries signed now would fail verification (IDENTITY_NOT_YET_VALID)."
            + " Record with it from then on, or check this machine's clock");
      }
    }
  }

  /** Whether the chain {@code stored} for the checked key is the checked chain; refuses anything else. */
  private Outcome compareStored(Checked checked, byte[] stored) throws IOException {
    String keyId = checked.keyId();
    List<X509Certificate> chain = checked.certificates;
    String target = artifacts.certificateChainName(keyId);
    String where = Untrusted.quote(target);
    List<X509Certificate> existing;
    try {
      existing = CertificateFiles.parse(stored, where);
    } catch (FormatException e) {
      throw new FileAlreadyExistsException(target.toString(), null, "it is not a certificate chain ("
          + e.getMessage() + "), so no entry's signer can be certified by it; custody never replaces a recorded"
          + " chain: if it is damaged, restore it from a backup or move it out of the ledger, then record again");
    }
    if (sameCertificates(existing, chain)) {
      return Outcome.ALREADY_STORED;
    }
    throw new FileAlreadyExistsException(target.toString(), null, "a different certificate chain (leaf "
        + subject(existing.get(0)) + ", valid " + existing.get(0).getNotBefore().toInstant() + " to "
        + existing.get(0).getNotAfter().toInstant() + ") is recorded for key " + keyId + ". A key keeps the chain"
        + " its entries were signed under: replacing it would make them fail verification. For a renewed"
        + " certificate, generate a new key (custody keys generate), have it certified, and sign with that");
  }

  private static boolean sameCertificates(List<X509Certificate> a, List<X509Certificate> b) {
    if (a.size() != b.size()) {
      return false;
    }
    try {
      for (int i = 0; i < a.size(); i++) {
        if (!Arrays.equals(a.get(i).getEncoded(), b.get(i).getEncoded())) {
          return false;
        }
      }
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("a parsed certificate has no encoding", e);
    }
    return true;
  }

  private static boolean signedBy(X509Certificate c, X509Certificate issuer) {
    try {
      c.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** The custody key id of {@code c}'s key; empty for a key custody does not sign with (e.g. an RSA CA's). */
  private static Optional<String> keyIdOf(X509Certificate c) {
    try {
      return Optional.of(VerificationKey.fromSpki(c.getPublicKey().getEncoded(), "certificate").keyId());
    } catch (FormatException e) {
      return Optional.empty();
    }
  }

  private static String subject(X509Certificate c) {
    return Untrusted.quote(c.getSubjectX500Principal().getName(X500Principal.RFC2253));
  }

  @Override
  public String toString() {
    return "CertificateStore[" + artifacts.describe() + "]";
  }
}
