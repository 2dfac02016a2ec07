package dev.custody.core.entry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.FormatException;
import dev.custody.core.digest.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Seeded property: every valid payload survives encode then decode unchanged, byte for byte. */
class EntryCodecPropertyTest {
  private static final long MIN_SECOND = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
  private static final long MAX_SECOND = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

  @Property(tries = 150, seed = "20261128")
  void encodeDecode_randomValidPayload_equalsOriginal(@ForAll("payloads") EntryPayload p) throws FormatException {
    byte[] bytes = EntryCodec.encode(p);
    EntryPayload back = EntryCodec.decode(bytes, "payload");
    assertThat(back).isEqualTo(p);
    assertThat(EntryCodec.encode(back)).isEqualTo(bytes);
  }

  @Provide
  Arbitrary<EntryPayload> payloads() {
    Arbitrary<String> chain = name("[A-Za-z0-9]", "[A-Za-z0-9._-]", 64).list().ofMinSize(1).ofMaxSize(8)
        .map(l -> String.join("/", l));
    Arbitrary<Long> sequence = Arbitraries.oneOf(Arbitraries.longs().between(0, 3),
        Arbitraries.longs().between(0, Long.MAX_VALUE));
    Arbitrary<String> keyId = Arbitraries.bytes().array(byte[].class).ofSize(32)
        .map(b -> Digest.ofSha256(b).value().hex());
    return Combinators.combine(chain, sequence, digests(), keyId, times(), events())
        .as((c, s, prev, k, t, e) -> new EntryPayload(c, s, s == 0 ? Optional.empty() : Optional.of(prev), k, t, e));
  }

  private static Arbitrary<String> name(String first, String rest, int max) {
    Arbitrary<Character> f = Arbitraries.of(chars(first));
    Arbitrary<String> r = Arbitraries.of(chars(rest)).list().ofMaxSize(max - 1)
        .map(l -> l.stream().map(String::valueOf).reduce("", String::concat));
    return Combinators.combine(f, r).as((a, b) -> a + b);
  }

  private static List<Character> chars(String cls) {
    List<Character> out = new java.util.ArrayList<>();
    for (char c = 0x20; c < 0x7f; c++) {
      if (String.valueOf(c).matches(cls)) {
        out.add(c);
      }
    }
    return out;
  }

  private static Arbitrary<String> artifactName() {
    return name("[A-Za-z0-9]", "[A-Za-z0-9._:/@+-]", 20);
  }

  /** Any Unicode text, including quotes, backslashes, control characters and astral code points. */
  private static Arbitrary<String> text() {
    return Arbitraries.strings().all().ofMaxLength(30);
  }

  private static Arbitrary<Digest> digests() {
    return Arbitraries.bytes().array(byte[].class).ofSize(32).map(Digest::ofSha256);
  }

  private static Arbitrary<Instant> times() {
    Arbitrary<Integer> nanos = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 999)
        .map(n -> n * 1_000_000), Arbitraries.integers().between(0, 999_999_999));
    return Combinators.combine(Arbitraries.longs().between(MIN_SECOND, MAX_SECOND), nanos)
        .as(Instant::ofEpochSecond);
  }

  private static Arbitrary<Map<String, String>> stringMaps() {
    return Arbitraries.maps(artifactName(), text()).ofMaxSize(4);
  }

  private static Arbitrary<ArtifactRef> artifacts() {
    return Combinators.combine(artifactName(), Arbitraries.of(ArtifactKind.class), digests(),
        text().optional(), text().optional(), stringMaps())
        .as((n, k, d, u, m, a) -> new ArtifactRef(n, k, d, u, m, new TreeMap<>(a)));
  }

  private static Arbitrary<List<ArtifactRef>> artifactLists() {
    return artifacts().list().ofMaxSize(4).uniqueElements(ArtifactRef::name);
  }

  private static Arbitrary<BigDecimal> decimals() {
    return Combinators.combine(Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(),
        BigInteger.TEN.pow(30)), Arbitraries.integers().between(-20, 20)).as(BigDecimal::new);
  }

  private static Arbitrary<String> customBodies() {
    Arbitrary<String> value = Arbitraries.oneOf(text().map(t -> com.fasterxml.jackson.core.io.JsonStringEncoder
        .getInstance().quoteAsString(t)).map(q -> "\"" + new String(q) + "\""), decimals().map(BigDecimal::toString),
        Arbitraries.of("true", "false", "null", "[]", "{}", "[1,[2,{\"x\":3}]]"));
    return Arbitraries.maps(artifactName(), value).ofMaxSize(4).map(m -> {
      StringBuilder sb = new StringBuilder("{");
      m.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
      return sb.append('}').toString();
    });
  }

  private static Arbitrary<EventType> types() {
    return Arbitraries.oneOf(Arbitraries.of(EventType.BUILT_IN),
        artifactName().map(n -> EventType.of("https://example.com/kinds/" + n.replace(':', '-').replace('@', '-'))),
        artifactName().map(n -> EventType.of("urn:acme:" + n.replace('/', '-').replace('@', '-'))));
  }

  private static Arbitrary<EventDetails> details(EventType t) {
    if (!t.isBuiltIn()) {
      return customBodies().map(EventDetails.Custom::new);
    }
    return switch (t.name()) {
      case "evaluation" -> Arbitraries.maps(artifactName(), decimals()).ofMaxSize(4)
          .map(m -> new EventDetails.Evaluation(new TreeMap<>(m)));
      case "conversion", "merge" -> artifactName().optional().map(EventDetails.Method::new);
      case "release" -> artifactName().map(EventDetails.Release::new);
      case "custody-transfer" -> Combinators.combine(text().filter(s -> !s.isEmpty()), text().filter(s -> !s.isEmpty()))
          .as(EventDetails.Transfer::new);
      case "approval" -> Combinators.combine(digests(), Arbitraries.of("approved", "rejected"), text().optional())
          .as(EventDetails.Decision::new);
      case "revocation" -> Combinators.combine(digests(), text().optional())
          .as((d, r) -> new EventDetails.Decision(d, "revoked", r));
      case "annotation" -> text().map(EventDetails.Annotation::new);
      default -> Arbitraries.just(new EventDetails.None());
    };
  }

  private static Arbitrary<Event> events() {
    Arbitrary<Tuple.Tuple2<Optional<Instant>, Optional<Instant>>> window = Combinators.combine(
        times().optional(), times().optional()).as((a, b) -> {
          if (a.isPresent() && b.isPresent() && b.get().isBefore(a.get())) {
            return Tuple.of(b, a);
          }
          return Tuple.of(a, b);
        });
    return types().flatMap(t -> Combinators.combine(artifactLists(), artifactLists(), stringMaps(), stringMaps(),
        window, details(t)).as((in, out, par, env, w, d) -> new Event(t, in, out, new TreeMap<>(par),
            new TreeMap<>(env), w.get1(), w.get2(), d)));
  }
}
