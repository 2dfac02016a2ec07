package dev.custody.verify.policy;

import dev.custody.core.jws.VerificationKey;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who may sign: a named identity of an organisation, bound either to public keys or to any key
 * that the organisation's roots certify under the identity's {@link CertificateConstraints}, with an
 * optional validity window. Immutable.
 *
 * @param name unique in the policy; {@code organisation/rest}, segments of {@code [a-z0-9._-]}, e.g.
 *     {@code acme/release-bot}. The first segment is the organisation, so that a role granted to
 *     {@code acme/*} can never reach another organisation's identity
 * @param organisation the organisation's name
 * @param binding the keys, or the certificate constraints
 * @param notBefore entries claimed to be signed before this are {@code IDENTITY_NOT_YET_VALID}
 * @param notAfter entries not proven to predate this are {@code IDENTITY_EXPIRED}
 */
public record Identity(String name, String organisation, Binding binding, Optional<Instant> notBefore,
    Optional<Instant> notAfter) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}(/[a-z0-9][a-z0-9._-]{0,63}){1,7}");

  public Identity {
    requireName(name);
    Organisation.requireName(organisation);
    if (!name.startsWith(organisation + "/")) {
      throw new IllegalArgumentException("identity '" + name + "' must be named '" + organisation
          + "/...' after its organisation");
    }
    Objects.requireNonNull(binding, "binding");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    if (notBefore.isPresent() && notAfter.isPresent() && !notBefore.get().isBefore(notAfter.get())) {
      throw new IllegalArgumentException("identity '" + name + "': notBefore " + notBefore.get()
          + " is not before notAfter " + notAfter.get());
    }
  }

  /**
   * Checks an identity name.
   *
   * @throws IllegalArgumentException saying what a name looks like
   */
  static String requireName(String name) {
    Objects.requireNonNull(name, "identity name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("an identity name is ORGANISATION/NAME: 2-8 '/'-separated segments of"
          + " a-z 0-9 . _ -, each starting with a letter or digit (e.g. acme/release-bot)");
    }
    return name;
  }

  /** How an identity is bound to keys. */
  public sealed interface Binding {}

  /** Bound to these public keys (PEM SPKI or JWK, Ed25519 or P-256). */
  public record Keys(List<VerificationKey> keys) implements Binding {
    public Keys {
      keys = List.copyOf(keys);
      if (keys.isEmpty()) {
        throw new IllegalArgumentException("an identity bound to keys needs at least one key");
      }
    }
  }

  /** Bound to any key certified by the organisation's roots whose leaf certificate meets these constraints. */
  public record Certified(CertificateConstraints constraints) implements Binding {
    public Certified {
      Objects.requireNonNull(constraints, "constraints");
    }
  }
}
