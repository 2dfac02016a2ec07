package dev.custody.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.Bytes;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.note.CosignatureV1;
import dev.custody.core.note.InvalidNoteSignatureException;
import dev.custody.core.note.KeyId;
import dev.custody.core.note.NoteSignature;
import dev.custody.core.note.NoteSigner;
import dev.custody.core.note.SignatureType;
import dev.custody.core.note.SignedNote;
import dev.custody.core.note.VerifierKey;
import java.util.List;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;

/**
 * k-of-n witness policies through {@link CheckpointVerifier#withWitnesses}: at least k distinct
 * trusted witnesses must have cosigned, and any bad cosignature by a trusted witness rejects the
 * note whatever the count.
 */
class WitnessThresholdTest {
  static final String ORIGIN = "example.com/log";
  static final String TEXT = Checkpoint.format(ORIGIN, 7, MerkleHash.EMPTY_ROOT);

  /** A minimal test signer over BC's RFC 8032 code: Ed25519 (0x01) or cosignature/v1 (0x04) at a fixed time. */
  static final class TestSigner implements NoteSigner {
    final String name;
    final byte[] seed = new byte[32];
    final byte[] pub = new byte[32];
    final SignatureType type;
    final long time;
    final VerifierKey vkey;

    TestSigner(String name, int seedByte, SignatureType type, long time) throws Exception {
      this.name = name;
      this.seed[0] = (byte) seedByte;
      Ed25519.generatePublicKey(seed, 0, pub, 0);
      this.type = type;
      this.time = time;
      this.vkey = VerifierKey.of(name, type, Bytes.copyOf(pub));
    }

    static TestSigner witness(String name, int seed) throws Exception {
      return new TestSigner(name, seed, SignatureType.COSIGNATURE_V1, 1_700_000_000L + seed);
    }

    TestSigner at(long t) throws Exception {
      return new TestSigner(name, seed[0], type, t);
    }

    @Override
    public String keyName() {
      return name;
    }

    @Override
    public KeyId keyId() {
      return vkey.keyId();
    }

    @Override
    public SignatureType type() {
      return type;
    }

    @Override
    public byte[] sign(byte[] message) {
      if (type == SignatureType.ED25519) {
        byte[] sig = new byte[64];
        Ed25519.sign(seed, 0, pub, 0, message, 0, message.length, sig, 0);
        return sig;
      }
      byte[] m = CosignatureV1.signedMessage(time, message);
      byte[] out = new byte[72];
      for (int i = 0; i < 8; i++) {
        out[i] = (byte) (time >>> (56 - 8 * i));
      }
      Ed25519.sign(seed, 0, pub, 0, m, 0, m.length, out, 8);
      return out;
    }
  }

  final TestSigner log;
  final TestSigner w1;
  final TestSigner w2;
  final TestSigner w3;
  final TestSigner stranger;

  WitnessThresholdTest() throws Exception {
    log = new TestSigner(ORIGIN, 1, SignatureType.ED25519, 0);
    w1 = TestSigner.witness("w1.example", 11);
    w2 = TestSigner.witness("w2.example", 12);
    w3 = TestSigner.witness("w3.example", 13);
    stranger = TestSigner.witness("stranger.example", 14);
  }

  byte[] note(NoteSigner... cosigners) throws Exception {
    List<NoteSigner> all = new java.util.ArrayList<>();
    all.add(log);
    all.addAll(List.of(cosigners));
    return SignedNote.sign(TEXT, all).encoded();
  }

  CheckpointVerifier policy(int k) {
    return CheckpointVerifier.forLog(ORIGIN, log.vkey).withWitnesses(List.of(w1.vkey, w2.vkey, w3.vkey), k);
  }

  @Test
  void verify_twoOfThreeCosigned_acceptsWithBothCosignaturesAndTimes() throws Exception {
    VerifiedCheckpoint v = policy(2).verify(note(w1, w3));
    assertThat(v.cosignatures()).extracting(Cosignature::witness).containsExactly(w1.vkey, w3.vkey);
    assertThat(v.cosignatures()).extracting(Cosignature::timestamp).containsExactly(w1.time, w3.time);
  }

  @Test
  void verify_oneOfThreeCosignedWithThresholdTwo_throwsNamingCounts() throws Exception {
    assertThatThrownBy(() -> policy(2).verify(note(w2)))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("has 1 valid witness cosignatures, 2 required");
  }

