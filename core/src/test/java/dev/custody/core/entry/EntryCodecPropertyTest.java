package dev.custody.core.entry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.custody.core.FormatException;
import dev.custody.core.Gen;
import dev.custody.core.PropertyTest;
import dev.custody.core.derivation.Summaries;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Seeded property: every valid payload survives encode then decode unchanged, byte for byte. */
class EntryCodecPropertyTest {
  private static final long MIN_SECOND = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
  private static final long MAX_SECOND = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
  private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  @PropertyTest(seed = 20261128, tries = 150)
  void encodeDecode_randomValidPayload_equalsOriginal(long seed) throws FormatException {
    EntryPayload p = payload(new Gen(seed));
    byte[] bytes = EntryCodec.encode(p);
    EntryPayload back = EntryCodec.decode(bytes, "payload");
    assertThat(back).isEqualTo(p);
    assertThat(EntryCodec.encode(back)).isEqualTo(bytes);
  }

  /** A valid payload: every field drawn from its whole grammar, each event kind and its details. */
  static EntryPayload payload(Gen g) {
    String chain = String.join("/", g.list(1, 8, () -> name(g, ALNUM, ALNUM + "._-", 64)));
    long sequence = g.nextBoolean() ? g.longBetween(0, 3) : g.longBetween(0, Long.MAX_VALUE);
    Optional<Digest> prev = sequence == 0 ? Optional.empty() : Optional.of(digest(g));
    String keyId = Digest.ofSha256(g.bytes(32)).value().hex();
    return new EntryPayload(chain, sequence, prev, keyId, time(g), event(g));
  }

  private static String name(Gen g, String first, String rest, int max) {
    return g.string(first, 1, 1) + g.string(rest, 0, max - 1);
  }

  private static String artifactName(Gen g) {
    return name(g, ALNUM, ALNUM + "._:/@+-", 20);
  }

  /** Any Unicode text, including quotes, backslashes, control characters and astral code points. */
  private static String text(Gen g) {
    return g.anyText(30);
  }

  private static Digest digest(Gen g) {
    return Digest.ofSha256(g.bytes(32));
  }

  private static Instant time(Gen g) {
    int nanos = switch (g.intBetween(0, 2)) {
      case 0 -> 0;
      case 1 -> g.intBetween(0, 999) * 1_000_000;
      default -> g.intBetween(0, 999_999_999);
    };
    return Instant.ofEpochSecond(g.longBetween(MIN_SECOND, MAX_SECOND), nanos);
  }

  private static <V> Map<String, V> map(Gen g, Supplier<V> value) {
    Map<String, V> m = new LinkedHashMap<>();
    int n = g.intBetween(0, 4);
    for (int i = 0; i < n; i++) {
      m.put(artifactName(g), value.get());
    }
    return m;
  }

  private static List<ArtifactRef> artifacts(Gen g) {
    List<ArtifactRef> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int n = g.intBetween(0, 4);
    for (int i = 0; i < n; i++) {
      ArtifactRef a = new ArtifactRef(artifactName(g), g.pick(ArtifactKind.values()), digest(g),
          g.optional(() -> text(g)), g.optional(() -> text(g)), new TreeMap<>(map(g, () -> text(g))));
      if (names.add(a.name())) {
        out.add(a);
      }
    }
    return out;
  }

  private static BigDecimal decimal(Gen g) {
    // unscaled in [-10^30, 10^30]
    BigInteger bounded = new BigInteger(1, g.bytes(0, 13)).mod(BigInteger.TEN.pow(30).add(BigInteger.ONE));
    return new BigDecimal(g.nextBoolean() ? bounded.negate() : bounded, g.intBetween(-20, 20));
  }

  private static String customBody(Gen g) {
    Map<String, String> m = map(g, () -> switch (g.intBetween(0, 2)) {
      case 0 -> "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text(g))) + "\"";
      case 1 -> decimal(g).toString();
      default -> g.pick("true", "false", "null", "[]", "{}", "[1,[2,{\"x\":3}]]");
    });
    StringBuilder sb = new StringBuilder("{");
    m.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
    return sb.append('}').toString();
  }

  private static EventType type(Gen g) {
    return switch (g.intBetween(0, 2)) {
      case 0 -> g.pick(EventType.BUILT_IN);
      case 1 -> EventType.of("https://example.com/kinds/" + artifactName(g).replace(':', '-').replace('@', '-'));
      default -> EventType.of("urn:acme:" + artifactName(g).replace('/', '-').replace('@', '-'));
    };
  }

  private static String nonEmptyText(Gen g) {
    String t = text(g);
    return t.isEmpty() ? "x" : t;
  }

  private static EventDetails details(Gen g, EventType t) {
    if (!t.isBuiltIn()) {
      return new EventDetails.Custom(customBody(g));
    }
    return switch (t.name()) {
      case "evaluation" -> new EventDetails.Evaluation(new TreeMap<>(map(g, () -> decimal(g))));
      case "conversion", "merge" -> new EventDetails.Method(g.optional(() -> artifactName(g)));
      case "release" -> new EventDetails.Release(artifactName(g));
      case "custody-transfer" -> new EventDetails.Transfer(nonEmptyText(g), nonEmptyText(g));
      case "approval" -> new EventDetails.Decision(digest(g), g.pick("approved", "rejected"), g.optional(() -> text(g)));
      case "revocation" -> new EventDetails.Decision(digest(g), "revoked", g.optional(() -> text(g)));
      case "annotation" -> new EventDetails.Annotation(text(g));
      case "comparison" -> new EventDetails.Comparison(g.nextBoolean() ? Summaries.fineTune() : Summaries.unrelated());
      default -> new EventDetails.None();
    };
  }

  private static Event event(Gen g) {
    EventType t = type(g);
    Optional<Instant> started = g.optional(() -> time(g));
    Optional<Instant> finished = g.optional(() -> time(g));
    if (started.isPresent() && finished.isPresent() && finished.get().isBefore(started.get())) {
      Optional<Instant> swap = started;
      started = finished;
      finished = swap;
    }
    if (t.equals(EventType.COMPARISON)) { // exactly inputs a and b of kind model, no outputs
      return new Event(t, List.of(ArtifactRef.of("a", ArtifactKind.MODEL, digest(g)),
          ArtifactRef.of("b", ArtifactKind.MODEL, digest(g))), List.of(), new TreeMap<>(map(g, () -> text(g))),
          new TreeMap<>(map(g, () -> text(g))), started, finished, details(g, t));
    }
    return new Event(t, artifacts(g), artifacts(g), new TreeMap<>(map(g, () -> text(g))),
        new TreeMap<>(map(g, () -> text(g))), started, finished, details(g, t));
  }
}
