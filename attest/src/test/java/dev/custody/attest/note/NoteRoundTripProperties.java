package dev.custody.attest.note;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.bytes.Bytes;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.checkpoint.VerifiedCheckpoint;
import dev.custody.core.note.NoteVerifiers;
import dev.custody.core.note.SignedNote;
import dev.custody.core.note.VerifiedNote;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Seeded round-trip properties: sign → encode → parse/open gives back the same text and signatures. */
class NoteRoundTripProperties {

  @Provide
  Arbitrary<String> noteText() {
    // Any Unicode except control characters, in lines (empty lines allowed inside), ending in '\n'.
    Arbitrary<String> line = Arbitraries.strings().withCharRange(' ', '\u2fff').withChars('\u2014', '+', ' ')
        .ofMaxLength(40);
    return line.list().ofMinSize(1).ofMaxSize(6).map(ls -> String.join("\n", ls) + "\n");
  }

  @Provide
  Arbitrary<String> keyName() {
    return Arbitraries.strings().withCharRange('!', '~').withChars('\u00e9', '\u2014').ofMinLength(1).ofMaxLength(20)
        .filter(s -> !s.contains("+"));
  }

  @Property(tries = 200, seed = "4242")
  void signThenOpen_anyTextAndSigners_roundTrips(@ForAll("noteText") String text, @ForAll("keyName") String name,
      @ForAll @IntRange(min = 1, max = 4) int signers, @ForAll byte seedByte) throws Exception {
    List<Ed25519NoteSigner> keys = new java.util.ArrayList<>();
    for (int i = 0; i < signers; i++) {
      byte[] seed = new byte[32];
      seed[0] = seedByte;
      seed[1] = (byte) i;
      keys.add(Ed25519NoteSigner.fromSeed(name + i, Bytes.copyOf(seed)));
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

  @Provide
  Arbitrary<Checkpoint> checkpoint() {
    Arbitrary<String> origin = Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(30);
    Arbitrary<Long> size = Arbitraries.longs().between(0, Long.MAX_VALUE);
    Arbitrary<Bytes> root = Arbitraries.bytes().array(byte[].class).ofSize(32).map(Bytes::copyOf);
    Arbitrary<List<String>> ext = Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(10)
        .list().ofMaxSize(3);
    return Combinators.combine(origin, size, root, ext).as(Checkpoint::new);
  }

  @Property(tries = 300, seed = "4242")
  void formatThenParse_anyCheckpoint_roundTrips(@ForAll("checkpoint") Checkpoint c) throws Exception {
    assertThat(Checkpoint.parse(c.toBytes())).isEqualTo(c);
    assertThat(Checkpoint.parse(c.toBytes()).format()).isEqualTo(c.format());
  }

  @Property(tries = 50, seed = "4242")
  void signAndCosignThenVerify_anyCheckpoint_verifiesWithTimestamp(@ForAll("checkpoint") Checkpoint c,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long time) throws Exception {
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
