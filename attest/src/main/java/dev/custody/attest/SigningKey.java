package dev.custody.attest;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import dev.custody.attest.AttestException;
import dev.custody.attest.CosignatureV1Signer;
import dev.custody.attest.Ed25519NoteSigner;
import dev.custody.attest.Signer;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.jws.KeyAlgorithm;
import dev.custody.core.jws.Pem;
import dev.custody.core.jws.VerificationKey;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.jspecify.annotations.Nullable;

/**
 * A private signing key held in memory, with its public half: the one holder of private key material
 * in custody. The signers are built from it — JWS ({@link #sign}), signed-note
 * ({@link #noteSigner}) and witness cosignature ({@link #cosigner}) — and hold the key, never a copy
 * of its bytes; the secret leaves only through the methods named {@code exportSecret…}. Keys on disk are PKCS#8 PEM
 * ({@code NAME.key}, created with mode 0600) and SubjectPublicKeyInfo PEM ({@code NAME.pub}).
 * Ed25519 keys are written as PKCS#8 v1 (RFC 8410 §7, no public key), which OpenSSL 3.0 and
 * Python's cryptography read; v2 keys (RFC 5958, with the public key, as custody wrote before) are
 * read too, and their public key must match. ES256 keys are PKCS#8 holding a SEC1 ECPrivateKey
 * with the P-256 named curve, as the JDK writes them and OpenSSL reads them. Thread-safe.
 */
public final class SigningKey implements Signer {
  /**
   * Largest private key file read: a PEM PKCS#8 Ed25519 or P-256 key is under 300 bytes; the bound
   * keeps {@code --key /dev/zero}-like mistakes from reading without end.
   */
  public static final int MAX_KEY_FILE_BYTES = 64 * 1024;

  private final byte[] pkcs8;
  private final VerificationKey publicKey;
  /** ES256 only (else null). */
  private final @Nullable JWSSigner jws;
  /** Ed25519 only (else null): the RFC 8032 seed and public key, for the raw signatures of notes. */
  private final byte @Nullable [] ed25519Seed;
  private final byte @Nullable [] ed25519Public;

  private SigningKey(byte[] pkcs8, VerificationKey publicKey, @Nullable JWSSigner jws, byte @Nullable [] ed25519Seed,
      byte @Nullable [] ed25519Public) {
    this.pkcs8 = pkcs8;
    this.publicKey = publicKey;
    this.jws = jws;
    this.ed25519Seed = ed25519Seed;
    this.ed25519Public = ed25519Public;
  }

