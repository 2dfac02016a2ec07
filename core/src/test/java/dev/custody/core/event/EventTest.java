package dev.custody.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.Digest;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventTest {
  private static final Digest D = Digest.sha256("d".getBytes(StandardCharsets.UTF_8));
  private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");

  private static ArtifactRef art(String name) {
    return ArtifactRef.of(name, ArtifactKind.MODEL, D);
  }

  @Test
  void build_kindsWithoutRequiredFields_getDefaultDetails() {
    assertThat(Event.builder(EventType.TRAINING).build().details()).isEqualTo(new EventDetails.None());
    assertThat(Event.builder(EventType.DATASET_INGEST).build().details()).isEqualTo(new EventDetails.None());
    assertThat(Event.builder(EventType.FINE_TUNE).build().details()).isEqualTo(new EventDetails.None());
    assertThat(Event.builder(EventType.EVALUATION).build().details())
        .isEqualTo(new EventDetails.Evaluation(new TreeMap<>()));
    assertThat(Event.builder(EventType.CONVERSION).build().details())
        .isEqualTo(new EventDetails.Method(Optional.empty()));
    assertThat(Event.builder(EventType.MERGE).build().details()).isEqualTo(new EventDetails.Method(Optional.empty()));
    assertThat(Event.builder(EventType.of("urn:acme:x")).build().details()).isEqualTo(new EventDetails.Custom("{}"));
  }

  @Test
  void build_releaseWithoutVersion_rejectedNamingField() {
    assertThatThrownBy(() -> Event.builder(EventType.RELEASE).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requires").hasMessageContaining("version");
  }

  @Test
  void build_kindsWithRequiredFieldsMissing_rejectedNamingFields() {
    assertThatThrownBy(() -> Event.builder(EventType.CUSTODY_TRANSFER).build()).hasMessageContaining("from, to");
    assertThatThrownBy(() -> Event.builder(EventType.APPROVAL).build()).hasMessageContaining("subject, decision");
    assertThatThrownBy(() -> Event.builder(EventType.REVOCATION).build()).hasMessageContaining("subject, decision");
    assertThatThrownBy(() -> Event.builder(EventType.ANNOTATION).build()).hasMessageContaining("text");
  }

  @Test
  void build_detailsOfAnotherKind_rejected() {
    assertThatThrownBy(() -> Event.builder(EventType.TRAINING).details(new EventDetails.Release("1.0")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("event kind 'training' cannot carry Release details");
    assertThatThrownBy(() -> Event.builder(EventType.RELEASE).details(new EventDetails.None()).build())
        .hasMessageContaining("cannot carry None");
    assertThatThrownBy(() -> Event.builder(EventType.TRAINING).details(new EventDetails.Custom("{}")).build())
        .hasMessageContaining("cannot carry Custom");
    assertThatThrownBy(() -> Event.builder(EventType.of("urn:acme:x")).details(new EventDetails.None()).build())
        .hasMessageContaining("cannot carry None");
  }

  @Test
  void build_decisionMismatchingKind_rejected() {
    EventDetails.Decision revoked = new EventDetails.Decision(D, "revoked", Optional.empty());
    EventDetails.Decision approved = new EventDetails.Decision(D, "approved", Optional.of("ok"));
    assertThat(Event.builder(EventType.REVOCATION).details(revoked).build().details()).isEqualTo(revoked);
    assertThat(Event.builder(EventType.APPROVAL).details(approved).build().details()).isEqualTo(approved);
    assertThatThrownBy(() -> Event.builder(EventType.APPROVAL).details(revoked).build())
        .hasMessageContaining("cannot carry Decision");
    assertThatThrownBy(() -> Event.builder(EventType.REVOCATION).details(approved).build())
        .hasMessageContaining("cannot carry Decision");
  }

  @Test
  void decision_unknownDecision_rejected() {
    assertThatThrownBy(() -> new EventDetails.Decision(D, "maybe", Optional.empty()))
        .hasMessageContaining("decision must be approved, rejected or revoked, got 'maybe'");
  }

  @Test
  void transfer_emptyParty_rejected() {
    assertThatThrownBy(() -> new EventDetails.Transfer("", "bob")).hasMessageContaining("non-empty 'from' and 'to'");
    assertThatThrownBy(() -> new EventDetails.Transfer("alice", "")).hasMessageContaining("non-empty");
  }

  @Test
  void build_duplicateInputName_rejectedNamingIt() {
    assertThatThrownBy(() -> Event.builder(EventType.TRAINING).input(art("base")).input(art("base")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate input name 'base'");
  }

  @Test
  void build_duplicateOutputName_rejectedNamingIt() {
    assertThatThrownBy(() -> Event.builder(EventType.TRAINING).output(art("m")).output(art("m")).build())
        .hasMessageContaining("duplicate output name 'm'");
  }

  @Test
  void build_sameNameAsInputAndOutput_accepted() {
    Event e = Event.builder(EventType.TRAINING).input(art("model")).output(art("model")).build();
    assertThat(e.inputs()).hasSize(1);
    assertThat(e.outputs()).hasSize(1);
  }

  @Test
  void build_finishedBeforeStarted_rejected() {
    assertThatThrownBy(() -> Event.builder(EventType.TRAINING).startedAt(T0).finishedAt(T0.minusNanos(1)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is before startedAt");
  }

  @Test
  void build_finishedEqualsStarted_accepted() {
    Event e = Event.builder(EventType.TRAINING).startedAt(T0).finishedAt(T0).build();
    assertThat(e.startedAt()).contains(T0);
    assertThat(e.finishedAt()).contains(T0);
  }

  @Test
  void constructor_moreThanMaxArtifacts_rejected() {
    List<ArtifactRef> many = new ArrayList<>();
    for (int i = 0; i <= Event.MAX_ARTIFACTS; i++) {
      many.add(art("a" + i));
    }
    assertThatThrownBy(() -> new Event(EventType.TRAINING, many, List.of(), new TreeMap<>(), new TreeMap<>(),
        Optional.empty(), Optional.empty(), new EventDetails.None())).hasMessageContaining("at most 10000");
    many.remove(0);
    assertThat(new Event(EventType.TRAINING, many, List.of(), new TreeMap<>(), new TreeMap<>(),
        Optional.empty(), Optional.empty(), new EventDetails.None()).inputs()).hasSize(Event.MAX_ARTIFACTS);
  }

  @Test
  void constructor_nullRequiredField_rejectedNamingIt() {
    assertThatThrownBy(() -> new Event(EventType.TRAINING, null, List.of(), new TreeMap<>(), new TreeMap<>(),
        Optional.empty(), Optional.empty(), new EventDetails.None())).hasMessage("inputs");
    assertThatThrownBy(() -> new Event(EventType.TRAINING, List.of(), List.of(), new TreeMap<>(), new TreeMap<>(),
        Optional.empty(), Optional.empty(), null)).hasMessage("details");
    assertThatThrownBy(() -> new Event(null, List.of(), List.of(), new TreeMap<>(), new TreeMap<>(),
        Optional.empty(), Optional.empty(), new EventDetails.None())).hasMessage("type");
  }

  @Test
  void constructor_mutableInputs_copiedIn() {
    List<ArtifactRef> in = new ArrayList<>(List.of(art("a")));
    TreeMap<String, String> params = new TreeMap<>(Map.of("lr", "0.1"));
    Event e = new Event(EventType.TRAINING, in, List.of(), params, new TreeMap<>(), Optional.empty(),
        Optional.empty(), new EventDetails.None());
    in.add(art("b"));
    params.put("epochs", "3");
    assertThat(e.inputs()).hasSize(1);
    assertThat(e.parameters()).containsOnlyKeys("lr");
    assertThatThrownBy(() -> e.parameters().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @ValueSource(strings = {"", "-lead", ".hidden", "has space", "tab\t", "ünicode", "semi;colon"})
  void parameter_invalidKey_rejected(String key) {
    assertThatThrownBy(() -> Event.builder(EventType.TRAINING).parameter(key, "v").build())
        .hasMessageContaining("parameters key");
  }

  @Test
  void parameter_valueLongerThanLimit_rejected() {
    String big = "x".repeat(Names.MAX_VALUE_LENGTH + 1);
    assertThatThrownBy(() -> Event.builder(EventType.TRAINING).environment("k", big).build())
        .hasMessageContaining("longer than " + Names.MAX_VALUE_LENGTH);
    assertThat(Event.builder(EventType.TRAINING).environment("k", big.substring(1)).build().environment())
        .containsKey("k");
  }

  @Test
  void artifactRef_invalidNameOrNulls_rejected() {
    assertThatThrownBy(() -> ArtifactRef.of("bad name", ArtifactKind.MODEL, D)).hasMessageContaining("artifact name");
    assertThatThrownBy(() -> ArtifactRef.of("a".repeat(129), ArtifactKind.MODEL, D))
        .hasMessageContaining("artifact name");
    assertThatThrownBy(() -> ArtifactRef.of("a", null, D)).hasMessage("kind");
    assertThatThrownBy(() -> ArtifactRef.of("a", ArtifactKind.MODEL, null)).hasMessage("digest");
    assertThat(ArtifactRef.of("a".repeat(128), ArtifactKind.MODEL, D).name()).hasSize(128);
  }

  @Test
  void artifactRef_withUriAndAnnotation_copies() {
    ArtifactRef a = art("base");
    ArtifactRef b = a.withUri("hf://acme/base").withAnnotation("license", "apache-2.0");
    assertThat(a.uri()).isEmpty();
    assertThat(a.annotations()).isEmpty();
    assertThat(b.uri()).contains("hf://acme/base");
    assertThat(b.annotations()).containsEntry("license", "apache-2.0");
  }

  @Test
  void artifactKind_fromJson_roundTripsAndRejectsUnknown() {
    for (ArtifactKind k : ArtifactKind.values()) {
      assertThat(ArtifactKind.fromJson(k.jsonName())).isEqualTo(k);
      assertThat(k.jsonName()).isLowerCase();
    }
    assertThatThrownBy(() -> ArtifactKind.fromJson("MODEL")).hasMessageContaining("unknown artifact kind 'MODEL'")
        .hasMessageContaining("model, dataset, code, config, report, other");
  }

  @Test
  void evaluation_invalidMetricName_rejected() {
    TreeMap<String, BigDecimal> m = new TreeMap<>(Map.of("bad name", BigDecimal.ONE));
    assertThatThrownBy(() -> new EventDetails.Evaluation(m)).hasMessageContaining("metric name");
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"model,MODEL", "base,MODEL", "Base-Weights,MODEL", "model-ft,MODEL",
      "ckpt-checkpoint-3,MODEL", "train-data,DATASET", "shard-0001,DATASET", "corpus,DATASET", "train-script,CODE",
      "hyperparameters,CONFIG", "config,CONFIG", "eval-report,REPORT", "results,REPORT", "licence,OTHER",
      "tokenizer,OTHER"})
  void artifactKindGuess_name_kindItSuggests(String name, ArtifactKind expected) {
    assertThat(ArtifactKind.guess(name)).isEqualTo(expected);
  }

  @Test
  void evaluationOf_ordinaryNumbers_exactDecimalsAsWritten() {
    Map<String, Number> m = new java.util.LinkedHashMap<>();
    m.put("accuracy", 0.913);
    m.put("f1", 0.9f);
    m.put("samples", 12_000);
    m.put("tokens", 123_456_789_012L);
    m.put("huge", new java.math.BigInteger("123456789012345678901234567890"));
    m.put("loss", new BigDecimal("1.50E-7"));
    m.put("tiny", 1e-300);
    EventDetails.Evaluation e = EventDetails.Evaluation.of(m);
    assertThat(e.metrics()).containsExactly(Map.entry("accuracy", new BigDecimal("0.913")),
        Map.entry("f1", new BigDecimal("0.9")), Map.entry("huge", new BigDecimal("123456789012345678901234567890")),
        Map.entry("loss", new BigDecimal("1.50E-7")), Map.entry("samples", new BigDecimal("12000")),
        Map.entry("tiny", new BigDecimal("1.0E-300")), Map.entry("tokens", new BigDecimal("123456789012")));
    assertThat(e).isEqualTo(new EventDetails.Evaluation(new TreeMap<>(e.metrics())));
  }

  @Test
  void methodOfAndDecisionOf_plainStrings_equalTheCanonicalForms() {
    assertThat(EventDetails.Method.of("gptq-4bit")).isEqualTo(new EventDetails.Method(Optional.of("gptq-4bit")));
    assertThat(EventDetails.Decision.of(D, "approved", "reviewed"))
        .isEqualTo(new EventDetails.Decision(D, "approved", Optional.of("reviewed")));
    assertThatThrownBy(() -> EventDetails.Method.of("bad method")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EventDetails.Decision.of(D, "maybe", "x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void evaluationOf_nonFiniteNumber_rejectedNamingMetric() {
    for (Number bad : List.<Number>of(Double.NaN, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY)) {
      assertThatThrownBy(() -> EventDetails.Evaluation.of(Map.of("loss", bad)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'loss'").hasMessageContaining("finite");
    }
  }

  @Test
  void evaluationOf_unknownNumberType_rejectedNamingTheType() {
    Number odd = new java.util.concurrent.atomic.DoubleAdder();
    assertThatThrownBy(() -> EventDetails.Evaluation.of(Map.of("loss", odd)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'loss'").hasMessageContaining("DoubleAdder");
  }

  @Test
  void evaluationOf_nullValueOrName_rejected() {
    Map<String, Number> nullValue = new java.util.HashMap<>();
    nullValue.put("loss", null);
    assertThatThrownBy(() -> EventDetails.Evaluation.of(nullValue)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> EventDetails.Evaluation.of(Map.of("bad name", 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metric name");
  }

  @Test
  void custom_bodyNotAnObjectOrInvalid_rejected() {
    assertThatThrownBy(() -> new EventDetails.Custom("[]")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be a JSON object");
    assertThatThrownBy(() -> new EventDetails.Custom("{\"a\":1,\"a\":2}")).hasMessageContaining("a");
    assertThatThrownBy(() -> new EventDetails.Custom("{} {}")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void custom_whitespaceInBody_storedCompact() {
    assertThat(new EventDetails.Custom("{ \"a\" : [ 1, 2 ] }").json()).isEqualTo("{\"a\":[1,2]}");
  }

  @Test
  void custom_bodyDeeperThanMaxBodyDepth_rejected() {
    int d = EventDetails.Custom.MAX_BODY_DEPTH;
    String ok = "{\"a\":".repeat(d - 1) + "[1]" + "}".repeat(d - 1);
    assertThat(new EventDetails.Custom(ok).json()).isEqualTo(ok);
    String deep = "{\"a\":".repeat(d) + "[1]" + "}".repeat(d);
    assertThatThrownBy(() -> new EventDetails.Custom(deep))
        .hasMessageContaining("nests deeper than " + d);
  }

  @Test
  void build_timeOutsideRfc3339Years_rejected() {
    Instant tooLate = Instant.parse("9999-12-31T23:59:59.999999999Z").plusNanos(1);
    Instant tooEarly = Instant.parse("0000-01-01T00:00:00Z").minusNanos(1);
    assertThatThrownBy(() -> Event.builder(EventType.TRAINING).finishedAt(tooLate).build())
        .hasMessageContaining("finishedAt").hasMessageContaining("0000-9999");
    assertThatThrownBy(() -> Event.builder(EventType.TRAINING).startedAt(tooEarly).build())
        .hasMessageContaining("startedAt");
    assertThat(Event.builder(EventType.TRAINING).startedAt(tooEarly.plusNanos(1)).finishedAt(tooLate.minusNanos(1))
        .build().finishedAt()).contains(tooLate.minusNanos(1));
  }
}
