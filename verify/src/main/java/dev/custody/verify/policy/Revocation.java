package dev.custody.verify.policy;

import dev.custody.core.internal.text.Untrusted;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The statement that an identity, or one key, may not be trusted from {@code at} on. Entries it
 * signed stay valid only if proven to predate {@code at} (see {@link TimeRule}). Immutable.
 *
 * @param identity the identity revoked (all its keys and certificates), or empty
 * @param keyId the key revoked (a key of a key-bound identity or a certificate's leaf key), or empty;
 *     exactly one of {@code identity} and {@code keyId} is present
 * @param at from when
 * @param reason why, as stated
 * @param source where it was stated: a policy location ({@code policy.yaml:40:5}) or a ledger entry
 */
public record Revocation(Optional<String> identity, Optional<String> keyId, Instant at, Optional<String> reason,
    String source) {
  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{64}");

  public Revocation {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(source, "source");
    if (identity.isPresent() == keyId.isPresent()) {
      throw new IllegalArgumentException("a revocation names exactly one of an identity or a keyId");
    }
    identity.ifPresent(Identity::requireName);
    keyId.ifPresent(k -> {
      if (!KEY_ID.matcher(k).matches()) {
        throw new IllegalArgumentException("'" + Untrusted.escape(k) + "' is not a key id (64 lowercase hex digits,"
            + " the SHA-256 of the key's SubjectPublicKeyInfo, as `custody keys generate` prints it)");
      }
    });
  }

  /** Revokes every key of {@code identity} from {@code at}. */
  public static Revocation ofIdentity(String identity, Instant at, Optional<String> reason, String source) {
    return new Revocation(Optional.of(identity), Optional.empty(), at, reason, source);
  }

  /** Revokes the key {@code keyId} from {@code at}. */
  public static Revocation ofKey(String keyId, Instant at, Optional<String> reason, String source) {
    return new Revocation(Optional.empty(), Optional.of(keyId), at, reason, source);
  }

  /** Whether this revokes {@code signer} (its identity, or its key). */
  public boolean covers(Signer signer) {
    return keyId.map(signer.keyId()::equals).orElse(false)
        || identity.map(i -> signer.identity().map(Identity::name).filter(i::equals).isPresent()).orElse(false);
  }

  /** What is revoked, for messages: {@code identity 'acme/trainer'} or {@code key 3f2a…}. */
  public String target() {
    return identity.map(i -> "identity " + Untrusted.quote(i)).orElseGet(() -> "key " + keyId.orElseThrow());
  }
}
