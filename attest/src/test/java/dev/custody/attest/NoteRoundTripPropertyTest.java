package dev.custody.attest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Gen;
import dev.custody.core.PropertyTest;
import dev.custody.core.Bytes;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.checkpoint.VerifiedCheckpoint;
import dev.custody.core.note.NoteVerifiers;
import dev.custody.core.note.SignedNote;
import dev.custody.core.note.VerifiedNote;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Seeded round-trip properties: sign → encode → parse/open gives back the same text and signatures. */
class NoteRoundTripPropertyTest {

  /** Any Unicode up to U+2FFF except control characters, in 1 to 6 lines (empty ones too), ending in '\n'. */
  static String noteText(Gen g) {
    return String.join("\n", g.list(1, 6, () -> g.oneIn(4) ? g.string("\u2014+ ", 0, 40)
        : g.stringInRange(' ', '\u2fff', 0, 40))) + "\n";
  }

  /** Printable ASCII, '\u00e9' and '\u2014', never '+' (the key name's separator). */
  static String keyName(Gen g) {
    String name;
    do {
      name = g.oneIn(4) ? g.string("a\u00e9\u2014", 1, 20) : g.stringInRange('!', '~', 1, 20);
    } while (name.contains("+"));
    return name;
  }

  @PropertyTest(seed = 4242, tries = 200)
  void signThenOpen_anyTextAndSigners_roundTrips(long seed) throws Exception {
    Gen g = new Gen(seed);
    String text = noteText(g);
    String name = keyName(g);
    int signers = g.intBetween(1, 4);
    byte seedByte = (byte) g.intBetween(-128, 127);
    List<Ed25519NoteSigner> keys = new ArrayList<>();
    for (int i = 0; i < signers; i++) {
      byte[] keySeed = new byte[32];
      keySeed[0] = seedByte;
      keySeed[1] = (byte) i;
      keys.add(Ed25519NoteSigner.fromSeed(name + i, Bytes.copyOf(keySeed)));
    }
    SignedNote note = SignedNote.sign(text, keys);
    byte[] encoded = note.encoded();
    SignedNote parsed = SignedNote.parse(encoded);
    assertThat(parsed).isEqualTo(note);
    assertThat(parsed.encoded()).isEqualTo(encoded);
    VerifiedNote opened = SignedNote.open(encoded, NoteVerifiers.of(keys.get(signers - 1).verifierKey()));
    assertThat(opened.text()).isEqualTo(text);
    assertThat(opened.verified()).hasSize(1);
    assertThat(opened.unverified()).hasSize(signers - 1);
    for (Ed25519NoteSigner k : keys) {
      assertThat(dev.custody.core.note.VerifierKey.parse(k.verifierKey().encode())).isEqualTo(k.verifierKey());
    }
  }

  /** Printable-ASCII origin, any size, any root, up to 3 extension lines. */
  static Checkpoint checkpoint(Gen g) {
    return new Checkpoint(g.stringInRange(' ', '~', 1, 30), g.longBetween(0, Long.MAX_VALUE),
        Bytes.copyOf(g.bytes(32)), g.list(0, 3, () -> g.stringInRange(' ', '~', 1, 10)));
  }

  @PropertyTest(seed = 4242, tries = 300)
  void formatThenParse_anyCheckpoint_roundTrips(long seed) throws Exception {
    Checkpoint c = checkpoint(new Gen(seed));

    assertThat(Checkpoint.parse(c.toBytes())).isEqualTo(c);
    assertThat(Checkpoint.parse(c.toBytes()).format()).isEqualTo(c.format());
  }

  @PropertyTest(seed = 4242, tries = 50)
  void signAndCosignThenVerify_anyCheckpoint_verifiesWithTimestamp(long seed) throws Exception {
    Gen g = new Gen(seed);
    Checkpoint c = checkpoint(g);
    long time = g.longBetween(0, Long.MAX_VALUE);
    Ed25519NoteSigner log = Ed25519NoteSigner.fromSeed("log.example", Bytes.copyOf(new byte[32]));
    byte[] wseed = new byte[32];
    wseed[31] = 7;
    CosignatureV1Signer witness = Ed25519NoteSigner.fromSeed("witness.example", Bytes.copyOf(wseed))
        .cosigner(Clock.fixed(Instant.ofEpochSecond(Math.min(time, Instant.MAX.getEpochSecond())), ZoneOffset.UTC));
    SignedNote note = SignedNote.sign(c.format(), List.of(log, witness));
    VerifiedCheckpoint v = CheckpointVerifier.forLog(c.origin(), log.verifierKey())
        .withWitnesses(List.of(witness.verifierKey()), 1).verify(note.encoded());
    assertThat(v.checkpoint()).isEqualTo(c);
    assertThat(v.cosignatures()).singleElement()
        .satisfies(co -> assertThat(co.timestamp()).isEqualTo(Math.min(time, Instant.MAX.getEpochSecond())));
  }
}
