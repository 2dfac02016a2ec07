package dev.custody.core.internal.ledger;

import dev.custody.core.Digest;
import dev.custody.core.FormatException;
import dev.custody.core.dsse.EnvelopeKey;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.core.sigstore.OmsException;
import dev.custody.core.sigstore.OmsSignature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A base model's OpenSSF model signature kept in a ledger, and its re-check: files of a ledger
 * directory, or rows of a database's {@code custody_oms_signatures} keyed by the same file names (which
 * {@code custody verify} judges in the directory it copies them into).
 *
 * <h2>Layout and annotations</h2>
 * <pre>
 * DIR/oms-signatures/sha256-&lt;hex&gt;.json   the publisher's model.sig, byte for byte (hex = SHA-256 of it)
 * DIR/oms-signatures/sha256-&lt;hex&gt;.pem    what it was checked with: the publisher's public key, or the
 *                                        root certificate(s) (hex = SHA-256 of the file)
 * </pre>
 * The input artifact of the entry that recorded the model carries, signed with the entry, the
 * annotations {@value #SIGNATURE_ANNOTATION} (the signature file's digest), {@value #TRUST_ANNOTATION}
 * (the trust file's digest) and {@value #METHOD_ANNOTATION} ({@code key} or {@code certificate}). The
 * files are untrusted: {@link #check} accepts them only if their digests are the signed ones, the
 * signature verifies with the trust file, and the signed model's root digest is the artifact's.
 * Whether that publisher key or root is one to trust is the verifier's policy's question.
 */
public final class OmsSignatureFiles {
  /** Directory of the signatures inside a ledger directory. */
  public static final String DIR = "oms-signatures";
  /** Annotation: SHA-256 of the stored signature bytes. */
  public static final String SIGNATURE_ANNOTATION = "custody.oms-signature";
  /** Annotation: SHA-256 of the stored public key or root certificates. */
  public static final String TRUST_ANNOTATION = "custody.oms-trust";
  /** Annotation: {@code key} or {@code certificate}. */
  public static final String METHOD_ANNOTATION = "custody.oms-method";
  /** Largest trust file. */
  public static final int MAX_TRUST_BYTES = CertificateFiles.MAX_CHAIN_BYTES;
  private static final String SIGNATURE_SUFFIX = ".json";
  private static final String TRUST_SUFFIX = ".pem";

  private OmsSignatureFiles() {}

  /** The stored signature with SHA-256 {@code d}. */
  public static Path signaturePath(Path ledgerDir, Digest d) {
    return ledgerDir.resolve(DIR).resolve(signatureName(d));
  }

  /** The stored trust file with SHA-256 {@code d}. */
  public static Path trustPath(Path ledgerDir, Digest d) {
    return ledgerDir.resolve(DIR).resolve(trustName(d));
  }

  /**
   * The largest a file of {@code oms-signatures/} named {@code fileName} may be ({@code .json}: a signature,
   * {@code .pem}: a trust file), and the digest its name gives; empty for any other name.
   */
  public static Optional<StoredFile> storedFile(String fileName) {
    Optional<Digest> sig = LedgerLayout.digestOfName(fileName, SIGNATURE_SUFFIX);
    if (sig.isPresent()) {
      return Optional.of(new StoredFile(sig.get(), OmsSignature.MAX_BYTES));
    }
    return LedgerLayout.digestOfName(fileName, TRUST_SUFFIX).map(d -> new StoredFile(d, MAX_TRUST_BYTES));
  }

  /**
   * The file {@code bytes} are to be stored as under {@code name}: checks, before anything is written, that
   * {@code name} is one {@link #storedFile} accepts and that {@code bytes} fit its size and have the digest it
   * gives (a store writes only content-addressed files).
   *
   * @throws IllegalArgumentException naming what does not fit
   */
  public static StoredFile requireStorable(String name, byte[] bytes) {
    StoredFile file = storedFile(name).orElseThrow(() -> new IllegalArgumentException("not the name of an OpenSSF"
        + " signature file: " + Untrusted.quote(name, 80) + " (expected sha256-<64 lowercase hex>.json or .pem)"));
    if (bytes.length == 0 || bytes.length > file.maxBytes()) {
      throw new IllegalArgumentException(name + ": " + bytes.length + " bytes; an OpenSSF signature file has 1 to "
          + file.maxBytes());
    }
    if (!Digest.sha256(bytes).equals(file.digest())) {
      throw new IllegalArgumentException(name + ": the bytes do not have the digest the name gives");
    }
    return file;
  }

  /** The name of the stored signature with SHA-256 {@code d} in {@code oms-signatures/} (a file, or a row's key). */
  public static String signatureName(Digest d) {
    return "sha256-" + d.value().hex() + SIGNATURE_SUFFIX;
  }

  /** The name of the stored trust file with SHA-256 {@code d} in {@code oms-signatures/} (a file, or a row's key). */
  public static String trustName(Digest d) {
    return "sha256-" + d.value().hex() + TRUST_SUFFIX;
  }

  /** A file of {@code oms-signatures/} by its name: the SHA-256 its content must have, and its largest size. */
  public record StoredFile(Digest digest, int maxBytes) {
    public StoredFile {
      java.util.Objects.requireNonNull(digest, "digest");
    }
  }

  /** Whether {@code a} says it was recorded with an OMS signature. */
  public static boolean isSigned(ArtifactRef a) {
    return a.annotations().containsKey(SIGNATURE_ANNOTATION);
  }

  /** The trust an OMS signature is checked with: method {@code key} or {@code certificate}. */
  public static OmsSignature.Trust trust(String method, byte[] pem, String source) throws FormatException {
    switch (method) {
      case "key":
        return new OmsSignature.PublicKey(EnvelopeKey.fromPem(new String(pem, StandardCharsets.US_ASCII), source));
      case "certificate":
        return new OmsSignature.CertificateRoots(CertificateFiles.parse(pem, source));
      default:
        throw new FormatException(source + ": OMS trust method " + Untrusted.quote(method, 40)
            + " is neither key nor certificate");
    }
  }

  /**
   * Re-checks the OMS signature {@code a} names: the stored files' digests are the signed ones, the
   * signature verifies with the stored trust, its model root digest is {@code a}'s digest.
   *
   * @throws NoSuchFileException if a stored file is missing
   * @throws FormatException if an annotation or a file is malformed, or a digest differs
   * @throws OmsException if the signature does not verify or names another model
   */
  public static OmsSignature.Verified check(Path ledgerDir, ArtifactRef a)
      throws IOException, FormatException, OmsException {
    Digest sigDigest = annotation(a, SIGNATURE_ANNOTATION);
    Digest trustDigest = annotation(a, TRUST_ANNOTATION);
    String method = Optional.ofNullable(a.annotations().get(METHOD_ANNOTATION)).orElse("");
    byte[] sig = read(ledgerDir, signaturePath(ledgerDir, sigDigest), sigDigest, OmsSignature.MAX_BYTES);
    byte[] pem = read(ledgerDir, trustPath(ledgerDir, trustDigest), trustDigest, MAX_TRUST_BYTES);
    OmsSignature.Verified v = OmsSignature.verify(sig, trust(method, pem, DIR + "/" + trustDigest),
        DIR + "/" + sigDigest);
    if (!v.manifest().rootDigest().equals(a.digest())) {
      throw new OmsException(OmsException.Reason.INCONSISTENT_STATEMENT, "the OMS signature of "
          + Untrusted.quote(a.name()) + " signs the model " + v.manifest().rootDigest() + ", not the recorded "
          + a.digest());
    }
    return v;
  }

  private static Digest annotation(ArtifactRef a, String name) throws FormatException {
    String v = a.annotations().get(name);
    if (v == null) {
      throw new FormatException("artifact " + Untrusted.quote(a.name()) + " has no " + name + " annotation");
    }
    try {
      return Digest.parse(v);
    } catch (IllegalArgumentException e) {
      throw new FormatException("artifact " + Untrusted.quote(a.name()) + ": " + name + " is not a digest", e);
    }
  }

  private static byte[] read(Path ledgerDir, Path p, Digest expected, int max) throws IOException, FormatException {
    LedgerFiles files = LedgerFiles.of(ledgerDir);
    if (!files.isFile(p)) { // refuses a link or special file
      throw new NoSuchFileException(p.toString());
    }
    byte[] bytes = files.read(p, max);
    if (!Digest.sha256(bytes).equals(expected)) {
      throw new FormatException(p + ": content does not have the SHA-256 signed in the entry (altered or damaged)");
    }
    return bytes;
  }
}
