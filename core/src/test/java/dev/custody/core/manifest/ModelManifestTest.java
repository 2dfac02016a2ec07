package dev.custody.core.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelManifestTest {
  private static final String D1 = "f6310066c7320497ea554260c32c43660bff648cb2a61194832cc086077085e1";
  private static final String D2 = "32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028";
  private static final String ROOT12 = "61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226";

  private static Resource res(String name, String hex) {
    return new Resource(name, Digest.parse("sha256:" + hex));
  }

  private static String files(String resources) {
    return "{\"serialization\":{\"method\":\"files\",\"hash_type\":\"sha256\",\"allow_symlinks\":false},"
        + "\"resources\":[" + resources + "]}";
  }

  private static String shards(String size, String resources) {
    return "{\"serialization\":{\"method\":\"shards\",\"hash_type\":\"sha256\",\"shard_size\":" + size
        + ",\"allow_symlinks\":false},\"resources\":[" + resources + "]}";
  }

  private static String r(String name, String algorithm, String digest) {
    return "{\"algorithm\":\"" + algorithm + "\",\"digest\":\"" + digest + "\",\"name\":\"" + name + "\"}";
  }

  private static ModelManifest parse(String json) throws FormatException {
    return ModelManifest.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void rootDigest_referenceTwoFileModel_equalsSignedSubject() {
    // Same resources as vectors v1.0.1-certificate; listed out of order to check sorting.
    ModelManifest m = ModelManifest.of(Serialization.files(false, List.of()),
        List.of(res("signme-2", D2), res("signme-1", D1)));

    assertThat(m.rootDigest().toString()).isEqualTo("sha256:" + ROOT12);
    assertThat(m.resources()).extracting(Resource::name).containsExactly("signme-1", "signme-2");
  }

  @Test
  void toJson_filesManifest_referenceLayoutExactBytes() {
    ModelManifest m = ModelManifest.of(Serialization.files(false, List.of()),
        List.of(res("signme-1", D1), res("signme-2", D2)));

    assertThat(new String(m.toJson(), StandardCharsets.UTF_8))
        .isEqualTo(files(r("signme-1", "sha256", D1) + "," + r("signme-2", "sha256", D2)));
  }

  @Test
  void toJson_shardsWithIgnorePaths_roundTrips() throws Exception {
    ModelManifest m = ModelManifest.of(Serialization.shards(7, true, List.of("model.sig", ".git")),
        List.of(res("w:7:9", D2), res("w:0:7", D1)));

    String json = new String(m.toJson(), StandardCharsets.UTF_8);
    ModelManifest back = ModelManifest.parse(m.toJson());

    assertThat(json).isEqualTo("{\"serialization\":{\"method\":\"shards\",\"hash_type\":\"sha256\",\"shard_size\":7,"
        + "\"allow_symlinks\":true,\"ignore_paths\":[\".git\",\"model.sig\"]},\"resources\":["
        + r("w:0:7", "sha256-sharded-7", D1) + "," + r("w:7:9", "sha256-sharded-7", D2) + "]}");
    assertThat(back).isEqualTo(m);
    assertThat(back.rootDigest()).isEqualTo(m.rootDigest());
  }

  @Test
  void parse_shardSizeAsIntegralDouble_acceptedForReferenceInterop() throws Exception {
    ModelManifest m = parse(shards("8.0", r("f:0:8", "sha256-sharded-8", D1)));

    assertThat(m.serialization().shardSize()).isEqualTo(8);
  }

  @Test
  void parse_shardAlgorithmPlainSha256_acceptedAsSpecWordsIt() throws Exception {
    assertThat(parse(shards("8", r("f:0:8", "sha256", D1))).resources()).hasSize(1);
  }

  @Test
  void parse_legacySingleFileDot_acceptedAndFlagged() throws Exception {
    ModelManifest m = parse(files(r(".", "sha256", D1)));

    assertThat(m.isLegacySingleFile()).isTrue();
    assertThat(m.rootDigest()).isEqualTo(Digest.sha256(Digest.parse("sha256:" + D1).value().toByteArray()));
  }

  static Stream<Arguments> malformed() {
    String ok1 = r("a", "sha256", D1);
    return Stream.of(
        Arguments.of("not JSON", "{", "not valid JSON"),
        Arguments.of("trailing garbage", files(ok1) + "x", "not valid JSON"),
        Arguments.of("duplicate key", files(ok1).replace("{\"serialization\"", "{\"resources\":[],\"serialization\""),
            "Duplicate"),
        Arguments.of("unknown predicate member", files(ok1).replace("{\"serialization\"", "{\"x\":1,\"serialization\""),
            "unknown member 'x'"),
        Arguments.of("unknown resource member", files(ok1.replace("{\"algorithm\"", "{\"uri\":\"u\",\"algorithm\"")),
            "unknown member 'uri'"),
        Arguments.of("unknown serialization member", files(ok1).replace("\"allow_symlinks\"", "\"x\":1,\"allow_symlinks\""),
            "unknown member 'x'"),
        Arguments.of("missing resources", "{\"serialization\":{\"method\":\"files\",\"hash_type\":\"sha256\","
            + "\"allow_symlinks\":false}}", "missing required member 'resources'"),
        Arguments.of("no resources", files(""), "no resources"),
        Arguments.of("unknown method", files(ok1).replace("\"files\"", "\"tensors\""), "unknown serialization method"),
        Arguments.of("unknown hash type", files(ok1).replace("\"hash_type\":\"sha256\"", "\"hash_type\":\"blake2\""),
            "unsupported hash_type"),
        Arguments.of("allow_symlinks as string", files(ok1).replace("false", "\"false\""), "allow_symlinks"),
        Arguments.of("shard_size in files", files(ok1).replace("\"allow_symlinks\"", "\"shard_size\":8,\"allow_symlinks\""),
            "unknown member 'shard_size'"),
        Arguments.of("missing shard_size", shards("8", r("f:0:8", "sha256-sharded-8", D1)).replace("\"shard_size\":8,", ""),
            "missing required member 'shard_size'"),
        Arguments.of("zero shard_size", shards("0", r("f:0:8", "sha256", D1)), "shard_size"),
        Arguments.of("negative shard_size", shards("-8", r("f:0:8", "sha256", D1)), "shard_size"),
        Arguments.of("fractional shard_size", shards("8.5", r("f:0:8", "sha256", D1)), "shard_size"),
        Arguments.of("string shard_size", shards("\"8\"", r("f:0:8", "sha256", D1)), "shard_size"),
        Arguments.of("uppercase digest", files(r("a", "sha256", D1.toUpperCase())), "64 lowercase hex"),
        Arguments.of("short digest", files(r("a", "sha256", D1.substring(2))), "64 lowercase hex"),
        Arguments.of("wrong algorithm", files(r("a", "sha512", D1)), "does not match"),
        Arguments.of("sharded algorithm in files", files(r("a", "sha256-sharded-8", D1)), "does not match"),
        Arguments.of("other shard size in algorithm", shards("8", r("f:0:8", "sha256-sharded-9", D1)), "does not match"),
        Arguments.of("duplicate name", files(ok1 + "," + r("a", "sha256", D2)), "duplicate resource 'a'"),
        Arguments.of("out of order", files(r("b", "sha256", D1) + "," + ok1), "not in canonical order"),
        Arguments.of("string order instead of component order",
            files(r("a-b", "sha256", D1) + "," + r("a/b", "sha256", D2)), "not in canonical order"),
        Arguments.of("file and directory", files(ok1 + "," + r("a/b", "sha256", D2)), "both a file and the directory"),
        Arguments.of("absolute name", files(r("/a", "sha256", D1)), "absolute"),
        Arguments.of("parent traversal", files(r("a/../b", "sha256", D1)), "'..' component"),
        Arguments.of("dot component", files(r("a/./b", "sha256", D1)), "'.' component"),
        Arguments.of("empty component", files(r("a//b", "sha256", D1)), "empty component"),
        Arguments.of("trailing slash", files(r("a/", "sha256", D1)), "trailing"),
        Arguments.of("empty name", files(r("", "sha256", D1)), "empty"),
        Arguments.of("dot among several", files(r(".", "sha256", D1) + "," + r("a", "sha256", D2)), "'.' component"),
        Arguments.of("NUL in name", files(r("a\\u0000b", "sha256", D1)), "NUL"),
        Arguments.of("lone surrogate", files(r("a\\ud800", "sha256", D1)), "surrogate"),
        Arguments.of("resource under ignore path", files(r("cache/x", "sha256", D1))
            .replace("\"allow_symlinks\":false", "\"allow_symlinks\":false,\"ignore_paths\":[\"cache\"]"),
            "lies under an ignore path"),
        Arguments.of("invalid ignore path", files(ok1)
            .replace("\"allow_symlinks\":false", "\"allow_symlinks\":false,\"ignore_paths\":[\"../x\"]"), "'..'"),
        Arguments.of("shard name without offsets", shards("8", r("f", "sha256", D1)), "not <path>:<start>:<end>"),
        Arguments.of("shard offset leading zero", shards("8", r("f:00:8", "sha256", D1)), "leading zeros"),
        Arguments.of("shard offset signed", shards("8", r("f:+0:8", "sha256", D1)), "leading zeros"),
        Arguments.of("shard end before start", shards("8", r("f:8:8", "sha256", D1)), "not after start"),
        Arguments.of("shard longer than shard_size", shards("8", r("f:0:9", "sha256", D1)), "longer than shard_size"),
        Arguments.of("first shard not at 0", shards("8", r("f:8:10", "sha256", D1)), "starts at 8"),
        Arguments.of("shard gap", shards("8", r("f:0:8", "sha256", D1) + "," + r("f:16:20", "sha256", D2)),
            "not contiguous"),
        Arguments.of("short shard before last", shards("8", r("f:0:4", "sha256", D1) + "," + r("f:4:8", "sha256", D2)),
            "not contiguous"),
        Arguments.of("duplicate shard", shards("8", r("f:0:8", "sha256", D1) + "," + r("f:0:8", "sha256", D2)),
            "duplicate shard"),
        Arguments.of("shards in string order", shards("7", r("f:0:7", "sha256", D1) + "," + r("f:14:21", "sha256", D2)
            + "," + r("f:7:14", "sha256", D1)), "not in canonical order"),
        Arguments.of("top-level array", "[]", "must be a JSON object"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void parse_malformed_rejectedWithClearError(String name, String json, String message) {
    assertThatThrownBy(() -> parse(json)).isInstanceOf(FormatException.class).hasMessageContaining(message);
  }

  @Test
  void parse_oversize_rejectedBeforeParsing() {
    byte[] big = new byte[ModelManifest.MAX_JSON_BYTES + 1];

    assertThatThrownBy(() -> ModelManifest.parse(big)).isInstanceOf(FormatException.class)
        .hasMessageContaining("over the limit");
  }

  @Test
  void of_invalidResources_illegalArgument() {
    Serialization files = Serialization.files(false, List.of());
    assertThatThrownBy(() -> ModelManifest.of(files, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no resources");
    assertThatThrownBy(() -> ModelManifest.of(files, List.of(res("a", D1), res("a", D2))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate");
    assertThatThrownBy(() -> ModelManifest.of(Serialization.shards(8, false, List.of()), List.of(res("a", D1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<path>:<start>:<end>");
  }

  @Test
  void equals_differentSerializationSameDigests_notEqualButSameRoot() {
    ModelManifest a = ModelManifest.of(Serialization.files(false, List.of()), List.of(res("a", D1)));
    ModelManifest b = ModelManifest.of(Serialization.files(true, List.of()), List.of(res("a", D1)));

    assertThat(a).isNotEqualTo(b);
    assertThat(a.rootDigest()).isEqualTo(b.rootDigest());
  }
}