  /**
   * An Ed25519 key from its 32-byte RFC 8032 seed (the private key of signed notes and witnesses).
   *
   * @throws FormatException if the seed is not 32 bytes
   */
  public static SigningKey ed25519FromSeed(Bytes seed) throws FormatException {
    Objects.requireNonNull(seed, "seed");
    if (seed.length() != Ed25519.SECRET_KEY_SIZE) {
      throw new FormatException("Ed25519 seed must be " + Ed25519.SECRET_KEY_SIZE + " bytes, got " + seed.length());
    }
    byte[] raw = seed.toByteArray();
    try {
      return fromPkcs8(ed25519Pkcs8V1(new Ed25519PrivateKeyParameters(raw, 0)), "Ed25519 seed");
    } catch (IOException e) {
      throw new IllegalStateException("encoding an Ed25519 key failed", e);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /** A fresh key from the platform's strong random source. */
  public static SigningKey generate(KeyAlgorithm algorithm) {
    try {
      if (algorithm == KeyAlgorithm.ED25519) {
        Ed25519PrivateKeyParameters k = new Ed25519PrivateKeyParameters(SecureRandom.getInstanceStrong());
        return fromPkcs8(ed25519Pkcs8V1(k), "generated key");
      }
      java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
      g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"), SecureRandom.getInstanceStrong());
      return fromPkcs8(g.generateKeyPair().getPrivate().getEncoded(), "generated key");
    } catch (GeneralSecurityException | IOException | FormatException e) {
      throw new IllegalStateException("key generation failed: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a private key file ({@code -----BEGIN PRIVATE KEY-----}, PKCS#8).
   *
   * @throws FormatException naming the file if it is not an Ed25519 or P-256 private key
   */
  public static SigningKey load(Path file) throws IOException, FormatException {
    return SigningKeyFiles.read(file);
  }


  /** Parses PKCS#8 PEM text; {@code source} names it in errors. */
  public static SigningKey fromPem(String pem, String source) throws FormatException {
    if (pem.contains("BEGIN PUBLIC KEY")) {
      throw new FormatException(source + ": not a PEM private key (this is a public key; pass the .key file)");
    }
    byte[] der = Pem.decode(pem, "PRIVATE KEY", "private key", source);
    return fromPkcs8(der, source);
  }

  /**
   * An Ed25519 key as PKCS#8 v1 in the form of RFC 8410 §7 ({@code version 0}, {@code id-Ed25519}
   * without parameters, the 32-byte key as a CurvePrivateKey, no attributes, no public key): what
   * OpenSSL 3.0 and Python's cryptography read. Bouncy Castle's own encoding is the v2
   * OneAsymmetricKey with the public key, which they refuse.
   */
  private static byte[] ed25519Pkcs8V1(Ed25519PrivateKeyParameters key) throws IOException {
    return new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
        new DEROctetString(key.getEncoded())).getEncoded("DER");
  }

  private static SigningKey fromPkcs8(byte[] der, String source) throws FormatException {
    AsymmetricKeyParameter key;
    PrivateKeyInfo info;
    try {
      info = PrivateKeyInfo.getInstance(der);
      key = PrivateKeyFactory.createKey(info);
    } catch (IOException | RuntimeException e) {
      throw new FormatException(source + ": not a PKCS#8 private key: " + e.getMessage(), e);
    }
    try {
      if (key instanceof Ed25519PrivateKeyParameters ed) {
        byte[] pub = ed.generatePublicKey().getEncoded();
        // A v2 key (RFC 5958 OneAsymmetricKey, as custody wrote before) carries the public key too;
        // it must be this key's, or the file was damaged or assembled from two keys.
        if (info.hasPublicKey() && !java.security.MessageDigest.isEqual(info.getPublicKeyData().getOctets(), pub)) {
          throw new FormatException(source + ": the public key stored in this PKCS#8 v2 private key is not the"
              + " private key's own; the file is damaged (generate a new key)");
        }
        VerificationKey vk = VerificationKey.ed25519(pub);
        byte[] seed = ed.getEncoded();
        return new SigningKey(ed25519Pkcs8V1(ed), vk, null, seed, pub);
      }
      if (key instanceof ECPrivateKeyParameters ec) {
        ECDomainParameters domain = ec.getParameters();
        if (!(domain instanceof ECNamedDomainParameters named) || !named.getName().equals(SECObjectIdentifiers.secp256r1)) {
          throw new FormatException(source + ": EC private key is not on P-256 (only ES256 is allowed)");
        }
        ECPublicKeyParameters pub = new ECPublicKeyParameters(domain.getG().multiply(ec.getD()).normalize(), domain);
        VerificationKey vk = VerificationKey.fromSpki(
            SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pub).getEncoded("DER"), source);
        ECPrivateKey jdk = (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        return new SigningKey(der.clone(), vk, new ECDSASigner(jdk), null, null);
      }
    } catch (IOException | GeneralSecurityException | JOSEException e) {
      throw new FormatException(source + ": unusable private key: " + e.getMessage(), e);
    }
    throw new FormatException(source + ": unsupported private key type " + key.getClass().getSimpleName()
        + " (custody signs with Ed25519 or ECDSA P-256)");
  }

  @Override
  public VerificationKey publicKey() {
    return publicKey;
  }

  public KeyAlgorithm algorithm() {
    return publicKey.algorithm();
  }

  @Override
  public byte[] sign(byte[] signingInput) throws AttestException {
    if (ed25519Seed != null) {
      // EdDSA's JWS signature is the raw RFC 8032 signature of the signing input (RFC 8037 §3.1).
      byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
      signEd25519(signingInput, 0, signingInput.length, sig, 0);
      return sig;
    }
    try {
      JWSHeader header = new JWSHeader(publicKey.algorithm().jwsAlgorithm());
      return Objects.requireNonNull(jws, "a key without an Ed25519 seed is ES256 and has a JWS signer")
          .sign(header, signingInput).decode();
    } catch (JOSEException e) {
      throw new AttestException("signing with key " + keyId() + " failed: " + e.getMessage(), e);
    }
  }

  /** Exports the secret: the private key as PKCS#8 PEM text (the {@code NAME.key} file's content). */
  public String exportSecretPkcs8Pem() {
    return Pem.encode(pkcs8, "PRIVATE KEY");
  }

  /**
   * Exports the secret: the 32-byte RFC 8032 seed of an Ed25519 key (what a signed-note private key
   * string carries).
   *
   * @throws IllegalStateException if this is not an Ed25519 key
   */
  public Bytes exportSecretEd25519Seed() {
    return Bytes.copyOf(requireEd25519("export an Ed25519 seed"));
  }

  /**
   * A signed-note signer (type 0x01, C2SP signed-note) named {@code name} with this Ed25519 key.
   *
   * @throws FormatException if {@code name} is not a valid key name
   * @throws IllegalStateException if this is not an Ed25519 key
   */
  public Ed25519NoteSigner noteSigner(String name) throws FormatException {
    requireEd25519("sign notes");
    return Ed25519NoteSigner.of(name, this);
  }

  /**
   * A witness cosigner (cosignature/v1, type 0x04) named {@code name} with this Ed25519 key.
   *
   * @param clock gives the cosignature time; pass {@code Clock.systemUTC()} in production
   * @throws FormatException if {@code name} is not a valid key name
   * @throws IllegalStateException if this is not an Ed25519 key
   */
  public CosignatureV1Signer cosigner(String name, Clock clock) throws FormatException {
    return noteSigner(name).cosigner(clock);
  }

  /**
   * The raw RFC 8032 Ed25519 signature of {@code message[offset, offset + length)}, written to
   * {@code sig[sigOffset, sigOffset + 64)}: the primitive under the note and cosignature signers.
   *
   * @throws IllegalStateException if this is not an Ed25519 key
   */
  public void signEd25519(byte[] message, int offset, int length, byte[] sig, int sigOffset) {
    Ed25519.sign(requireEd25519("sign with Ed25519"), 0, ed25519Public(), 0, message, offset, length, sig, sigOffset);
  }

  /** The raw 32-byte Ed25519 public key. */
  public Bytes ed25519PublicKey() {
    requireEd25519("give an Ed25519 public key");
    return Bytes.copyOf(ed25519Public());
  }

  /** The raw Ed25519 public key, once {@link #requireEd25519} has checked that this is an Ed25519 key. */
  private byte[] ed25519Public() {
    return Objects.requireNonNull(ed25519Public, "an Ed25519 key (it has a seed) has its public key too");
  }

  private byte[] requireEd25519(String what) {
    if (ed25519Seed == null) {
      throw new IllegalStateException("cannot " + what + " with a " + publicKey.algorithm() + " key " + keyId()
          + "; use an Ed25519 key");
    }
    return ed25519Seed;
  }

  /**
   * Writes {@code dir/name.key} (mode 0600, created exclusively: an existing key is never
   * overwritten) and {@code dir/name.pub}.
   *
   * @return the private key path
   * @throws FileAlreadyExistsException if either file exists
   */
  public Path writeTo(Path dir, String name) throws IOException {
    return SigningKeyFiles.write(this, dir, name);
  }


  @Override
  public String toString() {
    return "signing " + publicKey;
  }
}
