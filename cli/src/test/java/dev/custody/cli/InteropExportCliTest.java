package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.dsse.EnvelopeKey;
import dev.custody.core.intoto.SlsaProvenance;
import dev.custody.core.intoto.Statement;
import dev.custody.core.sigstore.SigstoreBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code custody export --format intoto|oms}: every
 * exported bundle verifies with custody's readers and with a DSSE check written here from the spec;
 * the OMS export re-verifies with {@code custody verify-oms}.
 */
class InteropExportCliTest {
  static final String CHAIN = "acme/falcon-7b";
  @TempDir static Path root;
  static Path ledger;
  static Path model;

  @BeforeAll
  static void setUp() throws Exception {
    ledger = root.resolve("ledger");
    Cli.ok("init", "--ledger", ledger, "--origin", "example.com/interop");
    for (String alg : List.of("ed25519", "es256")) {
      Cli.ok("keys", "generate", "--out", root.resolve("keys"), "--name", alg, "--alg", alg);
    }
    Path key = root.resolve("keys/ed25519.key");
    model = Files.createDirectories(root.resolve("model"));
    Files.writeString(model.resolve("weights.bin"), "weights");
    Files.createDirectories(model.resolve("sub"));
    Files.writeString(model.resolve("sub/config.json"), "{}");
    Path data = Files.writeString(root.resolve("data.csv"), "a,b\n");
    Cli.ok("record", "dataset-ingest", "--ledger", ledger, "--chain", CHAIN, "--key", key, "--output", "data=" + data);
    Cli.ok("record", "training", "--ledger", ledger, "--chain", CHAIN, "--key", key, "--input", "data=" + data,
        "--output", "model=" + model, "--param", "lr=0.001");
    Cli.ok("run", "evaluation", "--ledger", ledger, "--chain", CHAIN, "--key", key, "--", "true");
    Cli.ok("record", "release", "--ledger", ledger, "--chain", CHAIN, "--key", key, "--output", "model=" + model,
        "--version", "1.0");
  }

  static List<String> export(String alg, String format, String name) throws Exception {
    Path out = root.resolve(alg + "-" + name);
    Cli.ok("export", "--ledger", ledger, "--format", format, "--chain", CHAIN, "--key",
        root.resolve("keys/" + alg + ".key"), "--out", out);
    return Files.readAllLines(out);
  }

  static EnvelopeKey publicKey(String alg) throws Exception {
    return EnvelopeKey.fromPem(Files.readString(root.resolve("keys/" + alg + ".pub")), alg + ".pub");
  }

  /** DSSE verification written from protocol.md alone: PAE by string formatting, the JDK's verifier. */
  static byte[] dsseVerifyFromSpec(JsonNode envelope, String alg) throws Exception {
    byte[] payload = Base64.getDecoder().decode(envelope.get("payload").textValue());
    String type = envelope.get("payloadType").textValue();
    byte[] head = String.format("DSSEv1 %d %s %d ", type.getBytes(StandardCharsets.UTF_8).length, type, payload.length)
        .getBytes(StandardCharsets.UTF_8);
    byte[] pae = new byte[head.length + payload.length];
    System.arraycopy(head, 0, pae, 0, head.length);
    System.arraycopy(payload, 0, pae, head.length, payload.length);
    assertThat(envelope.get("signatures")).hasSize(1);
    byte[] sig = Base64.getDecoder().decode(envelope.get("signatures").get(0).get("sig").textValue());
    String pem = Files.readString(root.resolve("keys/" + alg + ".pub"));
    byte[] spki = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    boolean ed = alg.equals("ed25519");
    PublicKey k = KeyFactory.getInstance(ed ? "Ed25519" : "EC").generatePublic(new X509EncodedKeySpec(spki));
    Signature v = Signature.getInstance(ed ? "Ed25519" : "SHA256withECDSA"); // ECDSA: DER, as Sigstore expects
    v.initVerify(k);
    v.update(pae);
    assertThat(v.verify(sig)).as("DSSE signature over the PAE").isTrue();
    return payload;
  }

  @ParameterizedTest
  @ValueSource(strings = {"ed25519", "es256"})
  void exportIntoto_everyEntry_bundleVerifiesAndStatementValidates(String alg) throws Exception {
    List<String> lines = export(alg, "intoto", "intoto.jsonl");
    assertThat(lines).hasSize(4);
    int slsa = 0;
    for (String line : lines) {
      byte[] json = line.getBytes(StandardCharsets.UTF_8);
      SigstoreBundle b = SigstoreBundle.parse(json, "bundle");
      assertThat(b.mediaType()).isEqualTo(SigstoreBundle.MEDIA_TYPE_V03);
      String hint = ((SigstoreBundle.PublicKeyHint) b.material()).hint();
      assertThat(hint).isEqualTo(publicKey(alg).keyId());
      assertThat(b.dsseEnvelope().orElseThrow().signatures().get(0).keyId()).isEqualTo(hint);
      byte[] payload = b.dsseEnvelope().orElseThrow().verifyOne(publicKey(alg)).toByteArray();
      assertThat(dsseVerifyFromSpec(Cli.MAPPER.readTree(json).get("dsseEnvelope"), alg)).isEqualTo(payload);
      Statement s = Statement.parse(payload, "statement");
      if (s.predicateType().equals(SlsaProvenance.PREDICATE_TYPE)) {
        SlsaProvenance.validate(s.predicate(), "predicate");
        slsa++;
      } else {
        assertThat(s.predicateType()).startsWith("https://custody.dev/attestation/");
      }
    }
    assertThat(slsa).as("training and the custody run step are SLSA provenance").isEqualTo(2);
  }

