package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.bundle.EvidenceBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, evidence bundles: the two-organisation lineage of {@link TwoOrganisationsScenarioTest} is
 * exported from each organisation's ledger ({@code custody export}), the ledgers are moved away, and
 * {@code custody verify --bundle A --bundle B --policy P} in a fresh directory judges the lineage as
 * the ledger verification does. Each tampering of a bundle fails with a finding or an error naming it.
 */
class BundleRoundTripTest {
  @TempDir static Path tmp;
  static Path fresh;
  static Path acmeBundle;
  static Path basecorpBundle;
  static Path policy;
  static Path quantized;
  static Path acmeVkey;
  static Path basecorpVkey;
  static Cli.Result ledgerReport;

  @BeforeAll
  static void exportBothAndMoveTheLedgersAway() throws Exception {
    TwoOrganisationsScenarioTest.tmp = tmp;
    TwoOrganisationsScenarioTest.build();
    Path acme = TwoOrganisationsScenarioTest.acme;
    Path basecorp = TwoOrganisationsScenarioTest.basecorp;
    quantized = TwoOrganisationsScenarioTest.quantized;
    ledgerReport = TwoOrganisationsScenarioTest.w.verify(TwoOrganisationsScenarioTest.policy, List.of(acme, basecorp));
    assertThat(ledgerReport.code()).as("%s", ledgerReport).isZero();

    fresh = Files.createDirectories(tmp.resolve("regulator"));
    acmeBundle = fresh.resolve("acme.bundle.json");
    basecorpBundle = fresh.resolve("basecorp.bundle.json");
    Cli.Result a = Cli.ok("export", "--ledger", acme, "--chain", "acme/base", "--out", acmeBundle, "--json");
    assertThat(a.json().get("mediaType").asText()).isEqualTo(EvidenceBundle.MEDIA_TYPE);
    Cli.ok("export", "--ledger", basecorp, "--model", quantized, "--out", basecorpBundle);
    policy = TwoOrganisationsScenarioTest.policy; // with the public keys and roots it names, beside it
    acmeVkey = Files.copy(acme.resolve("log/vkey"), fresh.resolve("acme.vkey"));
    basecorpVkey = Files.copy(basecorp.resolve("log/vkey"), fresh.resolve("basecorp.vkey"));
    Files.move(acme, tmp.resolve("gone-acme"));
    Files.move(basecorp, tmp.resolve("gone-basecorp"));
  }