  @Test
  void verify_noCosignatureWithThresholdOne_throws() throws Exception {
    assertThatThrownBy(() -> policy(1).verify(note())).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("0 valid witness cosignatures");
  }

  @Test
  void verify_untrustedCosignersDoNotCount_throws() throws Exception {
    assertThatThrownBy(() -> policy(2).verify(note(w1, stranger))).isInstanceOf(CheckpointException.class);
  }

  @Test
  void verify_sameWitnessTwiceAtDifferentTimes_countsOnce() throws Exception {
    byte[] twice = SignedNote.parse(note(w1)).withSignature(line(w1.at(1_800_000_000L))).encoded();
    assertThat(SignedNote.parse(twice).signatures()).hasSize(3);
    assertThatThrownBy(() -> policy(2).verify(twice)).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("has 1 valid");
  }

  @Test
  void verify_badCosignatureByTrustedWitness_rejectedEvenAboveThreshold() throws Exception {
    NoteSignature good = line(w3);
    byte[] sig = good.signature().toByteArray();
    sig[20] ^= 1;
    NoteSignature bad = new NoteSignature(good.keyName(), good.keyId(), Bytes.copyOf(sig));
    byte[] n = SignedNote.parse(note(w1, w2)).withSignature(bad).encoded();
    assertThatThrownBy(() -> policy(2).verify(n)).isInstanceOf(InvalidNoteSignatureException.class);
  }

  @Test
  void verify_cosignatureWithAlteredTimestamp_rejected() throws Exception {
    NoteSignature good = line(w1);
    byte[] sig = good.signature().toByteArray();
    sig[7] ^= 1; // the timestamp is signed too (tlog-cosignature §Ed25519 signed message)
    byte[] n = SignedNote.parse(note(w2)).withSignature(new NoteSignature(good.keyName(), good.keyId(),
        Bytes.copyOf(sig))).encoded();
    assertThatThrownBy(() -> policy(1).verify(n)).isInstanceOf(InvalidNoteSignatureException.class);
  }

  @Test
  void verify_cosignatureCopiedFromAnotherCheckpoint_rejected() throws Exception {
    NoteSignature other = SignedNote.sign(Checkpoint.format(ORIGIN, 8, MerkleHash.EMPTY_ROOT), List.of(log, w1))
        .signatures().get(1);
    byte[] n = SignedNote.parse(note(w2)).withSignature(other).encoded();
    assertThatThrownBy(() -> policy(1).verify(n)).isInstanceOf(InvalidNoteSignatureException.class);
  }

  @Test
  void verify_witnessConfiguredByEd25519Vkey_verifiesItsCosignature() throws Exception {
    VerifierKey plain = VerifierKey.of(w1.name, SignatureType.ED25519, Bytes.copyOf(w1.pub));
    CheckpointVerifier v = CheckpointVerifier.forLog(ORIGIN, log.vkey).withWitnesses(List.of(plain), 1);
    assertThat(v.verify(note(w1)).cosignatures()).hasSize(1);
  }

  @Test
  void withWitnesses_sameKeyListedTwice_countsAsOneWitness() {
    VerifierKey plain;
    try {
      plain = VerifierKey.of(w1.name, SignatureType.ED25519, Bytes.copyOf(w1.pub));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThatThrownBy(() -> CheckpointVerifier.forLog(ORIGIN, log.vkey).withWitnesses(List.of(w1.vkey, plain), 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..1");
  }

  @Test
  void withWitnesses_thresholdAboveWitnessCount_throws() {
    assertThatThrownBy(() -> policy(4)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..3");
  }

  @Test
  void verify_thresholdZero_stillRejectsBadCosignatureByTrustedWitness() throws Exception {
    NoteSignature good = line(w3);
    byte[] sig = good.signature().toByteArray();
    sig[40] ^= 1;
    byte[] n = SignedNote.parse(note()).withSignature(new NoteSignature(good.keyName(), good.keyId(),
        Bytes.copyOf(sig))).encoded();
    assertThatThrownBy(() -> policy(0).verify(n)).isInstanceOf(InvalidNoteSignatureException.class);
  }

  private NoteSignature line(TestSigner w) throws Exception {
    return SignedNote.sign(TEXT, List.of(w)).signatures().get(0);
  }
}
