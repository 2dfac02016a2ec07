package dev.custody.core.intoto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.FormatException;
import dev.custody.core.Vectors;
import dev.custody.core.internal.json.StrictJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The in-toto reference validators' cases ({@code vectors/in-toto/validation-vectors.json}): custody's
 * Statement, ResourceDescriptor and SLSA Provenance v1 readers agree with each, except the one case
 * custody decides differently and documents (the legacy Statement v0.1 type, accepted by Go only).
 */
class InTotoValidationVectorsTest {
  /** Cases where custody takes the stricter of the two reference validators (Python's rule). */
  private static final Set<String> STRICTER_THAN_GO = Set.of("TestStatementTypeVersions v0.1");

  static Stream<Arguments> cases() {
    JsonNode all = Vectors.json("in-toto/validation-vectors.json");
    List<Arguments> out = new ArrayList<>();
    for (String group : List.of("goStatement", "pythonStatement", "goResourceDescriptor", "goProvenanceV1Predicate")) {
      for (JsonNode c : all.get(group)) {
        out.add(Arguments.of(group, c.get("name").textValue(), c.get("input").textValue(), c.get("expect").textValue()));
      }
    }
    assertThat(out).hasSize(31);
    return out.stream();
  }

  private static void read(String group, String input) throws FormatException {
    JsonNode node = StrictJson.parse(input.getBytes(StandardCharsets.UTF_8), 1 << 16, "case");
    switch (group) {
      case "goStatement", "pythonStatement" -> Statement.fromJson(node, "statement");
      case "goResourceDescriptor" -> ResourceDescriptor.fromJson(node, "descriptor");
      case "goProvenanceV1Predicate" -> SlsaProvenance.validate(node, "predicate");
      default -> throw new IllegalArgumentException(group);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void read_referenceValidatorCase_agrees(String group, String name, String input, String expect) {
    if (STRICTER_THAN_GO.contains(name)) {
      assertThatThrownBy(() -> read(group, input)).isInstanceOf(FormatException.class)
          .hasMessageContaining("Statement/v1");
      return;
    }
    switch (expect) {
      case "valid", "parses" -> assertThatCode(() -> read(group, input)).doesNotThrowAnyException();
      case "invalid" -> assertThatThrownBy(() -> read(group, input)).isInstanceOf(FormatException.class);
      default -> throw new AssertionError("unknown expectation " + expect);
    }
  }

  @Test
  void toJson_custodyStatement_passesBothReferenceRuleSets() throws Exception {
    JsonNode predicate = StrictJson.parse("{\"k\":\"v\"}".getBytes(StandardCharsets.UTF_8), 100, "p");
    Statement s = new Statement(List.of(ResourceDescriptor.subject("model", "sha256", "ab".repeat(32))),
        "https://custody.dev/test/v1", predicate);

    Statement back = Statement.parse(s.toJson(), "round trip");

    assertThat(back).isEqualTo(s);
    assertThat(new String(s.toJson(), StandardCharsets.UTF_8)).startsWith("{\"_type\":\"https://in-toto.io/Statement/v1\"");
  }

  @Test
  void fromJson_uppercaseSha256_failsAsNotLowercaseHex() {
    String json = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"a\",\"digest\":{\"sha256\":\""
        + "AB".repeat(32) + "\"}}],\"predicateType\":\"t\",\"predicate\":{\"a\":1}}";
    assertThatThrownBy(() -> Statement.parse(json.getBytes(StandardCharsets.UTF_8), "s"))
        .isInstanceOf(FormatException.class).hasMessageContaining("lowercase hex");
  }

  @Test
  void fromJson_exampleStatements_parseAndTheirSlsaPredicatesValidate() throws Exception {
    for (String f : List.of("slsa-github-actions-workflow-v1.example.json", "sigstore-conformance-statement.json")) {
      Statement s = Statement.parse(Vectors.bytes("in-toto/examples/" + f), f);
      assertThat(s.predicateType()).isEqualTo(SlsaProvenance.PREDICATE_TYPE);
      SlsaProvenance.validate(s.predicate(), f);
    }
  }

  @Test
  void validate_gcbExampleWithoutBuilder_failsNamingBuilder() throws Exception {
    Statement s = Statement.parse(Vectors.bytes("in-toto/examples/slsa-gcb-triggered-build-v1.example.json"), "gcb");
    assertThatThrownBy(() -> SlsaProvenance.validate(s.predicate(), "gcb")).isInstanceOf(FormatException.class)
        .hasMessageContaining("runDetails.builder");
  }
}
