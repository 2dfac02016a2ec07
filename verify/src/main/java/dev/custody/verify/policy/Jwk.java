package dev.custody.verify.policy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.custody.core.FormatException;
import dev.custody.core.jws.VerificationKey;
import dev.custody.core.internal.text.Untrusted;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Public keys written as JWKs (RFC 7517) in a policy, read with Nimbus JOSE+JWT: {@code OKP} with
 * {@code crv} {@code Ed25519} (RFC 8037) or {@code EC} with {@code crv} {@code P-256}. Only public
 * members are accepted; {@code alg}, if given, must be the key's one algorithm ({@code EdDSA} or
 * {@code ES256}) and {@code use}, if given, {@code sig}. {@code kid} is accepted and ignored: custody
 * names keys by the SHA-256 of their SubjectPublicKeyInfo, whatever the JWK calls them.
 * Package-private; stateless.
 */
final class Jwk {
  /** The members a public JWK may have here. */
  static final List<String> MEMBERS = List.of("kty", "crv", "x", "y", "kid", "alg", "use");

  private Jwk() {}

  /**
   * The key the JWK {@code members} (all strings) describe.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static VerificationKey publicKey(Map<String, String> members) {
    JWK jwk;
    try {
      jwk = JWK.parse(new LinkedHashMap<String, Object>(members));
    } catch (ParseException e) {
      throw new IllegalArgumentException("not a valid JWK: " + Untrusted.escape(String.valueOf(e.getMessage())), e);
    }
    if (jwk.isPrivate()) {
      throw new IllegalArgumentException("the JWK holds a private key; put only public keys in a policy");
    }
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      throw new IllegalArgumentException("the JWK's use is " + Untrusted.quote(jwk.getKeyUse().identifier())
          + "; custody keys sign (use: sig)");
    }
    try {
      if (jwk instanceof OctetKeyPair okp) {
        if (!Curve.Ed25519.equals(okp.getCurve())) {
          throw new IllegalArgumentException("OKP JWK on curve " + Untrusted.quote(String.valueOf(okp.getCurve()))
              + "; custody accepts Ed25519 (and EC P-256)");
        }
        return checkAlg(jwk, VerificationKey.ed25519(okp.getDecodedX()));
      }
      if (jwk instanceof ECKey ec) {
        if (!Curve.P_256.equals(ec.getCurve())) {
          throw new IllegalArgumentException("EC JWK on curve " + Untrusted.quote(String.valueOf(ec.getCurve()))
              + "; custody accepts P-256 (and Ed25519)");
        }
        return checkAlg(jwk, VerificationKey.fromSpki(ec.toECPublicKey().getEncoded(), "EC JWK"));
      }
    } catch (FormatException | JOSEException e) {
      throw new IllegalArgumentException("the JWK is not a valid key: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("JWK key type " + Untrusted.quote(jwk.getKeyType().getValue())
        + " is not accepted; custody accepts OKP Ed25519 and EC P-256");
  }

  private static VerificationKey checkAlg(JWK jwk, VerificationKey key) {
    if (jwk.getAlgorithm() != null) {
      JWSAlgorithm expected = key.algorithm().jwsAlgorithm();
      if (!expected.getName().equals(jwk.getAlgorithm().getName())) {
        throw new IllegalArgumentException("the JWK's alg is " + Untrusted.quote(jwk.getAlgorithm().getName())
            + " but a " + key.algorithm().cliName() + " key signs with " + expected.getName());
      }
    }
    return key;
  }

}