  private static Cli.Result verify(Path a, Path b, Object... extra) {
    List<Object> args = new ArrayList<>(List.of("verify", "--policy", policy, "--bundle", a, "--bundle", b,
        "--log-key", acmeVkey, "--log-key", basecorpVkey, "--format", "json"));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray());
  }

  private static JsonNode tree(Path bundle) throws Exception {
    return Cli.MAPPER.readTree(Files.readAllBytes(bundle));
  }

  /** A copy of {@code bundle} changed by {@code change}, written as JSON. */
  private static Path tampered(String name, Path bundle, Consumer<ObjectNode> change) throws Exception {
    ObjectNode t = (ObjectNode) tree(bundle);
    change.accept(t);
    Path out = tmp.resolve(name + ".bundle.json");
    Files.write(out, Cli.MAPPER.writeValueAsBytes(t));
    return out;
  }

  private static ObjectNode entry(ObjectNode t, int i) {
    return (ObjectNode) t.get("entries").get(i);
  }

  private static List<String> messages(Cli.Result r, String code) {
    List<String> out = new ArrayList<>();
    for (JsonNode f : r.json().get("findings")) {
      if (f.get("code").asText().equals(code)) {
        out.add(f.toString());
      }
    }
    return out;
  }

  @Test
  void roundTrip_twoOrganisations_verifiedWithNoLedger() {
    Cli.Result r = verify(acmeBundle, basecorpBundle);
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.json().get("verified").booleanValue()).isTrue();
    assertThat(World.codes(r, "WARNING")).as(r.out()).isEmpty();
    assertThat(World.codes(r, "INFO")).contains("BUNDLE_PARTIAL");
    // The same entries as the ledger verification judged, through the same report.
    assertThat(r.json().get("entries").asLong()).isEqualTo(ledgerReport.json().get("entries").asLong());
    assertThat(Files.exists(fresh.resolve(".custody"))).isFalse();
  }

  @Test
  void roundTrip_textAndHtml_sameRenderersNameTheBundles() throws Exception {
    Cli.Result text = Cli.run("verify", "--policy", policy, "--bundle", acmeBundle, "--bundle", basecorpBundle,
        "--log-key", acmeVkey, "--log-key", basecorpVkey, "--color", "never");
    assertThat(text.code()).as("%s", text).isZero();
    assertThat(text.out()).contains("acme.bundle.json").contains("basecorp.bundle.json");
    Path html = tmp.resolve("report.html");
    Cli.Result h = Cli.run("verify", "--policy", policy, "--bundle", acmeBundle, "--bundle", basecorpBundle,
        "--log-key", acmeVkey, "--log-key", basecorpVkey, "--format", "html", "--out", html);
    assertThat(h.code()).as("%s", h).isZero();
    assertThat(Files.readString(html)).contains("acme/base").contains("basecorp/falcon-ft");
  }

  @Test
  void verify_bundleWithoutTrustedLogKey_warnsLogKeyUntrusted() {
    Cli.Result r = Cli.run("verify", "--policy", policy, "--bundle", acmeBundle, "--bundle", basecorpBundle,
        "--format", "json");
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(World.codes(r, "WARNING")).contains("LOG_KEY_UNTRUSTED");
  }

  @Test
  void verify_bundleWithAnotherLogsKey_unanchored() {
    Cli.Result r = Cli.run("verify", "--policy", policy, "--bundle", acmeBundle, "--log-key", basecorpVkey,
        "--format", "json");
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(World.codes(r, "ERROR")).contains("CHECKPOINT_UNTRUSTED", "BUNDLE_UNANCHORED");
  }

  @Test
  void roundTrip_withTheModel_checkedAgainstTheManifestInTheBundle() {
    Cli.Result r = verify(acmeBundle, basecorpBundle, "--model", quantized);
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(World.codes(r, "INFO")).contains("ARTIFACT_VERIFIED");
  }

  @Test
  void bundle_holdsNoKeyMaterial() throws Exception {
    for (Path b : List.of(acmeBundle, basecorpBundle)) {
      String text = Files.readString(b, StandardCharsets.ISO_8859_1);
      assertThat(text).doesNotContain("PRIVATE").doesNotContain("BEGIN EC").doesNotContain("MC4CAQAwBQYDK2Vw");
    }
  }

  @Test
  void alone_theBasecorpBundle_lacksTheAcmeLineage() {
    Cli.Result r = Cli.run("verify", "--policy", policy, "--bundle", basecorpBundle, "--log-key", basecorpVkey,
        "--format", "json");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
  }

  @Test
  void tamperedEntryBytes_inclusionInvalidNamingTheEntry() throws Exception {
    Path t = tampered("bytes", acmeBundle, b -> {
      String rec = entry(b, 2).get("record").asText();
      int dot = rec.indexOf('.');
      char c = rec.charAt(dot + 5);
      entry(b, 2).put("record", rec.substring(0, dot + 5) + (c == 'A' ? 'B' : 'A') + rec.substring(dot + 6));
    });
    Cli.Result r = verify(t, basecorpBundle);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(messages(r, "BUNDLE_INCLUSION_INVALID")).singleElement().asString().contains("entries[2]");
  }

  @Test
  void tamperedProof_inclusionInvalid() throws Exception {
    Path t = tampered("proof", acmeBundle, b -> ((ArrayNode) entry(b, 1).get("inclusion")).set(0,
        Cli.MAPPER.getNodeFactory().textNode("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")));
    Cli.Result r = verify(t, basecorpBundle);
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(messages(r, "BUNDLE_INCLUSION_INVALID")).singleElement().asString().contains("entries[1]");
  }

  @Test
  void tamperedCheckpoint_signatureInvalidAndUnanchored() throws Exception {
    Path t = tampered("checkpoint", acmeBundle, b -> {
      ObjectNode cp = (ObjectNode) b.get("checkpoints").get(b.get("checkpoints").size() - 1);
      String[] lines = cp.get("note").asText().split("\n", -1);
      lines[1] = Long.toString(Long.parseLong(lines[1]) + 1);
      cp.put("note", String.join("\n", lines));
    });
    Cli.Result r = verify(t, basecorpBundle);
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(World.codes(r, "ERROR")).contains("CHECKPOINT_SIGNATURE_INVALID", "BUNDLE_UNANCHORED");
  }

  @Test
  void tamperedManifest_manifestInvalid() throws Exception {
    Path t = tampered("manifest", basecorpBundle, b -> {
      for (JsonNode n : b.get("manifests")) {
        ((ObjectNode) n).put("json", n.get("json").asText().replace("\"", "\" "));
      }
    });
    Cli.Result r = verify(acmeBundle, t, "--model", quantized);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(World.codes(r, "ERROR")).contains("ARTIFACT_MANIFEST_INVALID");
  }

  @Test
  void droppedEntry_chainGapNamed() throws Exception {
    Path t = tampered("dropped", acmeBundle, b -> ((ArrayNode) b.get("entries")).remove(1));
    Cli.Result r = verify(t, basecorpBundle);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(World.codes(r, "ERROR")).as(r.out()).contains("SEQUENCE_GAP");
    assertThat(r.out()).contains("acme/base:2");
  }

  @Test
  void reorderedEntries_refusedNamingThem() throws Exception {
    Path t = tampered("reordered", acmeBundle, b -> {
      ArrayNode e = (ArrayNode) b.get("entries");
      JsonNode one = e.get(1);
      e.set(1, e.get(2));
      e.set(2, one);
    });
    Cli.Result r = verify(t, basecorpBundle);
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("entries").contains("reordered");
  }

  @Test
  void recordsSwappedKeepingIndices_inclusionInvalid() throws Exception {
    Path t = tampered("swapped", acmeBundle, b -> {
      JsonNode one = entry(b, 1).get("record");
      entry(b, 1).set("record", entry(b, 2).get("record"));
      entry(b, 2).set("record", one);
    });
    Cli.Result r = verify(t, basecorpBundle);
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(messages(r, "BUNDLE_INCLUSION_INVALID")).hasSize(2);
  }

  @Test
  void entryFromAnotherBundle_inclusionInvalid() throws Exception {
    JsonNode other = tree(basecorpBundle).get("entries").get(1);
    Path t = tampered("foreign", acmeBundle, b -> {
      ObjectNode e = entry(b, 1);
      e.set("record", other.get("record"));
      e.set("inclusion", other.get("inclusion"));
    });
    Cli.Result r = verify(t, basecorpBundle);
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(messages(r, "BUNDLE_INCLUSION_INVALID")).singleElement().asString().contains("entries[1]");
  }

  @Test
  void plantedPrivateKey_refused() throws Exception {
    Path t = tampered("planted", acmeBundle, b -> b.putArray("certificates").addObject()
        .put("keyId", "a".repeat(64)).put("pem", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n"
            + "-----END PRIVATE KEY-----\n"));
    Cli.Result r = verify(t, basecorpBundle);
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("private key material");
    // Hidden behind JSON escapes, too.
    String escaped = Files.readString(acmeBundle).replaceFirst("^\\{", "{\"x\":\"\\\\u0050RIVATE+KEY+x\",");
    assertThat(escaped).contains("\\u0050RIVATE");
    Path e = Files.writeString(tmp.resolve("escaped.bundle.json"), escaped);
    Cli.Result r2 = verify(e, basecorpBundle);
    assertThat(r2.code()).as("%s", r2).isEqualTo(Main.BAD_INPUT);
    assertThat(r2.err()).contains("private key material");
  }

  @Test
  void trailingGarbage_duplicateKeys_hugeNumbers_refused() throws Exception {
    String text = Files.readString(acmeBundle);
    Path trailing = Files.writeString(tmp.resolve("trailing.json"), text + "{}");
    Path duplicate = Files.writeString(tmp.resolve("dup.json"), text.replaceFirst("\\{\"mediaType\"",
        "{\"mediaType\":\"x\",\"mediaType\""));
    Path huge = Files.writeString(tmp.resolve("huge.json"), text.replaceFirst("\"index\":0",
        "\"index\":99999999999999999999999"));
    Path wrongType = Files.writeString(tmp.resolve("type.json"), text.replace(EvidenceBundle.MEDIA_TYPE,
        "application/vnd.custody.bundle.v2+json"));
    for (Path p : List.of(trailing, duplicate, huge, wrongType)) {
      Cli.Result r = verify(p, basecorpBundle);
      assertThat(r.code()).as("%s: %s", p, r).isEqualTo(Main.BAD_INPUT);
      assertThat(r.err()).as("%s", p).contains(p.getFileName().toString());
    }
  }

  @Test
  void export_unknownFormat_refusedClearly() {
    Cli.Result r = Cli.run("export", "--ledger", tmp.resolve("gone-acme"), "--chain", "acme/base", "--out",
        tmp.resolve("x.json"), "--format", "spdx");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("unknown export format 'spdx' (expected intoto or oms)").contains("custody, the default");
    assertThat(tmp.resolve("x.json")).doesNotExist();
  }
}
