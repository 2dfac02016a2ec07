package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code custody record --output model=DIR} (manifest kept in the ledger) and
 * {@code custody verify --model DIR}, end to end through the real CLI on real files.
 */
class ModelArtifactsCliTest {
  @TempDir Path tmp;
  Path ledger;
  Path keys;
  Path model;

  @BeforeEach
  void setUp() throws Exception {
    ledger = tmp.resolve("ledger");
    keys = tmp.resolve("keys");
    model = tmp.resolve("model");
    Cli.ok("keys", "generate", "--out", keys, "--name", "rel");
    Cli.ok("init", "--ledger", ledger);
    Files.createDirectories(model.resolve("sub"));
    Files.writeString(model.resolve("config.json"), "{\"layers\":2}");
    Files.write(model.resolve("weights.bin"), new byte[100_000]);
    Files.writeString(model.resolve("sub/tokenizer.json"), "{}");
  }

  private Cli.Result release(Object... extra) {
    List<Object> args = new ArrayList<>(List.of("record", "release", "--ledger", ledger, "--chain", "acme/m",
        "--key", keys.resolve("rel.key"), "--version", "1.0", "--output", "model=" + model, "--json"));
    args.addAll(List.of(extra));
    return Cli.ok(args.toArray());
  }

  private Cli.Result verifyModel(Object... extra) {
    // The auditor trusts the log key too, so that the report holds the artifact findings, and the lineage's
    // warning that nothing in this ledger produced the released model (a release without its training).
    List<Object> args = new ArrayList<>(List.of("verify", "--ledger", ledger, "--trust", keys, "--log-key",
        ledger.resolve("log").resolve("vkey"), "--chain", "acme/m", "--model", model, "--format", "json"));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray());
  }

  /** The codes of the model check's findings (ARTIFACT_*), in report order. */
  private static List<String> codes(Cli.Result r) {
    List<String> out = new ArrayList<>();
    for (JsonNode f : r.json().get("findings")) {
      if (f.get("code").textValue().startsWith("ARTIFACT_")) {
        out.add(f.get("code").textValue());
      }
    }
    return out;
  }

  private static List<String> messages(Cli.Result r, String code) {
    List<String> out = new ArrayList<>();
    for (JsonNode f : r.json().get("findings")) {
      if (f.get("code").textValue().equals(code)) {
        out.add(f.get("message").textValue());
      }
    }
    return out;
  }

  private List<Path> storedManifests() throws Exception {
    try (Stream<Path> s = Files.list(ledger.resolve("manifests"))) {
      return s.toList();
    }
  }

  @Test
  void recordDirectory_outputDigestIsManifestRoot_manifestStoredUnderItsBytesDigest() throws Exception {
    String root = Cli.ok("hash", model).out().strip();

    release();

    JsonNode entry = Cli.ok("show", "acme/m:0", "--ledger", ledger, "--json").json();
    JsonNode out = entry.findValue("outputs").get(0);
    assertThat(out.get("digest").textValue()).isEqualTo(root);
    assertThat(out.get("mediaType").textValue()).isEqualTo("application/vnd.custody.manifest+json");
    String bytesDigest = out.get("annotations").get("custody.manifest").textValue();
    List<Path> stored = storedManifests();
    assertThat(stored).hasSize(1);
    Path file = stored.get(0);
    assertThat(file.getFileName().toString()).isEqualTo("sha256-" + bytesDigest.substring(7) + ".json");
    assertThat("sha256:" + Cli.sha256Hex(Files.readAllBytes(file))).isEqualTo(bytesDigest);
  }

  @Test
  void recordPlainFile_keepsContentDigest_unlessManifestGiven() throws Exception {
    Path f = model.resolve("weights.bin");
    Cli.ok("record", "training", "--ledger", ledger, "--chain", "acme/t", "--key", keys.resolve("rel.key"),
        "--output", "model=" + f);
    Cli.ok("record", "training", "--ledger", ledger, "--chain", "acme/t", "--key", keys.resolve("rel.key"),
        "--output", "model=" + f, "--manifest");

    JsonNode e0 = Cli.ok("show", "acme/t:0", "--ledger", ledger, "--json").json().findValue("outputs").get(0);
    JsonNode e1 = Cli.ok("show", "acme/t:1", "--ledger", ledger, "--json").json().findValue("outputs").get(0);
    assertThat(e0.get("digest").textValue()).isEqualTo("sha256:" + Cli.sha256Hex(Files.readAllBytes(f)));
    assertThat(e0.has("mediaType")).isFalse();
    assertThat(e1.get("digest").textValue()).isEqualTo(Cli.ok("hash", f).out().strip());
    assertThat(e1.get("mediaType").textValue()).isEqualTo("application/vnd.custody.manifest+json");
  }

  @Test
  void verifyModel_unchanged_exit0WithArtifactVerified() {
    release();

    Cli.Result r = verifyModel();

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(codes(r)).containsExactly("ARTIFACT_VERIFIED");
    JsonNode other = r.json().get("findings").get(0);
    assertThat(other.get("code").textValue()).isEqualTo("RELEASE_UNPRODUCED");
    assertThat(other.get("severity").textValue()).isEqualTo("WARNING");
  }

  @Test
  void verifyModel_changedMissingExtraFiles_eachNamed_exit1() throws Exception {
    release();
    Files.write(model.resolve("weights.bin"), new byte[] {1, 2, 3});
    Files.delete(model.resolve("sub/tokenizer.json"));
    Files.writeString(model.resolve("notes.txt"), "added later");

    Cli.Result r = verifyModel();

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(codes(r)).containsExactlyInAnyOrder("ARTIFACT_FILE_CHANGED", "ARTIFACT_FILE_MISSING",
        "ARTIFACT_FILE_EXTRA", "ARTIFACT_ROOT_MISMATCH");
    assertThat(messages(r, "ARTIFACT_FILE_CHANGED")).singleElement().asString().contains("'weights.bin'");
    assertThat(messages(r, "ARTIFACT_FILE_MISSING")).singleElement().asString().contains("'sub/tokenizer.json'");
    assertThat(messages(r, "ARTIFACT_FILE_EXTRA")).singleElement().asString().contains("'notes.txt'");
  }

  @Test
  void verifyModel_checksNewestRelease_notAnOlderOne() throws Exception {
    release();
    Files.writeString(model.resolve("config.json"), "{\"layers\":3}");
    release();

    assertThat(verifyModel().code()).isZero();
    Cli.Result old = verifyModel("--entry", "acme/m:0");
    assertThat(old.code()).isEqualTo(1);
    assertThat(messages(old, "ARTIFACT_FILE_CHANGED")).singleElement().asString().contains("'config.json'");
  }

  @Test
  void verifyModel_storedManifestAltered_manifestInvalid_rootStillCompared() throws Exception {
    release();
    Path stored = storedManifests().get(0);
    // Rename a file inside the manifest: the root digest does not cover names, the bytes digest does.
    Files.writeString(stored, Files.readString(stored).replace("config.json", "config.jsoo"));

    Cli.Result r = verifyModel();

    assertThat(r.code()).isEqualTo(1);
    assertThat(codes(r)).contains("ARTIFACT_MANIFEST_INVALID").doesNotContain("ARTIFACT_FILE_EXTRA");
  }

  @Test
  void verifyModel_storedManifestDeleted_warningAndRootComparison() throws Exception {
    release();
    Files.delete(storedManifests().get(0));

    Cli.Result same = verifyModel();
    Files.writeString(model.resolve("config.json"), "changed");
    Cli.Result changed = verifyModel();

    assertThat(same.code()).as(same.toString()).isZero();
    assertThat(codes(same)).containsExactly("ARTIFACT_MANIFEST_MISSING", "ARTIFACT_VERIFIED");
    assertThat(changed.code()).isEqualTo(1);
    assertThat(codes(changed)).containsExactly("ARTIFACT_MANIFEST_MISSING", "ARTIFACT_ROOT_MISMATCH");
  }

  @Test
  void verifyModel_noRelease_entryNotFound_exit1() throws Exception {
    Cli.ok("record", "training", "--ledger", ledger, "--chain", "acme/m", "--key", keys.resolve("rel.key"),
        "--output", "model=" + model);

    Cli.Result r = verifyModel();

    assertThat(r.code()).isEqualTo(1);
    assertThat(codes(r)).containsExactly("ARTIFACT_ENTRY_NOT_FOUND");
    // The training entry itself can be named.
    assertThat(verifyModel("--entry", "acme/m:0").code()).isZero();
  }

  @Test
  void verifyModel_releaseSignedByUntrustedKey_isNotUsed() throws Exception {
    Cli.ok("keys", "generate", "--out", tmp.resolve("other"), "--name", "mallory");
    Cli.ok("record", "release", "--ledger", ledger, "--chain", "acme/m", "--key",
        tmp.resolve("other/mallory.key"), "--version", "1", "--output", "model=" + model);

    Cli.Result r = verifyModel();

    assertThat(r.code()).isEqualTo(1);
    assertThat(codes(r)).containsExactly("ARTIFACT_ENTRY_NOT_FOUND");
    assertThat(messages(r, "KEY_UNTRUSTED")).hasSize(1);
  }

  @Test
  void verifyModel_ledgerInsideModel_isIgnored() throws Exception {
    Path inner = model.resolve(".custody");
    Cli.ok("init", "--ledger", inner);
    Cli.ok("record", "release", "--ledger", inner, "--chain", "acme/m", "--key", keys.resolve("rel.key"),
        "--version", "1", "--output", "model=" + model);

    Cli.Result r = Cli.run("verify", "--ledger", inner, "--trust", keys, "--chain", "acme/m", "--model", model,
        "--format", "json");

    assertThat(r.code()).as(r.toString()).isZero();
  }

  @Test
  void verifyModel_withoutChainOrEntry_checksTheReleaseOfTheModelsOwnDigest() {
    Cli.Result none = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--model", model, "--format", "json");
    assertThat(none.code()).as(none.toString()).isEqualTo(1);
    assertThat(codes(none)).containsExactly("ARTIFACT_ENTRY_NOT_FOUND");
    assertThat(messages(none, "ARTIFACT_ENTRY_NOT_FOUND")).singleElement().asString()
        .contains("no authentic release of model").contains("name the release with --chain or --entry");

    release();
    Cli.Result found = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--model", model, "--format", "json");
    assertThat(found.code()).as(found.toString()).isZero();
    assertThat(codes(found)).containsExactly("ARTIFACT_VERIFIED");
    assertThat(messages(found, "ARTIFACT_VERIFIED")).singleElement().asString().contains("file by file");
  }

  @Test
  void verify_entryWithoutModel_usageError() {
    assertThat(Cli.run("verify", "--ledger", ledger, "--trust", keys, "--entry", "acme/m:0").code()).isEqualTo(2);
  }

  @Test
  void verifyModel_modelDoesNotExist_exit2() {
    release();
    assertThat(Cli.run("verify", "--ledger", ledger, "--trust", keys, "--chain", "acme/m", "--model",
        tmp.resolve("nope")).code()).isEqualTo(2);
  }

  @Test
  void verifyModel_releaseRevokedByALaterEntry_artifactRevokedExit1() throws Exception {
    // Issue 7, item 10: the bytes match the release, but a later revocation names it.
    release();
    Cli.ok("record", "revocation", "--ledger", ledger, "--chain", "acme/m", "--key", keys.resolve("rel.key"),
        "--subject", "acme/m:0", "--reason", "training data withdrawn");

    Cli.Result r = verifyModel();

    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(codes(r)).contains("ARTIFACT_VERIFIED", "ARTIFACT_REVOKED");
    assertThat(messages(r, "ARTIFACT_REVOKED")).singleElement().asString().contains("acme/m:0")
        .contains("revoked by entry acme/m:1").contains("training data withdrawn");
    Cli.Result text = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--log-key",
        ledger.resolve("log").resolve("vkey"), "--chain", "acme/m", "--model", model, "-q");
    assertThat(text.out()).contains("ERROR ARTIFACT_REVOKED acme/m:0, ");
  }
}
