package dev.custody.core.entry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.FormatException;
import dev.custody.core.Gen;
import dev.custody.core.PropertyTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link PayloadHead}, the byte-level reader of a canonical payload's head behind
 * {@link EntryRecord#summary}, against the full decoder ({@link EntryRecord#payload(byte[], String)}).
 */
class PayloadHeadTest {
  private static final String HEAD = "{\"format\":\"custody/entry/v1\",\"chain\":\"acme/m\",\"sequence\":1,\"prev\":"
      + "\"sha256:" + "ab".repeat(32) + "\",\"keyId\":\"" + "cd".repeat(32) + "\",\"time\":\"2026-11-28T12:00:00.120Z\","
      + "\"event\":{\"type\":\"training\"";

  @PropertyTest(seed = 20261206, tries = 300)
  void read_canonicalPayload_equalsFullDecodersSummary(long seed) throws FormatException {
    EntryPayload p = EntryCodecPropertyTest.payload(new Gen(seed));

    assertThat(PayloadHead.read(EntryCodec.encode(p))).contains(EntrySummary.of(p));
  }

  /**
   * Whatever is changed, a head read here is the full decoder's whenever the full decoder accepts the
   * payload; where it reads a head the full decoder refuses, the change lies beyond the head.
   */
  @PropertyTest(seed = 20261206, tries = 1500)
  void read_mutatedPayload_emptyOrTheFullDecodersSummary(long seed) throws FormatException {
    Gen g = new Gen(seed);
    EntryPayload p = EntryCodecPropertyTest.payload(g);
    byte[] bytes = EntryCodec.encode(p);
    int headEnd = headEnd(bytes);
    int at = g.oneIn(2) ? g.intBetween(0, Math.min(headEnd, bytes.length - 1)) : g.intBetween(0, bytes.length - 1);
    byte[] mutated = bytes.clone();
    mutated[at] = (byte) (int) g.pick(List.of((int) '\\', (int) '"', (int) ' ', (int) '0', (int) '9', (int) 'A',
        (int) 'a', (int) 'f', (int) 'g', (int) ',', (int) '}', (int) '.', (int) 'Z', 0x7f, 0xc3));

    Optional<EntrySummary> head = PayloadHead.read(mutated);
    Optional<EntrySummary> full = fullSummary(mutated);

    if (head.isPresent() && full.isPresent()) {
      assertThat(head).as("byte %d of %s", at, new String(mutated, StandardCharsets.UTF_8)).isEqualTo(full);
    } else if (head.isPresent()) {
      assertThat(at).as("a head read from a payload the full decoder refuses").isGreaterThan(headEnd);
    }
  }

  @Test
  void read_truncatedAtEveryByte_readsAHeadOnlyOnceTheKindIsComplete() {
    byte[] bytes = (HEAD + ",\"inputs\":[]}}").getBytes(StandardCharsets.US_ASCII);
    for (int n = 0; n < bytes.length; n++) {
      byte[] cut = java.util.Arrays.copyOf(bytes, n);
      assertThat(PayloadHead.read(cut).isPresent()).as("first %d bytes", n).isEqualTo(n > HEAD.length());
    }
  }

  @Test
  void read_bodyDamagedAfterTheKind_headStillReadFullDecoderRefuses() throws FormatException {
    byte[] damaged = (HEAD + ",\"inputs\":[{\"name\":}]}}").getBytes(StandardCharsets.US_ASCII);

    assertThat(PayloadHead.read(damaged)).hasValueSatisfying(s -> {
      assertThat(s.chain()).isEqualTo("acme/m");
      assertThat(s.sequence()).isEqualTo(1);
      assertThat(s.type().name()).isEqualTo("training");
    });
    assertThat(fullSummary(damaged)).isEmpty();
  }

  /** Valid JSON for the same values, spelled otherwise: left to the full decoder, which decides. */
  @Test
  void read_otherSpellingsOfTheHead_empty() {
    for (String[] change : new String[][] {
        {"acme/m", "acme\\/m"}, {"\"sequence\":1", "\"sequence\":01"}, {"\"sequence\":1", "\"sequence\":1.0"},
        {"ab".repeat(32), "AB".repeat(32)}, {"cd".repeat(32), "CD".repeat(32)}, {".120Z", ".12Z"},
        {"\"training\"", "\"train\\u0069ng\""}, {",\"keyId\"", " ,\"keyId\""},
        {"\"format\":\"custody/entry/v1\",", ""}}) {
      String s = HEAD.replace(change[0], change[1]) + "}}";
      assertThat(PayloadHead.read(s.getBytes(StandardCharsets.UTF_8))).as(s).isEmpty();
    }
  }

  /** A first entry with a prev, a later one without: not a valid head. */
  @Test
  void read_prevNotMatchingTheSequence_empty() {
    String first = HEAD.replace("\"sequence\":1", "\"sequence\":0") + "}}";
    String later = HEAD.replaceAll(",\"prev\":\"sha256:[0-9a-f]{64}\"", "") + "}}";

    assertThat(PayloadHead.read(first.getBytes(StandardCharsets.US_ASCII))).isEmpty();
    assertThat(PayloadHead.read(later.getBytes(StandardCharsets.US_ASCII))).isEmpty();
  }

  private static Optional<EntrySummary> fullSummary(byte[] payload) {
    try {
      return Optional.of(EntrySummary.of(EntryRecord.payload(payload, "test")));
    } catch (FormatException e) {
      return Optional.empty();
    }
  }

  /** The index of the quote closing the event's kind. */
  private static int headEnd(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    String kind = "\"event\":{\"type\":";
    int from = text.indexOf(kind) + kind.length();
    int close = text.indexOf('"', from + 1);
    return text.substring(0, close).getBytes(StandardCharsets.UTF_8).length;
  }
}
