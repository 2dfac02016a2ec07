package dev.custody.core.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.internal.json.StrictJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance with models signed by the OMS reference implementation
 * ({@code vectors/openssf-model-signing/}, see its SOURCE.md): custody's resource digests and root
 * digest equal those in each signed statement, hashed with the same ignore paths and serialization.
 */
class OmsConformanceTest {
  private static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
  private static final String PREDICATE_TYPE = "https://model_signing/signature/v1.0";

  static Stream<Path> models() throws Exception {
    Path dir = Path.of(System.getProperty("custody.vectors")).resolve("openssf-model-signing");
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> models = s.filter(p -> p.getFileName().toString().matches("v1\\.0\\.[01]-.*")).sorted().toList();
      assertThat(models).hasSize(4);
      return models.stream();
    }
  }

  /** The in-toto statement inside a Sigstore bundle's DSSE envelope. */
  record Signed(String subjectName, String subjectDigest, JsonNode predicate) {
    static Signed read(Path modelSig) throws Exception {
      JsonNode bundle = StrictJson.parse(Files.readAllBytes(modelSig), 1 << 20, modelSig.toString());
      JsonNode envelope = bundle.get("dsseEnvelope");
      assertThat(envelope.get("payloadType").textValue()).isEqualTo("application/vnd.in-toto+json");
      byte[] payload = Base64.getDecoder().decode(envelope.get("payload").textValue());
      JsonNode statement = StrictJson.parse(payload, 1 << 20, "statement");
      assertThat(statement.get("_type").textValue()).isEqualTo(STATEMENT_TYPE);
      assertThat(statement.get("predicateType").textValue()).isEqualTo(PREDICATE_TYPE);
      assertThat(statement.get("subject")).hasSize(1);
      JsonNode subject = statement.get("subject").get(0);
      return new Signed(subject.get("name").textValue(), subject.get("digest").get("sha256").textValue(),
          statement.get("predicate"));
    }

    Map<String, String> resources() {
      Map<String, String> out = new LinkedHashMap<>();
      for (JsonNode r : predicate.get("resources")) {
        out.put(r.get("name").textValue(), r.get("digest").textValue());
      }
      return out;
    }
  }

  /**
   * The model path the reference signed: the folder, or — where the subject names a file (the
   * v1.0.0 single-file vector, whose only resource is the legacy name ".") — that file.
   */
  private static Path signedModel(Path folder, Signed signed) {
    Path file = folder.resolve(signed.subjectName());
    return Files.isRegularFile(file) ? file : folder;
  }

  private static ModelHasher hasherFor(Signed signed, List<String> extraIgnore) {
    JsonNode s = signed.predicate().get("serialization");
    ModelHasher.Builder b = ModelHasher.builder()
        .allowSymlinks(s.get("allow_symlinks").booleanValue())
        .ignorePaths(List.of("model.sig", "ignore-me"))
        .ignorePaths(extraIgnore);
    if (s.get("method").textValue().equals("shards")) {
      b.shards(s.get("shard_size").longValue());
    }
    return b.build();
  }

  @ParameterizedTest
  @MethodSource("models")
  void hash_referenceSignedModel_resourceAndRootDigestsEqualStatement(Path folder) throws Exception {
    Signed signed = Signed.read(folder.resolve("model.sig"));
    Path model = signedModel(folder, signed);

    ModelManifest ours = hasherFor(signed, List.of()).hash(model);

    Map<String, String> expected = signed.resources();
    Map<String, String> actual = new LinkedHashMap<>();
    for (Resource r : ours.resources()) {
      actual.put(r.name(), r.digest().value().hex());
    }
    if (expected.containsKey(ModelManifest.LEGACY_SINGLE_FILE_NAME)) {
      // v1.0.0 quirk (SOURCE.md): a single-file model's resource was named "."; OMS now names the file.
      assertThat(expected).hasSize(1);
      assertThat(actual).containsOnlyKeys(model.getFileName().toString());
      assertThat(actual.values()).containsExactlyElementsOf(expected.values());
    } else {
      assertThat(actual).containsExactlyEntriesOf(expected);
    }
    assertThat(ours.rootDigest().value().hex()).isEqualTo(signed.subjectDigest());
  }

  @ParameterizedTest
  @MethodSource("models")
  void fromJson_referencePredicate_parsesWithStatementRootDigest(Path folder) throws Exception {
    Signed signed = Signed.read(folder.resolve("model.sig"));

    ModelManifest parsed = ModelManifest.fromJson(signed.predicate(), "predicate");

    assertThat(parsed.rootDigest().value().hex()).isEqualTo(signed.subjectDigest());
    assertThat(parsed.resources()).extracting(Resource::name).containsExactlyElementsOf(signed.resources().keySet());
    assertThat(parsed.serialization().method()).isEqualTo(Serialization.Method.FILES);
  }

  @ParameterizedTest
  @MethodSource("models")
  void hash_referenceModelsAsSevenByteShards_equalsNaiveComputation(Path folder) throws Exception {
    List<String> ignore = new ArrayList<>(ModelHasher.DEFAULT_IGNORE_PATHS);
    ignore.addAll(List.of("model.sig", "ignore-me"));

    ModelManifest ours = ModelHasher.builder().shards(7).ignorePaths(List.of("model.sig", "ignore-me"))
        .threads(3).build().hash(folder);

    List<NaiveManifest.Entry> naive = NaiveManifest.of(folder, 7, ignore);
    assertThat(ours.resources()).extracting(Resource::name)
        .containsExactlyElementsOf(naive.stream().map(NaiveManifest.Entry::name).toList());
    assertThat(ours.resources()).extracting(r -> r.digest().value().hex())
        .containsExactlyElementsOf(naive.stream().map(e -> NaiveManifest.hex(e.digest())).toList());
    assertThat(ours.rootDigest().value().hex()).isEqualTo(NaiveManifest.rootHex(naive));
    assertThat(ours.resources()).allSatisfy(r -> assertThat(r.name()).matches(".*:\\d+:\\d+"));
  }
}
