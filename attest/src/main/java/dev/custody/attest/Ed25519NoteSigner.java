package dev.custody.attest;

import dev.custody.attest.SigningKey;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.internal.text.StrictBase64;
import dev.custody.core.note.KeyId;
import dev.custody.core.note.NoteSigner;
import dev.custody.core.note.SignatureType;
import dev.custody.core.note.VerifierKey;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 note signer (signature type 0x01, C2SP signed-note §Ed25519 signatures) on Bouncy
 * Castle's low-level RFC 8032 code. Deterministic: the same key and text always give the same
 * signature, so signed notes are reproducible byte for byte. The key material is a {@link SigningKey}'s
 * ({@link SigningKey#noteSigner}); this class adds the name and the note formats. Immutable and
 * thread-safe.
 *
 * <p>Private key text form (Go's {@code sumdb/note} "skey", so keys move between custody and Go
 * tools):
 *
 * <pre>
 *   PRIVATE+KEY+name+hex8(keyID)+base64(0x01 || 32-byte seed)
 * </pre>
 */
public final class Ed25519NoteSigner implements NoteSigner {
  /** Prefix of the private key string. */
  public static final String PRIVATE_KEY_PREFIX = "PRIVATE+KEY+";

  private final String name;
  private final SigningKey key;
  private final VerifierKey verifierKey;

  private Ed25519NoteSigner(String name, SigningKey key) throws FormatException {
    this.name = name;
    this.key = key;
    this.verifierKey = VerifierKey.of(name, SignatureType.ED25519, key.ed25519PublicKey());
  }

  /** See {@link SigningKey#noteSigner}, which checked that {@code key} is Ed25519. */
  public static Ed25519NoteSigner of(String name, SigningKey key) throws FormatException {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(key, "key");
    return new Ed25519NoteSigner(name, key);
  }

  /**
   * A signer from a 32-byte RFC 8032 seed.
   *
   * @throws FormatException if the name is not a valid key name or the seed is not 32 bytes
   */
  public static Ed25519NoteSigner fromSeed(String name, Bytes seed) throws FormatException {
    Objects.requireNonNull(name, "name");
    return SigningKey.ed25519FromSeed(seed).noteSigner(name);
  }

  /** A fresh key for {@code name} from {@code random} (use a strong source). */
  public static Ed25519NoteSigner generate(String name, SecureRandom random) throws FormatException {
    byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE];
    random.nextBytes(seed);
    try {
      return fromSeed(name, Bytes.copyOf(seed));
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  /**
   * Parses a private key string (class comment). The key ID must match the key, as in Go.
   *
   * @throws FormatException without echoing the secret part
   */
  public static Ed25519NoteSigner parsePrivateKey(String skey) throws FormatException {
    Objects.requireNonNull(skey, "skey");
    if (!skey.startsWith(PRIVATE_KEY_PREFIX)) {
      throw new FormatException("private note key must start with '" + PRIVATE_KEY_PREFIX + "'");
    }
    String rest = skey.substring(PRIVATE_KEY_PREFIX.length());
    int p1 = rest.indexOf('+');
    int p2 = p1 < 0 ? -1 : rest.indexOf('+', p1 + 1);
    if (p2 < 0) {
      throw new FormatException("private note key must be PRIVATE+KEY+<name>+<hex key ID>+<base64 0x01||seed>");
    }
    String name = rest.substring(0, p1);
    KeyId claimed = KeyId.parseHex(rest.substring(p1 + 1, p2));
    byte[] material;
    try {
      material = StrictBase64.decode(rest.substring(p2 + 1), "private key material");
    } catch (FormatException e) {
      // The decoder's message quotes its input; this input is secret.
      throw new FormatException("private note key " + name + ": key material is not canonical base64");
    }
    try {
      if (material.length != 1 + Ed25519.SECRET_KEY_SIZE || material[0] != SignatureType.ED25519.id()) {
        throw new FormatException("private note key " + name + ": expected 0x01 (Ed25519) and a 32-byte seed");
      }
      Ed25519NoteSigner signer = fromSeed(name, Bytes.copyOf(Arrays.copyOfRange(material, 1, material.length)));
      if (!signer.keyId().equals(claimed)) {
        throw new FormatException("private note key " + name + ": key ID " + claimed + " does not match the key ("
            + signer.keyId() + ")");
      }
      return signer;
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }

  /** Exports the secret: the private key string (class comment), as Go's {@code note.GenerateKey} writes it. */
  public String exportSecretPrivateKey() {
    byte[] seed = key.exportSecretEd25519Seed().toByteArray();
    byte[] material = new byte[1 + seed.length];
    material[0] = SignatureType.ED25519.id();
    System.arraycopy(seed, 0, material, 1, seed.length);
    try {
      return PRIVATE_KEY_PREFIX + name + "+" + keyId().hex() + "+" + StrictBase64.encode(material);
    } finally {
      Arrays.fill(material, (byte) 0);
      Arrays.fill(seed, (byte) 0);
    }
  }

  /** The key this signer signs with. */
  public SigningKey signingKey() {
    return key;
  }

  /** The verifier key (vkey) that checks this signer's signatures. */
  public VerifierKey verifierKey() {
    return verifierKey;
  }

  /**
   * A cosignature/v1 signer (type 0x04) with the same key and name, for a witness.
   *
   * @param clock gives the cosignature time; pass {@code Clock.systemUTC()} in production
   */
  public CosignatureV1Signer cosigner(java.time.Clock clock) {
    try {
      return new CosignatureV1Signer(name, key, clock);
    } catch (FormatException e) {
      throw new IllegalStateException("name and key were already validated", e);
    }
  }

  @Override
  public String keyName() {
    return name;
  }

  @Override
  public KeyId keyId() {
    return verifierKey.keyId();
  }

  @Override
  public SignatureType type() {
    return SignatureType.ED25519;
  }

  @Override
  public byte[] sign(byte[] message) {
    byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
    key.signEd25519(message, 0, message.length, sig, 0);
    return sig;
  }

  /** Names the key; never the secret. */
  @Override
  public String toString() {
    return "Ed25519NoteSigner[" + verifierKey + "]";
  }
}