  @Test
  void exportIntoto_training_subjectIsModelAndDependencyIsData() throws Exception {
    String line = export("ed25519", "intoto", "training.jsonl").get(1);
    JsonNode env = Cli.MAPPER.readTree(line).get("dsseEnvelope");
    JsonNode st = Cli.MAPPER.readTree(Base64.getDecoder().decode(env.get("payload").textValue()));
    String modelDigest = Cli.ok("hash", model).out().strip().substring("sha256:".length());
    assertThat(st.get("subject").get(0).get("digest").get("sha256").textValue()).isEqualTo(modelDigest);
    JsonNode build = st.get("predicate").get("buildDefinition");
    assertThat(build.get("buildType").textValue()).isEqualTo("https://custody.dev/buildtypes/training/v1");
    assertThat(build.get("externalParameters").get("parameters").get("lr").textValue()).isEqualTo("0.001");
    assertThat(build.get("resolvedDependencies").get(0).get("name").textValue()).isEqualTo("data");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ed25519", "es256"})
  void exportOms_release_verifiesWithVerifyOmsAndSpecDsseCheck(String alg) throws Exception {
    List<String> lines = export(alg, "oms", "model.sig");
    Path sig = Files.writeString(root.resolve(alg + ".model.sig"), lines.get(0));
    dsseVerifyFromSpec(Cli.MAPPER.readTree(lines.get(0)).get("dsseEnvelope"), alg);

    Cli.Result r = Cli.run("verify-oms", "--signature", sig, "--public-key", root.resolve("keys/" + alg + ".pub"),
        "--json", model);

    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.json().get("resources").intValue()).isEqualTo(2);
  }

  @Test
  void exportOms_modelChangedAfterRelease_verifyOmsNamesTheFile() throws Exception {
    Path sig = Files.writeString(root.resolve("changed.model.sig"), export("ed25519", "oms", "changed.sig").get(0));
    Path copy = Cli.copyTree(model, root.resolve("model-copy"));
    Files.writeString(copy.resolve("sub/config.json"), "{\"changed\":true}");
    Cli.Result r = Cli.run("verify-oms", "--signature", sig, "--public-key", root.resolve("keys/ed25519.pub"), copy);
    assertThat(r.code()).as("%s", r).isEqualTo(1);
    assertThat(r.out()).contains("changed  sub/config.json");
  }

  @Test
  void exportInterop_outExists_refusesExitTwo() throws Exception {
    Path out = Files.writeString(root.resolve("exists"), "keep");
    Cli.Result r = Cli.run("export", "--ledger", ledger, "--format", "intoto", "--key",
        root.resolve("keys/ed25519.key"), "--out", out);
    assertThat(r.code()).as("%s", r).isEqualTo(2);
    assertThat(Files.readString(out)).isEqualTo("keep");
  }

  @Test
  void exportInterop_unknownFormat_usageExitTwo() {
    Cli.Result r = Cli.run("export", "--ledger", ledger, "--format", "jws", "--key",
        root.resolve("keys/ed25519.key"), "--out", root.resolve("x"));
    assertThat(r.code()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).contains("intoto or oms");
  }

  @Test
  void exportOms_chainWithoutRelease_exitTwoSayingHowToRecordOne() {
    Cli.Result r = Cli.run("export", "--ledger", ledger, "--format", "oms", "--chain", "acme/other", "--key",
        root.resolve("keys/ed25519.key"), "--out", root.resolve("none.sig"), "--json");
    assertThat(r.code()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).contains("no release entry");
    assertThat(root.resolve("none.sig")).doesNotExist();
  }

  @Test
  void exportIntoto_malformedRecord_exitTwoNamingItAndNoFile() throws Exception {
    Path copy = Cli.copyTree(ledger, root.resolve("ledger-bad"));
    List<String> records = Cli.records(copy);
    records.set(1, records.get(1).replace("\"signature\"", "\"signaturE\""));
    Cli.writeRecords(copy, records);
    Path out = root.resolve("bad.jsonl");
    Cli.Result r = Cli.run("export", "--ledger", copy, "--format", "intoto", "--key",
        root.resolve("keys/ed25519.key"), "--out", out);
    assertThat(r.code()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).contains("line 2");
    assertThat(out).doesNotExist();
  }

  @Test
  void exportIntoto_oversizeRecord_exitTwoNamingItNotACrash() throws Exception {
    Path copy = Cli.copyTree(ledger, root.resolve("ledger-oversize"));
    List<String> records = Cli.records(copy);
    records.add(1, "x".repeat(dev.custody.core.entry.EntryRecord.MAX_RECORD_BYTES + 1));
    Cli.writeRecords(copy, records);
    Path out = root.resolve("oversize.jsonl");
    Cli.Result r = Cli.run("export", "--ledger", copy, "--format", "intoto", "--key",
        root.resolve("keys/ed25519.key"), "--out", out, "--json");
    assertThat(r.code()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).contains("line 2").contains("record is over").doesNotContain("NullPointerException");
    assertThat(out).doesNotExist();
  }
}
