package dev.custody.core.entry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.FormatException;
import dev.custody.core.Gen;
import dev.custody.core.PropertyTest;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.core.event.Invocation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast payload decoder against the strict one, the reference: it accepts exactly the canonical
 * encoding of the payloads it covers, with the strict decoder's value, and whatever it declines is
 * decided by the strict path, so {@link EntryRecord#payload(byte[], String)} gives the same value or
 * the same error (class and message) as {@link EntryRecord#strictPayload} on intact, truncated,
 * altered, re-spelled, duplicate-key, non-canonical and huge-number input.
 */
class CanonicalPayloadDecoderTest {
  private static final String INTACT = "{\"format\":\"custody/entry/v1\",\"chain\":\"org-4/model-39\",\"sequence\":7,"
      + "\"prev\":\"sha256:2f537eddbfbc7b9864f6e7ff7a82f2c329fb173fb546c44fb3b2c77bb33cbc58\","
      + "\"keyId\":\"9976a41854480d7a8e5c09268230d69fbd8095209a212b86eb53cf7a71a0b9ff\","
      + "\"time\":\"2026-12-05T04:15:36.928852725Z\",\"event\":{\"type\":\"evaluation\",\"inputs\":[{\"name\":\"model\","
      + "\"kind\":\"model\",\"digest\":\"sha256:86654aae7b4ff2b983e503f6aed334bdffcc8758bc7814406cf86fef330a45ba\","
      + "\"uri\":\"s3://models/org-4/m\"}],\"parameters\":{\"benchmark\":\"mmlu\",\"shots\":\"5\"},"
      + "\"startedAt\":\"2025-01-01T00:06:40Z\",\"finishedAt\":\"2025-01-01T00:25:46.500Z\","
      + "\"metrics\":{\"accuracy\":0.8125,\"loss\":1.50}}}";

  /** The outcome of a decoder: its value, or the class and message of its error. */
  private record Outcome(Optional<EntryPayload> value, String error) {
    static Outcome of(Decoder d, byte[] json) {
      try {
        return new Outcome(Optional.of(d.decode(json, "entry 3")), "");
      } catch (FormatException | RuntimeException e) {
        return new Outcome(Optional.empty(), e.getClass().getName() + ": " + e.getMessage());
      }
    }
  }

  private interface Decoder {
    EntryPayload decode(byte[] json, String where) throws FormatException;
  }

  private static Outcome fastThenStrict(byte[] json) {
    return Outcome.of(EntryRecord::payload, json);
  }

  private static Outcome strict(byte[] json) {
    return Outcome.of(EntryRecord::strictPayload, json);
  }

  @Test
  void decode_intactPayload_acceptsTheStrictValue() throws FormatException {
    byte[] json = INTACT.getBytes(UTF_8);
    Optional<EntryPayload> fast = CanonicalPayloadDecoder.decode(json);
    assertThat(fast).isPresent();
    assertThat(fast.get()).isEqualTo(EntryRecord.strictPayload(json, "entry"));
    assertThat(EntryCodec.encode(fast.get())).isEqualTo(json);
  }

  @PropertyTest(seed = 20261205, tries = 300)
  void decode_randomCanonicalPayload_acceptsExactlyTheStrictValue(long seed) throws FormatException {
    Gen g = new Gen(seed);
    EntryPayload p = withInvocation(g, EntryCodecPropertyTest.payload(g));
    byte[] json = EntryCodec.encode(p);
    Optional<EntryPayload> fast = CanonicalPayloadDecoder.decode(json);
    EventType type = p.event().type();
    if (!type.isBuiltIn() || type.equals(EventType.COMPARISON)) {
      assertThat(fast).as("custom kinds and comparisons take the strict path").isEmpty();
    } else if (new String(json, UTF_8).indexOf('\\') >= 0) {
      assertThat(fast).as("text encode escapes (control characters, quotes, beyond the BMP) takes the strict path")
          .isEmpty();
    } else {
      assertThat(fast).as("every other canonical payload of a covered kind is accepted").contains(p);
    }
    assertThat(EntryRecord.payload(json, "entry")).isEqualTo(EntryRecord.strictPayload(json, "entry")).isEqualTo(p);
  }

  /** Random damage to canonical payloads: what the fast decoder accepts, the strict path accepts as the same value. */
  @PropertyTest(seed = 9_000_000, tries = 800)
  void decode_mutatedPayload_sameOutcomeAsStrictPath(long seed) {
    Gen g = new Gen(seed);
    byte[] json = g.nextBoolean() ? INTACT.getBytes(UTF_8)
        : EntryCodec.encode(withInvocation(g, EntryCodecPropertyTest.payload(g)));
    byte[] mutated = mutate(g, json);
    Optional<EntryPayload> fast = CanonicalPayloadDecoder.decode(mutated);
    Outcome reference = strict(mutated);
    if (fast.isPresent()) {
      assertThat(reference.value()).as("strict path on %s", new String(mutated, UTF_8)).contains(fast.get());
      assertThat(EntryCodec.encode(fast.get())).isEqualTo(mutated);
    }
    assertThat(fastThenStrict(mutated)).isEqualTo(reference);
  }

  static List<Object[]> respelled() {
    List<Object[]> cases = new ArrayList<>();
    cases.add(named("whitespace after a colon", s -> s.replace("\"chain\":", "\"chain\": ")));
    cases.add(named("newline at the end", s -> s + "\n"));
    cases.add(named("byte-order mark", s -> "\ufeff" + s));
    cases.add(named("trailing content", s -> s + "{}"));
    cases.add(named("truncated", s -> s.substring(0, s.length() - 1)));
    cases.add(named("truncated in a string", s -> s.substring(0, s.indexOf("mmlu") + 2)));
    cases.add(named("escaped letter in a value", s -> s.replace("mmlu", "\\u006dmlu")));
    cases.add(named("escaped letter in a member name", s -> s.replace("\"chain\"", "\"\\u0063hain\"")));
    cases.add(named("escaped slash", s -> s.replace("org-4/model-39", "org-4\\/model-39")));
    cases.add(named("duplicate member", s -> s.replace("\"chain\":", "\"chain\":\"org-4/model-39\",\"chain\":")));
    cases.add(named("duplicate map key", s -> s.replace("\"shots\":\"5\"", "\"shots\":\"5\",\"shots\":\"6\"")));
    cases.add(named("map keys out of order", s -> s.replace("\"benchmark\":\"mmlu\",\"shots\":\"5\"",
        "\"shots\":\"5\",\"benchmark\":\"mmlu\"")));
    cases.add(named("members out of order", s -> s.replace("\"chain\":\"org-4/model-39\",\"sequence\":7",
        "\"sequence\":7,\"chain\":\"org-4/model-39\"")));
    cases.add(named("unknown member", s -> s.replace("\"sequence\":7", "\"sequence\":7,\"extra\":1")));
    cases.add(named("empty list encode omits", s -> s.replace("\"type\":\"evaluation\",",
        "\"type\":\"evaluation\",\"outputs\":[],")));
    cases.add(named("empty map encode omits", s -> s.replace("\"startedAt\"", "\"environment\":{},\"startedAt\"")));
    cases.add(named("null member", s -> s.replace("\"uri\":\"s3://models/org-4/m\"", "\"uri\":null")));
    cases.add(named("sequence with a fraction", s -> s.replace("\"sequence\":7", "\"sequence\":7.0")));
    cases.add(named("sequence with an exponent", s -> s.replace("\"sequence\":7", "\"sequence\":7e0")));
    cases.add(named("sequence with a leading zero", s -> s.replace("\"sequence\":7", "\"sequence\":07")));
    cases.add(named("negative sequence", s -> s.replace("\"sequence\":7", "\"sequence\":-7")));
    cases.add(named("huge sequence", s -> s.replace("\"sequence\":7", "\"sequence\":92233720368547758070")));
    cases.add(named("sequence as a string", s -> s.replace("\"sequence\":7", "\"sequence\":\"7\"")));
    cases.add(named("metric re-spelled with an exponent", s -> s.replace("0.8125", "8.125e-1")));
    cases.add(named("metric negative zero", s -> s.replace("0.8125", "-0")));
    cases.add(named("metric huge exponent", s -> s.replace("0.8125", "1e999999999999")));
    cases.add(named("metric over the number length", s -> s.replace("0.8125", "0." + "1".repeat(120))));
    cases.add(named("time with a short fraction", s -> s.replace("00:25:46.500Z", "00:25:46.5Z")));
    cases.add(named("time with a zero fraction", s -> s.replace("00:06:40Z", "00:06:40.000Z")));
    cases.add(named("time at 24:00", s -> s.replace("T00:06:40Z", "T24:00:00Z")));
    cases.add(named("finished before started", s -> s.replace("2025-01-01T00:25:46.500Z", "2024-01-01T00:25:46.500Z")));
    cases.add(named("uppercase digest", s -> s.replace("sha256:2f537edd", "sha256:2F537EDD")));
    cases.add(named("unknown artifact kind", s -> s.replace("\"kind\":\"model\"", "\"kind\":\"weights\"")));
    cases.add(named("other format", s -> s.replace("custody/entry/v1", "custody/entry/v2")));
    cases.add(named("first entry with prev", s -> s.replace("\"sequence\":7", "\"sequence\":0")));
    cases.add(named("release without version", s -> s.replace("\"type\":\"evaluation\"", "\"type\":\"release\"")));
    cases.add(named("custom kind", s -> s.replace("\"type\":\"evaluation\"", "\"type\":\"urn:acme:x\"")
        .replace(",\"metrics\":{\"accuracy\":0.8125,\"loss\":1.50}", "")));
    cases.add(named("lone surrogate", s -> s.replace("mmlu", "\\ud800mmlu")));
    cases.add(named("non-ASCII value", s -> s.replace("mmlu", "mmlu-\u00e9\u4e2d")));
    cases.add(named("character beyond the BMP, raw", s -> s.replace("mmlu", "mmlu\ud83d\ude00")));
    cases.add(named("character beyond the BMP, escaped as encode writes it", s -> s.replace("mmlu", "mmlu\\ud83d\\ude00")));
    cases.add(named("non-ASCII value escaped", s -> s.replace("mmlu", "mmlu-\\u00e9")));
    cases.add(named("control character escaped", s -> s.replace("mmlu", "mm\\u0001lu")));
    cases.add(named("deep nesting", s -> s.replace("\"shots\":\"5\"", "\"shots\":" + "[".repeat(40) + "]".repeat(40))));
    return cases;
  }

  private static Object[] named(String name, UnaryOperator<String> change) {
    return new Object[] {name, change};
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("respelled")
  void payload_respelledOrInvalid_sameValueOrErrorAsStrictPath(String name, UnaryOperator<String> change) {
    byte[] json = change.apply(INTACT).getBytes(UTF_8);
    assertThat(json).as("the case changes the payload").isNotEqualTo(INTACT.getBytes(UTF_8));
    Outcome reference = strict(json);
    assertThat(fastThenStrict(json)).isEqualTo(reference);
    Optional<EntryPayload> fast = CanonicalPayloadDecoder.decode(json);
    if (name.equals("non-ASCII value")) {
      assertThat(fast).as("canonical with UTF-8 text").isEqualTo(reference.value()).isPresent();
    } else {
      assertThat(fast).as("declined: %s", reference.error()).isEmpty();
    }
  }

  @Test
  void instantFractionDigits_everyPrecision_matchesInstantToString() {
    Gen g = new Gen(5);
    for (int i = 0; i < 20_000; i++) {
      int nanos = switch (i % 4) {
        case 0 -> 0;
        case 1 -> g.intBetween(0, 999) * 1_000_000;
        case 2 -> g.intBetween(0, 999_999) * 1_000;
        default -> g.intBetween(0, 999_999_999);
      };
      String text = Instant.ofEpochSecond(g.longBetween(0, 253_402_300_799L), nanos).toString();
      int digits = text.length() == 20 ? 0 : text.length() - 21;
      assertThat(CanonicalPayloadDecoder.instantFractionDigits(nanos)).as(text).isEqualTo(digits);
    }
  }

  /** Adds an invocation to some events (EntryCodecPropertyTest's generator has none). */
  private static EntryPayload withInvocation(Gen g, EntryPayload p) {
    if (g.intBetween(0, 3) != 0) {
      return p;
    }
    Event e = p.event();
    List<String> command = g.list(1, 4, () -> g.anyText(12));
    Invocation inv = new Invocation(command, g.pick(0, 1, -1, 137, Integer.MAX_VALUE, Integer.MIN_VALUE),
        g.nextBoolean() ? "/work" : g.anyText(10));
    Event withInv = new Event(e.type(), e.inputs(), e.outputs(), e.parameters(), e.environment(), e.startedAt(),
        e.finishedAt(), e.details(), Optional.of(inv));
    return new EntryPayload(p.chain(), p.sequence(), p.prev(), p.keyId(), p.time(), withInv);
  }

  /** One random change: a byte flipped, inserted, deleted or doubled, whitespace, truncation, or an escape. */
  private static byte[] mutate(Gen g, byte[] json) {
    String s = new String(json, UTF_8);
    int at = g.intBetween(0, json.length - 1);
    return switch (g.intBetween(0, 7)) {
      case 0 -> {
        byte[] b = json.clone();
        b[at] = (byte) g.intBetween(0, 255);
        yield b;
      }
      case 1 -> splice(json, at, 0, g.pick(" ", "\n", "\t", ",", "0", "\"", "\\", "}", "]", ".5", "e1").getBytes(UTF_8));
      case 2 -> splice(json, at, 1, new byte[0]);
      case 3 -> splice(json, at, 0, new byte[] {json[at]});
      case 4 -> java.util.Arrays.copyOf(json, at);
      case 5 -> {
        int c = s.indexOf(g.pick("a", "e", "o", "1", "/", ":"), g.intBetween(0, s.length() - 1));
        yield c < 0 ? json : (s.substring(0, c) + String.format("\\u%04x", (int) s.charAt(c)) + s.substring(c + 1))
            .getBytes(UTF_8);
      }
      case 6 -> s.replaceFirst("\"sequence\":[0-9]+", "\"sequence\":" + g.pick("-0", "00", "1.0", "1e2", "-1",
          "99999999999999999999", "9223372036854775807", "9223372036854775808")).getBytes(UTF_8);
      default -> s.replaceFirst(g.pick("Z\"", ":\\{", ",\""), g.pick("0Z\"", ":{\"a\":1,", ",\"x\":{},\"")).getBytes(UTF_8);
    };
  }

  private static byte[] splice(byte[] json, int at, int remove, byte[] insert) {
    byte[] out = new byte[json.length - remove + insert.length];
    System.arraycopy(json, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(json, at + remove, out, at + insert.length, json.length - at - remove);
    return out;
  }
}
