package dev.custody.attest;

import dev.custody.attest.SigningKey;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.note.CosignatureV1;
import dev.custody.core.note.KeyId;
import dev.custody.core.note.NoteSigner;
import dev.custody.core.note.NoteSigningException;
import dev.custody.core.note.SignatureType;
import dev.custody.core.note.VerifierKey;
import java.time.Clock;
import java.util.Objects;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A witness's Ed25519 cosigner (C2SP tlog-cosignature {@code cosignature/v1}, signature type 0x04).
 * It signs {@code "cosignature/v1\ntime <t>\n" || checkpoint text} and returns
 * {@code u64be(t) || signature}, with {@code t} the clock's POSIX seconds. Immutable and
 * thread-safe if the clock is. The key material is a {@link SigningKey}'s ({@link SigningKey#cosigner}).
 *
 * <p>It refuses text that is not a well-formed checkpoint: a cosignature is a statement about a
 * tree head, so its key must never sign anything else. Whether the checkpoint is consistent with
 * what the witness saw before is the caller's decision, made before calling {@code sign}.
 */
public final class CosignatureV1Signer implements NoteSigner {
  private final String name;
  private final SigningKey key;
  private final VerifierKey verifierKey;
  private final Clock clock;

  CosignatureV1Signer(String name, SigningKey key, Clock clock) throws FormatException {
    this.name = name;
    this.key = key;
    this.verifierKey = VerifierKey.of(name, SignatureType.COSIGNATURE_V1, key.ed25519PublicKey());
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A cosigner from a 32-byte RFC 8032 seed. */
  public static CosignatureV1Signer fromSeed(String name, Bytes seed, Clock clock) throws FormatException {
    return SigningKey.ed25519FromSeed(seed).cosigner(name, clock);
  }

  /** The type-0x04 verifier key (key ID computed with 0x04) that checks these cosignatures. */
  public VerifierKey verifierKey() {
    return verifierKey;
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
    return SignatureType.COSIGNATURE_V1;
  }

  /**
   * @throws NoteSigningException if {@code message} is not a checkpoint, or the clock is before 1970
   */
  @Override
  public byte[] sign(byte[] message) throws NoteSigningException {
    try {
      Checkpoint.parse(message);
    } catch (FormatException e) {
      throw new NoteSigningException("cosigner " + name + " refuses to sign: not a checkpoint: " + e.getMessage(), e);
    }
    long t = clock.instant().getEpochSecond();
    if (t < 0) {
      throw new NoteSigningException("cosigner " + name + ": clock is before 1970 (" + clock.instant() + ")");
    }
    byte[] signed = CosignatureV1.signedMessage(t, message);
    byte[] out = new byte[CosignatureV1.TIMESTAMP_LENGTH + Ed25519.SIGNATURE_SIZE];
    for (int i = 0; i < CosignatureV1.TIMESTAMP_LENGTH; i++) {
      out[i] = (byte) (t >>> (56 - 8 * i));
    }
    key.signEd25519(signed, 0, signed.length, out, CosignatureV1.TIMESTAMP_LENGTH);
    return out;
  }

  @Override
  public String toString() {
    return "CosignatureV1Signer[" + verifierKey + "]";
  }
}
