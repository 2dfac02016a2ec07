package dev.custody.core.jws;

import com.nimbusds.jose.JWSAlgorithm;

/**
 * The closed allow-list of signature algorithms (DESIGN.md §5). The algorithm of a signature is
 * taken from the trusted key, never from the message: a JWS header that names another algorithm
 * than its key's is rejected.
 */
public enum KeyAlgorithm {
  /** Ed25519 (RFC 8032), JWS {@code EdDSA} (RFC 8037). The default. */
  ED25519("ed25519", JWSAlgorithm.EdDSA),
  /** ECDSA P-256 with SHA-256, JWS {@code ES256} (RFC 7518 §3.4), for HSM/KMS and FIPS settings. */
  ES256("es256", JWSAlgorithm.ES256);

  private final String cliName;
  private final JWSAlgorithm jws;

  KeyAlgorithm(String cliName, JWSAlgorithm jws) {
    this.cliName = cliName;
    this.jws = jws;
  }

  /** The lowercase name used on the command line and in key listings. */
  public String cliName() {
    return cliName;
  }

  /** The JWS {@code alg} value. */
  public JWSAlgorithm jwsAlgorithm() {
    return jws;
  }

  /** Parses a command-line name; throws {@link IllegalArgumentException} listing the allowed ones. */
  public static KeyAlgorithm fromCliName(String name) {
    for (KeyAlgorithm a : values()) {
      if (a.cliName.equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unsupported key algorithm '" + name + "' (expected ed25519 or es256)");
  }
}
