package dev.custody.core.sigstore;

import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.dsse.DsseEnvelope;
import dev.custody.core.dsse.EnvelopeKey;
import dev.custody.core.intoto.ResourceDescriptor;
import dev.custody.core.intoto.Statement;
import dev.custody.core.jws.SignatureException;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.manifest.ModelManifest;
import dev.custody.core.manifest.Resource;
import dev.custody.core.internal.text.Untrusted;
import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Verifies an OpenSSF model signing (OMS) v1.0 signature — the {@code model.sig} the reference
 * implementation ({@code sigstore/model-transparency}, {@code model_signing}) writes — offline:
 *
 * <ol>
 *   <li>the file is a {@link SigstoreBundle} holding a DSSE envelope of type
 *       {@value Statement#PAYLOAD_TYPE};
 *   <li>the trusted key (or, for the certificate method, the bundle's leaf once its chain validates
 *       against the caller's roots with PKIX, revocation off, at the current time) verifies the DSSE
 *       signature over {@code PAE(payloadType, payload)} — exactly one signature;
 *   <li>only then are the verified payload bytes parsed: an in-toto {@link Statement} v1 with
 *       predicate type {@value #PREDICATE_TYPE}, whose predicate is a {@link ModelManifest} and
 *       whose one subject's {@code sha256} is the manifest's root digest (OMS §5).
 * </ol>
 *
 * {@link #compare} then judges a model re-hashed with the signed serialization, resource by resource.
 * The keyless method (a Fulcio certificate logged in Rekor) is refused with
 * {@link OmsException.Reason#NEEDS_SIGSTORE_TRUST_ROOT}: checking it needs Sigstore's trust roots.
 * Thread-safe (stateless).
 */
public final class OmsSignature {
  /** The OMS v1.0 predicate type (ossf/model-signing-spec v1.0 §5). */
  public static final String PREDICATE_TYPE = "https://model_signing/signature/v1.0";
  /** Largest signature file read. */
  public static final int MAX_BYTES = SigstoreBundle.MAX_BYTES;

  private OmsSignature() {}

  /** What the verifier trusts. */
  public sealed interface Trust permits PublicKey, CertificateRoots, SigstoreKeyless {}

  /** The key method: the publisher's public key. */
  public record PublicKey(EnvelopeKey key) implements Trust {
    public PublicKey {
      Objects.requireNonNull(key, "key");
    }
  }

  /** The certificate method: roots (and any intermediates) the bundle's chain must lead to. */
  public record CertificateRoots(List<X509Certificate> roots) implements Trust {
    public CertificateRoots {
      roots = List.copyOf(roots);
      if (roots.isEmpty()) {
        throw new IllegalArgumentException("at least one trusted certificate is needed");
      }
    }
  }

  /** Sigstore's keyless method (Fulcio + Rekor): not available offline; {@link #verify} refuses it. */
  public record SigstoreKeyless() implements Trust {}

  /**
   * A verified signature.
   *
   * @param statement the statement the signature covers
   * @param manifest its predicate: the signed resources and serialization
   * @param signer the key or certificate subject that verified it, for reports
   */
  public record Verified(Statement statement, ModelManifest manifest, String signer) {
    public Verified {
      Objects.requireNonNull(statement, "statement");
      Objects.requireNonNull(manifest, "manifest");
      Objects.requireNonNull(signer, "signer");
    }
  }

  /**
   * The hasher that re-hashes a model the way {@code verified} was signed — its method, shard size,
   * symlink rule and ignore paths — ignoring, as the reference verifier does, the git paths
   * (OMS §6.2) and {@code extraIgnorePaths} (the signature file if it lies in the model, user paths;
   * relative to the model directory).
   */
  public static ModelHasher.Builder hasherFor(Verified verified, List<String> extraIgnorePaths) {
    return ModelHasher.builder(verified.manifest().serialization())
        .ignoreGitPaths(true)
        .ignorePaths(extraIgnorePaths);
  }

  /**
   * How a re-hashed model differs from the signed resources (names sorted).
   *
   * @param missing signed resources the model lacks
   * @param extra resources of the model the signature does not list
   * @param changed resources present in both with different digests
   */
  public record Comparison(List<String> missing, List<String> extra, List<String> changed) {
    public Comparison {
      missing = List.copyOf(missing);
      extra = List.copyOf(extra);
      changed = List.copyOf(changed);
    }

    /** Whether the model is exactly the signed one. */
    public boolean matches() {
      return missing.isEmpty() && extra.isEmpty() && changed.isEmpty();
    }
  }

  /**
   * The signature is malformed as {@code e} says. Core's format exceptions always carry a message (their
   * constructors require one), so its message is the OMS exception's.
   */
  private static OmsException malformed(FormatException e) {
    return new OmsException(OmsException.Reason.MALFORMED,
        Objects.requireNonNull(e.getMessage(), "a FormatException without a message"), e);
  }

  /**
   * Verifies {@code signatureFile}'s bytes with {@code trust}.
   *
   * @param source names the file in errors
   * @throws OmsException with the reason: malformed, bad signature, untrusted chain, keyless, inconsistent
   */
  public static Verified verify(byte[] signatureFile, Trust trust, String source) throws OmsException {
    SigstoreBundle bundle;
    try {
      bundle = SigstoreBundle.parse(signatureFile, source);
    } catch (FormatException e) {
      throw malformed(e);
    }
    if (trust instanceof SigstoreKeyless) {
      throw new OmsException(OmsException.Reason.NEEDS_SIGSTORE_TRUST_ROOT, source + " is checked by Sigstore's"
          + " keyless method, which needs Sigstore trust roots, not available offline (Fulcio's CA, Rekor's key); give the"
          + " publisher's --public-key or the --certificate-chain root instead if the publisher signed with one");
    }
    DsseEnvelope envelope = bundle.dsseEnvelope().orElseThrow(() -> new OmsException(OmsException.Reason.MALFORMED,
        source + " holds a messageSignature, not a DSSE envelope; an OMS signature is a DSSE-signed in-toto statement"));
    if (!envelope.payloadType().equals(Statement.PAYLOAD_TYPE)) {
      throw new OmsException(OmsException.Reason.MALFORMED, source + ": DSSE payloadType is "
          + Untrusted.quote(envelope.payloadType(), 100) + "; an OMS signature has " + Statement.PAYLOAD_TYPE);
    }
    EnvelopeKey key;
    String signer;
    if (trust instanceof PublicKey pk) {
      key = pk.key();
      signer = key.toString();
    } else {
      X509Certificate leaf = validateChain(bundle, ((CertificateRoots) trust).roots(), source);
      try {
        key = EnvelopeKey.fromCertificate(leaf, source + " signing certificate");
      } catch (FormatException e) {
        throw malformed(e);
      }
      signer = "certificate " + Untrusted.quote(leaf.getSubjectX500Principal().getName(), 200) + " (" + key + ")";
    }
    Bytes payload;
    try {
      payload = envelope.verifyOne(key);
    } catch (SignatureException e) {
      String hint = bundle.material() instanceof SigstoreBundle.Certificates && bundle.tlogEntries() > 0
          && trust instanceof PublicKey
          ? " (the bundle carries a certificate and a transparency-log entry: it may be a keyless Sigstore"
              + " signature, which needs Sigstore trust roots, not available offline)" : "";
      throw new OmsException(OmsException.Reason.BAD_SIGNATURE, source + ": " + e.getMessage() + hint, e);
    }
    // Verified: now it is safe to parse the payload.
    Statement statement;
    ModelManifest manifest;
    try {
      statement = Statement.parse(payload.toByteArray(), source + " statement");
      if (!statement.predicateType().equals(PREDICATE_TYPE)) {
        throw new FormatException(source + " statement: predicateType "
            + Untrusted.quote(statement.predicateType(), 100) + " is not OMS v1.0 (" + PREDICATE_TYPE + ")");
      }
      manifest = ModelManifest.fromJson(statement.predicate(), source + " predicate");
    } catch (FormatException e) {
      throw malformed(e);
    }
    if (statement.subjects().size() != 1) {
      throw new OmsException(OmsException.Reason.INCONSISTENT_STATEMENT, source + " statement has "
          + statement.subjects().size() + " subjects; an OMS statement has exactly one (the model)");
    }
    ResourceDescriptor subject = statement.subjects().get(0);
    String root = manifest.rootDigest().value().hex();
    Optional<String> claimed = subject.digestOf("sha256");
    // Both digests are public (signed, and recomputed from signed data): no secret to compare in constant time.
    if (claimed.isEmpty() || !claimed.get().equals(root)) {
      throw new OmsException(OmsException.Reason.INCONSISTENT_STATEMENT, source + " statement: subject sha256 "
          + Untrusted.quote(claimed.orElse("(absent)"), 80) + " is not the root digest " + root
          + " of its resources (OMS §5)");
    }
    return new Verified(statement, manifest, signer);
  }

  private static X509Certificate validateChain(SigstoreBundle bundle, List<X509Certificate> roots, String source)
      throws OmsException {
    if (!(bundle.material() instanceof SigstoreBundle.Certificates certs)) {
      throw new OmsException(OmsException.Reason.UNTRUSTED_CHAIN, source + " carries no certificate (it names a"
          + " public key); verify it with the publisher's --public-key");
    }
    X509Certificate leaf = certs.leaf();
    Date now = Date.from(Instant.now());
    try {
      Set<TrustAnchor> anchors = new HashSet<>();
      for (X509Certificate r : roots) {
        anchors.add(new TrustAnchor(r, null));
      }
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(leaf);
      PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
      params.setRevocationEnabled(false); // offline: no CRL or OCSP fetch, as the OMS reference verifier
      params.setDate(now);
      List<X509Certificate> pool = new ArrayList<>(certs.chain());
      params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(pool)));
      CertPathBuilder.getInstance("PKIX").build(params);
    } catch (CertPathBuilderException e) {
      String keyless = bundle.tlogEntries() > 0 ? "; the bundle also carries a transparency-log entry: if it is a"
          + " keyless Sigstore signature, checking it needs Sigstore trust roots, not available offline" : "";
      throw new OmsException(OmsException.Reason.UNTRUSTED_CHAIN, source + ": the signing certificate "
          + Untrusted.quote(leaf.getSubjectX500Principal().getName(), 200) + " (issuer "
          + Untrusted.quote(leaf.getIssuerX500Principal().getName(), 200) + ") does not chain to a trusted root at "
          + now.toInstant() + ": " + Untrusted.escape(String.valueOf(e.getMessage())) + keyless, e);
    } catch (InvalidAlgorithmParameterException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK's PKIX CertPathBuilder is required", e);
    }
    return leaf;
  }

  /**
   * Compares the signed resources with {@code actual}, the model re-hashed with the signed
   * serialization. A signed manifest with the legacy single resource {@code "."} (reference releases
   * up to v1.0.0) matches a one-file model whose digest is equal, whatever the file's name.
   */
  public static Comparison compare(ModelManifest signed, ModelManifest actual) {
    Map<String, String> want = digests(signed);
    Map<String, String> have = digests(actual);
    if (signed.isLegacySingleFile() && have.size() == 1) {
      want = Map.of(have.keySet().iterator().next(), want.get(ModelManifest.LEGACY_SINGLE_FILE_NAME));
    }
    List<String> missing = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    for (Map.Entry<String, String> e : want.entrySet()) {
      String got = have.get(e.getKey());
      if (got == null) {
        missing.add(e.getKey());
      } else if (!got.equals(e.getValue())) {
        changed.add(e.getKey());
      }
    }
    for (String name : have.keySet()) {
      if (!want.containsKey(name)) {
        extra.add(name);
      }
    }
    return new Comparison(missing, extra, changed);
  }

  private static Map<String, String> digests(ModelManifest m) {
    Map<String, String> out = new TreeMap<>();
    for (Resource r : m.resources()) {
      out.put(r.name(), r.digest().value().hex());
    }
    return out;
  }
}
