package dev.custody.attest;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.util.Set;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Nimbus {@link JWSSigner} for {@code EdDSA} with Ed25519 on Bouncy Castle's low-level RFC 8032
 * code, which signs about 10× faster than the JDK provider here (DESIGN.md §5). Deterministic:
 * the same key and input give the same signature (RFC 8032 §5.1.6).
 */
final class Ed25519JwsSigner implements JWSSigner {
  private final byte[] seed;
  private final byte[] publicKey;
  private final JCAContext jca = new JCAContext();

  Ed25519JwsSigner(byte[] seed, byte[] publicKey) {
    this.seed = seed.clone();
    this.publicKey = publicKey.clone();
  }

  @Override
  public Base64URL sign(JWSHeader header, byte[] signingInput) {
    return Base64URL.encode(signRaw(signingInput));
  }

  byte[] signRaw(byte[] message) {
    byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, sig, 0);
    return sig;
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return Set.of(JWSAlgorithm.EdDSA);
  }

  @Override
  public JCAContext getJCAContext() {
    return jca;
  }
}
