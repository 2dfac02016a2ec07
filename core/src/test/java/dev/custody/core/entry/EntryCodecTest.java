package dev.custody.core.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import dev.custody.core.derivation.ComparisonSummary;
import dev.custody.core.derivation.Summaries;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.internal.json.StrictJson;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EntryCodecTest {
  private static final String KEY_ID = "0123456789abcdef".repeat(4);
  private static final Digest DA = Digest.sha256("a".getBytes(StandardCharsets.UTF_8));
  private static final Digest DB = Digest.sha256("b".getBytes(StandardCharsets.UTF_8));
  private static final Instant T = Instant.parse("2026-11-28T12:00:00.123Z");

  // ---------------------------------------------------------------- round trips

  /** One fully populated event per built-in kind, plus a custom kind with a body. */
  static Stream<Named<Event>> everyKind() {
    Stream<Named<Event>> builtIns = EventType.BUILT_IN.stream().filter(t -> !t.equals(EventType.COMPARISON))
        .map(t -> Named.of(t.name(), full(t, details(t))));
    Stream<Named<Event>> custom = Stream.of(
        Named.of("custom https kind with body", full(EventType.of("https://example.com/kinds/red-team/v1"),
            new EventDetails.Custom("{\"findings\":[{\"id\":1,\"severity\":\"high\",\"score\":0.75}],"
                + "\"nested\":{\"ok\":true,\"none\":null},\"text\":\"caf\\u00e9 \\\"q\\\" \\n\"}"))),
        Named.of("custom urn kind without body", full(EventType.of("urn:acme:custody:audit"),
            new EventDetails.Custom("{}"))),
        Named.of("evaluation without metrics", Event.builder(EventType.EVALUATION).build()),
        Named.of("conversion without method", Event.builder(EventType.CONVERSION).build()),
        Named.of("approval without reason", Event.builder(EventType.APPROVAL)
            .details(new EventDetails.Decision(DA, "rejected", Optional.empty())).build()),
        Named.of("training, minimal", Event.builder(EventType.TRAINING).build()),
        Named.of("comparison with cosine and equal figures", comparison(Summaries.fineTune())),
        Named.of("comparison without similarity figures", comparison(Summaries.unrelated())));
    return Stream.concat(builtIns, custom);
  }

  private static EventDetails details(EventType t) {
    return switch (t.name()) {
      case "evaluation" -> new EventDetails.Evaluation(new TreeMap<>(Map.of("accuracy", new BigDecimal("0.9125"),
          "loss", new BigDecimal("-1.5E-7"), "count", new BigDecimal("12345678901234567890"),
          "ratio", new BigDecimal("0.50"))));
      case "conversion" -> new EventDetails.Method(Optional.of("quantize-int8"));
      case "merge" -> new EventDetails.Method(Optional.of("ties"));
      case "release" -> new EventDetails.Release("1.2.0");
      case "custody-transfer" -> new EventDetails.Transfer("ACME ML Platform", "Regulator Ltd. <ops@example>");
      case "approval" -> new EventDetails.Decision(DB, "approved", Optional.of("meets policy §4"));
      case "revocation" -> new EventDetails.Decision(DB, "revoked", Optional.of("key compromise"));
      case "annotation" -> new EventDetails.Annotation("note: ✓ unicode and \"quotes\"\n");
      default -> new EventDetails.None();
    };
  }

  /** A comparison of DA and DB with the inputs' manifest annotations, as custody compare --record writes it. */
  private static Event comparison(ComparisonSummary summary) {
    return Event.builder(EventType.COMPARISON)
        .input(ArtifactRef.of("a", ArtifactKind.MODEL, DA).withAnnotation("custody.manifest", DB.toString()))
        .input(ArtifactRef.of("b", ArtifactKind.MODEL, DB))
        .parameter("note", "x")
        .details(new EventDetails.Comparison(summary))
        .build();
  }

  private static Event full(EventType t, EventDetails d) {
    return Event.builder(t)
        .input(ArtifactRef.of("base", ArtifactKind.MODEL, DA).withUri("hf://acme/base@main")
            .withAnnotation("license", "apache-2.0"))
        .input(new ArtifactRef("train-data", ArtifactKind.DATASET, DB, Optional.empty(),
            Optional.of("application/x-parquet"), new TreeMap<>()))
        .output(ArtifactRef.of("model", ArtifactKind.MODEL, DB))
        .output(ArtifactRef.of("report", ArtifactKind.REPORT, DA))
        .parameter("lr", "3e-4").parameter("epochs", "3")
        .environment("gpu", "8xH100").environment("python", "3.12.1")
        .startedAt(Instant.parse("2026-11-27T01:02:03Z"))
        .finishedAt(Instant.parse("2026-11-28T01:02:03.000000001Z"))
        .details(d)
        .build();
  }

  @ParameterizedTest
  @MethodSource("everyKind")
  void encodeDecode_everyKind_equalsOriginalAndBytesStable(Event event) throws FormatException {
    EntryPayload p = new EntryPayload("acme/falcon-7b", 3, Optional.of(DA), KEY_ID, T, event);
    byte[] bytes = EntryCodec.encode(p);
    EntryPayload back = EntryCodec.decode(bytes, "payload");
    assertThat(back).isEqualTo(p);
    assertThat(new String(EntryCodec.encode(back), StandardCharsets.UTF_8))
        .isEqualTo(new String(bytes, StandardCharsets.UTF_8));
  }

  /** Issue 9: a policy written {@code e.type() == EventType.RELEASE} once matched no parsed entry. */
  @ParameterizedTest
  @MethodSource("everyKind")
  void decode_builtInKind_isTheSameInstanceAsItsConstant(Event event) throws FormatException {
    EntryPayload p = new EntryPayload("acme/falcon-7b", 3, Optional.of(DA), KEY_ID, T, event);
    EventType parsed = EntryCodec.decode(EntryCodec.encode(p), "payload").event().type();
    if (event.type().isBuiltIn()) {
      assertThat(parsed).isSameAs(EventType.BUILT_IN.get(EventType.BUILT_IN.indexOf(event.type())));
    } else {
      assertThat(parsed).isEqualTo(event.type());
    }
  }

  @Test
  void decode_releaseEntry_typeEqualsReleaseConstantWithDoubleEquals() throws FormatException {
    String json = "{\"event\":{\"version\":\"1.0\",\"type\":\"release\"},\"time\":\"2026-11-28T12:00:00Z\","
        + "\"keyId\":\"" + KEY_ID + "\",\"sequence\":0,\"chain\":\"c\",\"format\":\"custody/entry/v1\"}";
    Event e = EntryCodec.decode(json.getBytes(StandardCharsets.UTF_8), "p").event();
    assertThat(e.type() == EventType.RELEASE).isTrue();
  }

  @Test
  void encodeDecode_firstEntryWithoutPrev_roundTrips() throws FormatException {
    EntryPayload p = new EntryPayload("x", 0, Optional.empty(), KEY_ID, Instant.parse("2026-01-01T00:00:00Z"),
        Event.builder(EventType.TRAINING).build());
    assertThat(EntryCodec.decode(EntryCodec.encode(p), "p")).isEqualTo(p);
  }

  @Test
  void encode_releaseEntry_exactBytesOfTheGrammar() {
    EntryPayload p = new EntryPayload("acme/falcon-7b", 1, Optional.of(DA), KEY_ID,
        Instant.parse("2026-11-28T12:00:00Z"), Event.builder(EventType.RELEASE)
            .output(ArtifactRef.of("model", ArtifactKind.MODEL, DB)).details(new EventDetails.Release("1.0")).build());
    assertThat(new String(EntryCodec.encode(p), StandardCharsets.UTF_8)).isEqualTo(
        "{\"format\":\"custody/entry/v1\",\"chain\":\"acme/falcon-7b\",\"sequence\":1,\"prev\":\"" + DA
            + "\",\"keyId\":\"" + KEY_ID + "\",\"time\":\"2026-11-28T12:00:00Z\",\"event\":{\"type\":\"release\","
            + "\"outputs\":[{\"name\":\"model\",\"kind\":\"model\",\"digest\":\"" + DB + "\"}],\"version\":\"1.0\"}}");
  }

  @Test
  void decode_membersInAnyOrder_accepted() throws FormatException {
    String json = "{\"event\":{\"version\":\"1.0\",\"type\":\"release\"},\"time\":\"2026-11-28T12:00:00Z\","
        + "\"keyId\":\"" + KEY_ID + "\",\"sequence\":0,\"chain\":\"c\",\"format\":\"custody/entry/v1\"}";
    EntryPayload p = EntryCodec.decode(json.getBytes(StandardCharsets.UTF_8), "p");
    assertThat(p.event().details()).isEqualTo(new EventDetails.Release("1.0"));
  }

  // ---------------------------------------------------------------- strictness

  /** A valid payload; each mutation below replaces one piece of it. */
  private static final String VALID = "{\"format\":\"custody/entry/v1\",\"chain\":\"acme/falcon-7b\",\"sequence\":1,"
      + "\"prev\":\"" + DA + "\",\"keyId\":\"" + KEY_ID + "\",\"time\":\"2026-11-28T12:00:00Z\","
      + "\"event\":{\"type\":\"training\",\"inputs\":[{\"name\":\"base\",\"kind\":\"model\",\"digest\":\"" + DA
      + "\"}],\"parameters\":{\"lr\":\"0.1\"},\"startedAt\":\"2026-11-28T11:00:00Z\"}}";

  @Test
  void decode_signedEventFinishedBeforeStarted_acceptedAsSignedForTheVerifierToReport() throws Exception {
    // What a signer's clocks said is evidence: the payload reads, and the verifier warns (TIME_REVERSED).
    String reversed = VALID.replace("\"startedAt\":\"2026-11-28T11:00:00Z\"",
        "\"startedAt\":\"2026-11-28T11:00:00Z\",\"finishedAt\":\"2026-11-28T10:59:59Z\"");
    EntryPayload p = EntryCodec.decode(reversed.getBytes(StandardCharsets.UTF_8), "payload");
    assertThat(p.event().timesReversed()).isTrue();
    assertThat(new String(EntryCodec.encode(p), StandardCharsets.UTF_8)).isEqualTo(reversed);
  }

  @Test
  void decodeEvent_eventToSignFinishedBeforeStarted_rejected() {
    // The writer's path (custody record --event-json) refuses to sign such an event.
    String event = "{\"type\":\"training\",\"startedAt\":\"2026-11-28T11:00:00Z\",\"finishedAt\":\"2026-11-28T10:59:59Z\"}";
    assertThatThrownBy(() -> EntryCodec.decodeEvent(dev.custody.core.internal.json.StrictJson.parseObject(
        event.getBytes(StandardCharsets.UTF_8), 1024, "event")))
        .isInstanceOf(FormatException.class).hasMessageContaining("is before startedAt");
  }

  @Test
  void decode_validTemplate_accepted() throws FormatException {
    // Guards the mutation cases: each must fail because of its mutation, not because the template is bad.
    EntryPayload p = EntryCodec.decode(VALID.getBytes(StandardCharsets.UTF_8), "p");
    assertThat(p.sequence()).isEqualTo(1);
    assertThat(p.event().parameters()).containsEntry("lr", "0.1");
  }

  private static Arguments mutation(String name, String from, String to, String... expected) {
    assertThat(VALID).as("template contains %s", from).contains(from);
    return Arguments.of(Named.of(name, VALID.replace(from, to)), expected);
  }

  private static Arguments raw(String name, String json, String... expected) {
    return Arguments.of(Named.of(name, json), expected);
  }

  static Stream<Arguments> malformed() {
    String body = "{\"format\":\"custody/entry/v1\",\"chain\":\"c\",\"sequence\":0,\"keyId\":\"" + KEY_ID
        + "\",\"time\":\"2026-11-28T12:00:00Z\",\"event\":{\"type\":\"urn:acme:x\",\"body\":%s}}";
    return Stream.of(
        // duplicate keys
        mutation("duplicate top-level key", "\"chain\":\"acme/falcon-7b\",",
            "\"chain\":\"acme/falcon-7b\",\"chain\":\"acme/other\",", "chain", "uplicate"),
        mutation("duplicate key in event", "{\"type\":\"training\",", "{\"type\":\"training\",\"type\":\"training\",",
            "type", "uplicate"),
        mutation("duplicate key in artifact", "{\"name\":\"base\",", "{\"name\":\"base\",\"name\":\"base\",",
            "name", "uplicate"),
        mutation("duplicate key in parameters", "{\"lr\":\"0.1\"}", "{\"lr\":\"0.1\",\"lr\":\"0.2\"}",
            "lr", "uplicate"),
        raw("duplicate key in custom body", String.format(body, "{\"a\":1,\"b\":{\"c\":1,\"c\":2}}"),
            "c", "uplicate"),
        // format version
        mutation("unknown format version", "custody/entry/v1", "custody/entry/v2", "format", "custody/entry/v2"),
        mutation("format missing", "\"format\":\"custody/entry/v1\",", "", "format"),
        // unknown members
        mutation("unknown top-level member", "\"chain\":", "\"extra\":1,\"chain\":", "extra"),
        mutation("unknown event member", "{\"type\":\"training\",", "{\"type\":\"training\",\"version\":\"1\",",
            "version"),
        mutation("unknown artifact member", "{\"name\":\"base\",", "{\"name\":\"base\",\"size\":\"1\",", "size"),
        // wrong types
        mutation("sequence as string", "\"sequence\":1", "\"sequence\":\"1\"", "sequence", "non-negative integer"),
        mutation("chain as number", "\"chain\":\"acme/falcon-7b\"", "\"chain\":7", "chain"),
        raw("event as array", head(0) + "\"event\":[]}", "event", "must be a JSON object"),
        raw("inputs as object", head(0) + "\"event\":{\"type\":\"training\",\"inputs\":{}}}", "inputs",
            "must be an array"),
        raw("metrics as array", head(0) + "\"event\":{\"type\":\"evaluation\",\"metrics\":[1]}}", "metrics"),
        mutation("artifact as string", "\"inputs\":[{\"name\":\"base\",\"kind\":\"model\",\"digest\":\"" + DA
            + "\"}]", "\"inputs\":[\"base\"]", "inputs[0]"),
        mutation("parameter value as number", "{\"lr\":\"0.1\"}", "{\"lr\":0.1}", "lr"),
        mutation("time as number", "\"time\":\"2026-11-28T12:00:00Z\"", "\"time\":1764331200", "time", "must be a string"),
        raw("custom body as array", String.format(body, "[1]"), "body"),
        // sequence grammar
        mutation("sequence negative", "\"sequence\":1", "\"sequence\":-1", "sequence", "non-negative integer"),
        mutation("sequence negative zero", "\"sequence\":1", "\"sequence\":-0", "/sequence", "-0"),
        mutation("sequence plus sign", "\"sequence\":1", "\"sequence\":+1", "/sequence", "plus"),
        mutation("sequence leading zero", "\"sequence\":1", "\"sequence\":01", "/sequence", "eading zero"),
        mutation("sequence fraction", "\"sequence\":1", "\"sequence\":1.0", "sequence", "non-negative integer"),
        mutation("sequence exponent", "\"sequence\":1", "\"sequence\":1e0", "sequence", "non-negative integer"),
        mutation("sequence upper exponent", "\"sequence\":1", "\"sequence\":1E2", "sequence", "non-negative integer"),
        mutation("sequence over long range", "\"sequence\":1", "\"sequence\":9223372036854775808", "sequence", "non-negative integer"),
        mutation("sequence huge", "\"sequence\":1", "\"sequence\":" + "9".repeat(40), "sequence", "non-negative integer"),
        // nulls
        mutation("null chain", "\"chain\":\"acme/falcon-7b\"", "\"chain\":null", "chain", "missing required member"),
        mutation("null prev", "\"prev\":\"" + DA + "\"", "\"prev\":null", "prev", "is null"),
        mutation("null event", "\"event\":{\"type\":\"training\",", "\"x\":null,\"event\":{\"type\":\"training\",",
            "x"),
        mutation("null inputs", "\"inputs\":[{\"name\":\"base\",\"kind\":\"model\",\"digest\":\"" + DA + "\"}]",
            "\"inputs\":null", "inputs", "is null"),
        mutation("null artifact uri", "{\"name\":\"base\",", "{\"name\":\"base\",\"uri\":null,", "uri", "is null"),
        mutation("null startedAt", "\"startedAt\":\"2026-11-28T11:00:00Z\"", "\"startedAt\":null", "startedAt", "is null"),
        // links and ids
        mutation("prev missing at sequence 1", "\"prev\":\"" + DA + "\",", "", "prev", "needs the hash"),
        mutation("prev at sequence 0", "\"sequence\":1", "\"sequence\":0", "prev", "has no prev"),
        mutation("prev uppercase digest", "\"prev\":\"" + DA + "\"", "\"prev\":\"" + DA.toString().toUpperCase()
            + "\"", "prev"),
        mutation("artifact digest without prefix", "\"digest\":\"" + DA + "\"", "\"digest\":\""
            + DA.value().hex() + "\"", "digest"),
        mutation("keyId uppercase", KEY_ID, KEY_ID.toUpperCase(), "keyId"),
        mutation("chain with empty segment", "acme/falcon-7b", "acme//falcon-7b", "chain"),
        mutation("unknown event kind", "\"type\":\"training\"", "\"type\":\"trainng\"", "kind", "trainng"),
        mutation("unknown artifact kind", "\"kind\":\"model\"", "\"kind\":\"weights\"", "kind", "weights"),
        // times
        mutation("time without Z", "\"time\":\"2026-11-28T12:00:00Z\"", "\"time\":\"2026-11-28T12:00:00\"", "time"),
        mutation("time with offset", "\"time\":\"2026-11-28T12:00:00Z\"", "\"time\":\"2026-11-28T12:00:00+00:00\"",
            "time"),
        mutation("time lowercase z", "\"time\":\"2026-11-28T12:00:00Z\"", "\"time\":\"2026-11-28T12:00:00z\"",
            "time"),
        mutation("time with space", "\"time\":\"2026-11-28T12:00:00Z\"", "\"time\":\"2026-11-28 12:00:00Z\"",
            "time"),
        mutation("time without seconds", "\"time\":\"2026-11-28T12:00:00Z\"", "\"time\":\"2026-11-28T12:00Z\"",
            "time"),
        mutation("time 10 fraction digits", "\"time\":\"2026-11-28T12:00:00Z\"",
            "\"time\":\"2026-11-28T12:00:00.1234567890Z\"", "time"),
        mutation("time impossible date", "\"time\":\"2026-11-28T12:00:00Z\"", "\"time\":\"2026-02-30T12:00:00Z\"",
            "time"),
        mutation("time leap second", "\"time\":\"2026-11-28T12:00:00Z\"", "\"time\":\"2026-12-31T23:59:60Z\"",
            "time"),
        mutation("time negative year", "\"time\":\"2026-11-28T12:00:00Z\"", "\"time\":\"-2026-11-28T12:00:00Z\"",
            "time"),
        mutation("time hour 24", "\"time\":\"2026-11-28T12:00:00Z\"", "\"time\":\"2026-11-28T24:00:00Z\"", "time"),
        mutation("startedAt with offset", "\"startedAt\":\"2026-11-28T11:00:00Z\"",
            "\"startedAt\":\"2026-11-28T11:00:00+01:00\"", "startedAt"),
        // events
        mutation("duplicate artifact name", "}],\"parameters\"", "},{\"name\":\"base\",\"kind\":\"model\","
            + "\"digest\":\"" + DB + "\"}],\"parameters\"", "duplicate input name 'base'"),
        raw("release without version", "{\"format\":\"custody/entry/v1\",\"chain\":\"c\",\"sequence\":0,\"keyId\":\""
            + KEY_ID + "\",\"time\":\"2026-11-28T12:00:00Z\",\"event\":{\"type\":\"release\"}}", "version"),
        raw("metric as string", "{\"format\":\"custody/entry/v1\",\"chain\":\"c\",\"sequence\":0,\"keyId\":\""
            + KEY_ID + "\",\"time\":\"2026-11-28T12:00:00Z\",\"event\":{\"type\":\"evaluation\","
            + "\"metrics\":{\"acc\":\"0.9\"}}}", "acc"),
        // trailing content and framing
        raw("trailing garbage", VALID + "x", "trailing content"),
        raw("second object", VALID + "{}", "Trailing token"),
        raw("trailing comma", VALID + ",", "trailing content"),
        raw("not an object", "[" + VALID + "]", "must be a JSON object"),
        raw("empty input", "", "empty"),
        raw("truncated", VALID.substring(0, VALID.length() - 1), "not valid JSON"),
        // limits
        raw("nesting deeper than MAX_DEPTH in custom body",
            String.format(body, "{\"a\":".repeat(StrictJson.MAX_DEPTH) + "1" + "}".repeat(StrictJson.MAX_DEPTH)),
            "/event/body", "nesting depth"));
  }

  /** The members before "event" of a valid first entry. */
  private static String head(long sequence) {
    return "{\"format\":\"custody/entry/v1\",\"chain\":\"c\",\"sequence\":" + sequence + ",\"keyId\":\""
        + KEY_ID + "\",\"time\":\"2026-11-28T12:00:00Z\",";
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void decode_malformedPayload_rejectedNamingMember(String json, String[] expected) {
    assertThatThrownBy(() -> EntryCodec.decode(json.getBytes(StandardCharsets.UTF_8), "entry 7 payload"))
        .isInstanceOf(FormatException.class)
        .hasMessageStartingWith("entry 7 payload")
        .hasMessageContainingAll(expected);
  }

  // ---------------------------------------------------------------- comparison (derivation evidence)

  private static final String COMPARISON_EVENT = "{\"type\":\"comparison\",\"inputs\":[{\"name\":\"a\",\"kind\":\"model\","
      + "\"digest\":\"" + DA + "\"},{\"name\":\"b\",\"kind\":\"model\",\"digest\":\"" + DB + "\"}],"
      + "\"method\":\"custody/compare/v1\",\"architecture\":\"identical\","
      + "\"tensors\":{\"a\":10,\"b\":10,\"identical\":2,\"renamed\":0,\"changed\":8,\"dtypeChanged\":0,"
      + "\"shapeChanged\":0,\"onlyInA\":0,\"onlyInB\":0},"
      + "\"elements\":{\"a\":100000,\"b\":100000,\"identical\":128},"
      + "\"cosine\":{\"tensors\":8,\"elements\":99872,\"mean\":0.998712,\"min\":0.990001,"
      + "\"minTensor\":\"model.layers.0.mlp.weight\"},"
      + "\"equal\":{\"tensors\":8,\"mean\":0.000000}}";

  @Test
  void encode_comparisonEntry_exactBytesOfTheGrammar() throws FormatException {
    EntryPayload p = new EntryPayload("audit/cases", 0, Optional.empty(), KEY_ID,
        Instant.parse("2026-11-28T12:00:00Z"), Summaries.event(DA, DB, Summaries.fineTune()));
    String expected = head(0).replace("\"chain\":\"c\"", "\"chain\":\"audit/cases\"") + "\"event\":" + COMPARISON_EVENT
        + "}";
    assertThat(new String(EntryCodec.encode(p), StandardCharsets.UTF_8)).isEqualTo(expected);
    assertThat(EntryCodec.decode(expected.getBytes(StandardCharsets.UTF_8), "p")).isEqualTo(p);
  }

  private static Arguments comparisonMutation(String name, String from, String to, String... expected) {
    assertThat(COMPARISON_EVENT).as("template contains %s", from).contains(from);
    return Arguments.of(Named.of(name, head(0) + "\"event\":" + COMPARISON_EVENT.replace(from, to) + "}"), expected);
  }

  static Stream<Arguments> malformedComparison() {
    return Stream.of(
        comparisonMutation("figure with 5 places", "\"mean\":0.998712", "\"mean\":0.99871", "cosine.mean",
            "exactly 6 decimal places"),
        comparisonMutation("figure with 7 places", "\"mean\":0.998712", "\"mean\":0.9987120", "cosine.mean",
            "exactly 6 decimal places"),
        comparisonMutation("figure as string", "\"mean\":0.998712", "\"mean\":\"0.998712\"", "mean",
            "must be a number"),
        comparisonMutation("cosine above 1", "\"mean\":0.998712", "\"mean\":1.000001", "cosine.mean",
            "between -1 and 1"),
        comparisonMutation("min above mean", "\"min\":0.990001", "\"min\":0.999000", "cosine.min", "above"),
        comparisonMutation("equal fraction negative", "\"equal\":{\"tensors\":8,\"mean\":0.000000}",
            "\"equal\":{\"tensors\":8,\"mean\":-0.000001}", "equal.mean", "between 0 and 1"),
        comparisonMutation("counts do not add up", "\"onlyInA\":0", "\"onlyInA\":1", "do not add up"),
        comparisonMutation("renamed above identical", "\"renamed\":0", "\"renamed\":3", "tensors.renamed"),
        comparisonMutation("identical elements above the model", "\"identical\":128}", "\"identical\":100001}",
            "exceed the smaller model"),
        comparisonMutation("cosine over more tensors than changed", "\"cosine\":{\"tensors\":8",
            "\"cosine\":{\"tensors\":9", "cosine figures cover 9 tensors"),
        comparisonMutation("cosine over no tensor", "\"cosine\":{\"tensors\":8", "\"cosine\":{\"tensors\":0",
            "at least one tensor"),
        comparisonMutation("identical architecture with re-typed tensors", "\"changed\":8,\"dtypeChanged\":0",
            "\"changed\":7,\"dtypeChanged\":1", "identical architecture"),
        comparisonMutation("unknown method", "custody/compare/v1", "custody/compare/v2", "custody/compare/v2",
            "unknown"),
        comparisonMutation("unknown architecture", "\"architecture\":\"identical\"", "\"architecture\":\"same\"",
            "identical, renamed or different", "'same'"),
        comparisonMutation("architecture in capitals", "\"architecture\":\"identical\"",
            "\"architecture\":\"IDENTICAL\"", "identical, renamed or different"),
        comparisonMutation("unknown member in tensors", "\"onlyInB\":0}", "\"onlyInB\":0,\"extra\":0}",
            "tensors", "unknown member 'extra'"),
        comparisonMutation("unknown member in cosine", "\"minTensor\"", "\"max\":1.000000,\"minTensor\"", "cosine",
            "unknown member 'max'"),
        comparisonMutation("count negative", "\"changed\":8", "\"changed\":-8", "changed", "non-negative integer"),
        comparisonMutation("tensors missing", "\"tensors\":{", "\"tensorz\":{", "tensors", "missing required member"),
        comparisonMutation("control character in minTensor", "model.layers.0.mlp.weight", "model\\u001b[31m",
            "minTensor", "control character U+001B"),
        comparisonMutation("lone surrogate in minTensor", "model.layers.0.mlp.weight", "model\\ud800",
            "minTensor", "unpaired surrogate"),
        comparisonMutation("input b missing", ",{\"name\":\"b\",\"kind\":\"model\",\"digest\":\"" + DB + "\"}", "",
            "exactly two inputs, 'a' and 'b', of kind model"),
        comparisonMutation("input of kind other", "\"name\":\"b\",\"kind\":\"model\"", "\"name\":\"b\",\"kind\":\"other\"",
            "of kind model"),
        comparisonMutation("input named c", "\"name\":\"b\"", "\"name\":\"c\"", "'a' and 'b'"),
        comparisonMutation("an output", "\"method\"", "\"outputs\":[{\"name\":\"model\",\"kind\":\"model\","
            + "\"digest\":\"" + DA + "\"}],\"method\"", "no outputs"));
  }

  @ParameterizedTest
  @MethodSource("malformedComparison")
  void decode_malformedComparison_rejectedNamingMember(String json, String[] expected) {
    assertThatThrownBy(() -> EntryCodec.decode(json.getBytes(StandardCharsets.UTF_8), "entry 7 payload"))
        .isInstanceOf(FormatException.class)
        .hasMessageStartingWith("entry 7 payload")
        .hasMessageContainingAll(expected);
  }

  @Test
  void decode_comparisonFigureInExponentForm_readsButReencodesOtherwise() throws FormatException {
    // 9.98712E-1 is the same decimal with scale 6: it reads, but custody writes 0.998712, so a signed
    // entry spelled this way is not canonical (the verifier's RECORD_NOT_CANONICAL), never a second spelling.
    String json = head(0) + "\"event\":" + COMPARISON_EVENT.replace("\"mean\":0.998712", "\"mean\":9.98712E-1") + "}";
    EntryPayload p = EntryCodec.decode(json.getBytes(StandardCharsets.UTF_8), "p");
    assertThat(new String(EntryCodec.encode(p), StandardCharsets.UTF_8)).isNotEqualTo(json).contains("\"mean\":0.998712");
  }

  @Test
  void decode_oversizeInput_rejectedBeforeParsing() {
    byte[] big = new byte[EntryRecord.MAX_RECORD_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    byte[] v = VALID.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(v, 0, big, 0, v.length);
    assertThatThrownBy(() -> EntryCodec.decode(big, "entry 7 payload"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("entry 7 payload is " + big.length + " bytes, over the limit of "
            + EntryRecord.MAX_RECORD_BYTES);
    // The same bytes one under the limit parse: the limit, not the whitespace, is what rejected them.
    assertThat(catchDecode(java.util.Arrays.copyOf(big, EntryRecord.MAX_RECORD_BYTES))).isNull();
  }

  private static Throwable catchDecode(byte[] json) {
    try {
      EntryCodec.decode(json, "p");
      return null;
    } catch (FormatException e) {
      return e;
    }
  }

  @Test
  void decode_customBodyAtDepthLimit_accepted() throws FormatException {
    // payload (1) > event (2) > body (3): the body may nest MAX_DEPTH - 2 levels in total.
    int levels = StrictJson.MAX_DEPTH - 3;
    String nested = "{\"a\":".repeat(levels) + "1" + "}".repeat(levels);
    Event e = Event.builder(EventType.of("urn:acme:x")).details(new EventDetails.Custom("{\"x\":" + nested + "}"))
        .build();
    EntryPayload p = new EntryPayload("c", 0, Optional.empty(), KEY_ID, T, e);
    assertThat(EntryCodec.decode(EntryCodec.encode(p), "p")).isEqualTo(p);
  }

  @Test
  void time_validForms_parsedExactly() throws FormatException {
    assertThat(EntryCodec.time("2026-11-28T12:00:00Z", "t")).isEqualTo(Instant.parse("2026-11-28T12:00:00Z"));
    assertThat(EntryCodec.time("2026-11-28T12:00:00.000000001Z", "t").getNano()).isEqualTo(1);
  }
}
