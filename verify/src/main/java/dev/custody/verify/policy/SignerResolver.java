package dev.custody.verify.policy;

import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.policy.Resolution.Reason;
import dev.custody.verify.policy.Resolution.Rejected;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves the key ids of entry headers to {@link Signer}s under one {@link TrustPolicy}, reading
 * certificate chains from one {@link CertificateSource}. Make one per verification; thread-safe
 * (signatures are checked in parallel).
 *
 * <p>A key bound to an identity in the policy resolves without reading anything. Any other key
 * resolves only through a certificate chain the source holds for it (see {@link
 * CertificateValidator} for what is checked). Answers for chains are cached by key id and the
 * SHA-256 of the chain's bytes — a ledger has many entries per key, and PKIX is the costly part —
 * up to {@value #MAX_CACHED} chains; beyond that they are validated each time (correct, slower).
 */
public final class SignerResolver {
  /** Most chains whose answer is kept. */
  public static final int MAX_CACHED = 10_000;

  private final TrustPolicy policy;
  private final CertificateSource source;
  private final Map<String, Resolution> cache = new ConcurrentHashMap<>();

  SignerResolver(TrustPolicy policy, CertificateSource source) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.source = Objects.requireNonNull(source, "source");
  }

  /**
   * What the policy says about {@code keyId}: the trusted signer, or why not.
   *
   * @param keyId the header's {@code kid} (untrusted text)
   */
  public Resolution resolve(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    Optional<Signer> bound = policy.boundKey(keyId);
    if (bound.isPresent()) {
      return new Resolution.Trusted(bound.get());
    }
    String key = Untrusted.quote(keyId, 80);
    if (policy.isTrustAll()) {
      return new Rejected(Reason.UNKNOWN_KEY, "key " + key + " is not among the trusted keys; add its public key to"
          + " the trust directory if you trust it");
    }
    if (!policy.hasCertificateIdentities()) {
      return new Rejected(Reason.UNKNOWN_KEY, "key " + key + " is bound to no identity of the policy; add it to an"
          + " identity's keys if you trust it");
    }
    byte[] chain;
    try {
      Optional<byte[]> read = source.chain(keyId);
      if (read.isEmpty()) {
        return new Rejected(Reason.UNKNOWN_KEY, "key " + key + " is bound to no identity of the policy and no"
            + " certificate chain is recorded for it (" + CertificateSource.DIR + "/<keyId>.pem); record the"
            + " signer's certificate chain, or add the key to an identity");
      }
      chain = read.get();
    } catch (FormatException | IOException e) {
      return new Rejected(Reason.MALFORMED, "the certificate chain of key " + key + " cannot be read: "
          + Untrusted.escape(String.valueOf(e.getMessage())));
    }
    String cacheKey = keyId + " " + Digest.sha256(chain);
    Resolution cached = cache.get(cacheKey);
    if (cached != null) {
      return cached;
    }
    Resolution r = policy.certificates().validate(keyId, chain, CertificateSource.DIR + "/" + keyId + ".pem");
    if (cache.size() < MAX_CACHED) {
      cache.putIfAbsent(cacheKey, r);
    }
    return r;
  }
}
