package dev.custody.verify.policy;

import dev.custody.core.TestPki;
import dev.custody.verify.lineage.LineageSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.EventType;
import dev.custody.core.jws.Pem;
import dev.custody.core.jws.VerificationKey;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading policy files: the full schema, and one named case per malformed policy, each pinned to its line and column. */
class TrustPolicyLoadTest {
  @TempDir
  Path dir;

  KeyPair trainer;
  KeyPair approver;
  String trainerPem;

  @BeforeEach
  void keys() throws IOException {
    trainer = TestPki.ed25519();
    approver = TestPki.ec();
    trainerPem = Pem.encode(trainer.getPublic().getEncoded(), "PUBLIC KEY");
    Files.createDirectories(dir.resolve("keys"));
    Files.writeString(dir.resolve("keys/trainer.pub"), trainerPem);
    Files.writeString(dir.resolve("keys/approver.pub"), Pem.encode(approver.getPublic().getEncoded(), "PUBLIC KEY"));
  }

  static final String HEAD = """
      version: custody/policy/v1
      organisations:
        acme: {}
        basecorp: {}
      identities:
        - name: acme/trainer
          organisation: acme
          keys: [keys/trainer.pub]
      """;

  Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  TrustPolicy load(String yaml) throws Exception {
    return TrustPolicy.load(write("policy.yaml", yaml));
  }

  /** Loads {@code yaml}, expects a PolicyException at the first occurrence of {@code marker}, returns its message. */
  String failsAt(String yaml, String marker, int offsetInMarker) throws Exception {
    PolicyException e = assertThrows(PolicyException.class, () -> load(yaml));
    int[] at = position(yaml, marker, offsetInMarker);
    assertThat(new int[] {e.line(), e.column()}).as(e.getMessage()).containsExactly(at);
    assertThat(e.getMessage()).startsWith(dir.resolve("policy.yaml") + ":" + at[0] + ":" + at[1] + ": ");
    return e.getMessage();
  }

  String failsAt(String yaml, String marker) throws Exception {
    return failsAt(yaml, marker, 0);
  }

  static int[] position(String text, String marker, int offset) {
    int i = text.indexOf(marker);
    assertThat(i).as("marker " + marker).isGreaterThanOrEqualTo(0);
    i += offset;
    int line = 1;
    int col = 1;
    for (int k = 0; k < i; k++) {
      if (text.charAt(k) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return new int[] {line, col};
  }

  // ---- the whole schema

  @Test
  void load_fullPolicy_readsEverySection() throws Exception {
    String jwk = "{kty: EC, crv: P-256, x: " + b64(ecX()) + ", y: " + b64(ecY()) + ", alg: ES256, use: sig, kid: ext-1}";
    TrustPolicy p = load(HEAD + """
            notBefore: 2026-01-01T00:00:00Z
            notAfter: 2027-01-01T00:00:00Z
          - name: acme/approver-1
            organisation: acme
            keys:
              - %s
          - name: basecorp/publisher
            organisation: basecorp
            keys:
              - |
        %s
        roles:
          - identities: ["acme/*"]
            kinds: ["*"]
            chains: ["acme/**"]
          - identities: [basecorp/publisher]
            kinds: [release, "https://example.org/kinds/audit"]
            chains: ["basecorp/*"]
        revocations:
          - identity: acme/trainer
            at: 2026-06-01T00:00:00Z
            reason: laptop stolen
          - keyId: %s
            at: 2026-07-01T00:00:00Z
        externalRoots:
          - digest: sha256:%s
            kind: model
            name: llama-3-8b
            publisher: meta
        lineage:
          inputUnproven: warning
          digestClaimedTwice: "off"
          backedKinds: [model]
        transfers:
          requireAcceptance: false
        rules:
          - id: release-after-evaluation
            requirePredecessor: {kind: release, predecessor: evaluation, sameModel: true}
          - id: evaluator-not-trainer
            separationOfDuties: {kinds: [evaluation, approval], distinctFrom: [training, fine-tune], by: organisation}
          - id: two-approvals
            approvals: {kind: release, count: 2, identities: ["acme/approver-*"]}
          - id: accuracy
            metric: {name: accuracy, min: 0.80, max: 1}
          - id: dataset-licence
            requireParameter: {kind: dataset-ingest, parameter: license, values: [CC-BY-4.0, MIT]}
          - id: eu-only
            cel: {kind: release, expression: "event.parameters['region'] == 'eu'"}
        """.formatted(jwk, indent(Pem.encode(TestPki.ed25519().getPublic().getEncoded(), "PUBLIC KEY"), 8),
        "ab".repeat(32), "cd".repeat(32)));

    assertThat(p.isTrustAll()).isFalse();
    assertThat(p.organisations()).containsOnlyKeys("acme", "basecorp");
    assertThat(p.identities()).extracting(Identity::name)
        .containsExactly("acme/trainer", "acme/approver-1", "basecorp/publisher");
    Identity t = p.identity("acme/trainer").orElseThrow();
    assertThat(t.notBefore()).contains(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(((Identity.Keys) t.binding()).keys()).extracting(VerificationKey::keyId)
        .containsExactly(VerificationKey.fromSpki(trainer.getPublic().getEncoded(), "t").keyId());
    assertThat(((Identity.Keys) p.identity("acme/approver-1").orElseThrow().binding()).keys().get(0).keyId())
        .isEqualTo(VerificationKey.fromSpki(approver.getPublic().getEncoded(), "a").keyId());
    assertThat(p.roles()).hasSize(2);
    assertThat(p.roles().get(1).kinds().contains(EventType.of("https://example.org/kinds/audit"))).isTrue();
    assertThat(p.revocations()).extracting(Revocation::target)
        .containsExactly("identity 'acme/trainer'", "key " + "ab".repeat(32));
    assertThat(p.externalRoot(Digest.parse("sha256:" + "cd".repeat(32)))).get()
        .satisfies(r -> {
          assertThat(r.kind()).isEqualTo(ArtifactKind.MODEL);
          assertThat(r.publisher()).contains("meta");
        });
    assertThat(p.lineage().severity(LineageSettings.Check.INPUT_UNPROVEN)).contains(dev.custody.verify.Severity.WARNING);
    assertThat(p.lineage().severity(LineageSettings.Check.DIGEST_CLAIMED_TWICE)).isEmpty();
    assertThat(p.lineage().severity(LineageSettings.Check.RELEASE_UNPRODUCED)).contains(dev.custody.verify.Severity.ERROR);
    assertThat(p.lineage().backedKinds()).containsExactly(ArtifactKind.MODEL);
    assertThat(p.requireTransferAcceptance()).isFalse();
    assertThat(p.rules()).extracting(Rule::id).containsExactly("release-after-evaluation", "evaluator-not-trainer",
        "two-approvals", "accuracy", "dataset-licence", "eu-only");
    assertThat(p.rules().get(1)).isEqualTo(new Rule.SeparationOfDuties("evaluator-not-trainer",
        KindSet.of(EventType.EVALUATION, EventType.APPROVAL), KindSet.of(EventType.TRAINING, EventType.FINE_TUNE),
        Rule.Party.ORGANISATION, p.rules().get(1).source()));
    Rule.MetricThreshold m = (Rule.MetricThreshold) p.rules().get(3);
    assertThat(m.min()).contains(new BigDecimal("0.80"));
    assertThat(m.kind()).isEqualTo(KindSet.of(EventType.RELEASE));
    assertThat(p.rules().get(0).source()).matches(".*policy.yaml:\\d+:\\d+");
  }

  @Test
  void load_json_readsTheSameSchema() throws Exception {
    TrustPolicy p = TrustPolicy.load(write("policy.json", """
        {"version": "custody/policy/v1",
         "organisations": {"acme": {}},
         "identities": [{"name": "acme/trainer", "organisation": "acme", "keys": ["keys/trainer.pub"]}],
         "roles": [{"identities": ["acme/trainer"], "kinds": ["training"], "chains": ["acme/*"]}]}
        """));
    assertThat(p.identities()).hasSize(1);
    assertThat(p.lineage()).isEqualTo(LineageSettings.strict());
    assertThat(p.requireTransferAcceptance()).isTrue();
  }

  @Test
  void load_jsonDuplicateKey_namesLineAndColumn() throws Exception {
    String json = "{\"version\": \"custody/policy/v1\",\n \"organisations\": {},\n \"organisations\": {}}\n";
    PolicyException e = assertThrows(PolicyException.class, () -> TrustPolicy.load(write("policy.json", json)));
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.getMessage()).contains("Duplicate field 'organisations'");
  }

  // ---- malformed policies, one named case each

  @Test
  void load_unknownMember_namesLineAndColumnAndTheExpectedMembers() throws Exception {
    String yaml = HEAD + "    keyz: [x]\n";
    String m = failsAt(yaml, "keyz");
    assertThat(m).contains("identities[0].keyz: unknown member 'keyz'").contains("expected name, organisation, keys");
  }

  @Test
  void load_unknownTopLevelMember_isRefused() throws Exception {
    String yaml = HEAD + "rulez: []\n";
    assertThat(failsAt(yaml, "rulez")).contains("unknown member 'rulez'");
  }

  @Test
  void load_duplicateKey_namesTheSecondOccurrence() throws Exception {
    String yaml = HEAD + "    organisation: basecorp\n";
    PolicyException e = assertThrows(PolicyException.class, () -> load(yaml));
    assertThat(e.line()).isEqualTo(position(yaml, "organisation: basecorp", 0)[0]);
    assertThat(e.getMessage()).contains("Duplicate field 'organisation'");
  }

  @Test
  void load_badTime_namesTheValue() throws Exception {
    String yaml = HEAD + "    notBefore: 2026-13-01T00:00:00Z\n";
    assertThat(failsAt(yaml, "2026-13")).contains("identities[0].notBefore").contains("is not a UTC time");
  }

  @Test
  void load_timeWithOffset_isRefused() throws Exception {
    String yaml = HEAD + "    notAfter: 2026-01-01T00:00:00+02:00\n";
    assertThat(failsAt(yaml, "2026-01-01T00:00:00+02:00")).contains("ending in Z");
  }

  @Test
  void load_notBeforeAfterNotAfter_isRefused() throws Exception {
    String yaml = HEAD + "    notBefore: 2027-01-01T00:00:00Z\n    notAfter: 2026-01-01T00:00:00Z\n";
    assertThat(failsAt(yaml, "2026-01-01T00:00:00Z\n")).contains("is not before notAfter");
  }

  @Test
  void load_unknownOrganisation_listsTheDeclaredOnes() throws Exception {
    String yaml = HEAD + "  - name: acmee/x\n    organisation: acmee\n    keys: [keys/approver.pub]\n";
    assertThat(failsAt(yaml, "acmee\n")).contains("unknown organisation 'acmee' (declared: acme, basecorp)");
  }

  @Test
  void load_identityNotNamedAfterItsOrganisation_isRefused() throws Exception {
    String yaml = HEAD + "  - name: acme/x\n    organisation: basecorp\n    keys: [keys/approver.pub]\n";
    assertThat(failsAt(yaml, "acme/x")).contains("must be named 'basecorp/...'");
  }

  @Test
  void load_aliasBomb_isRefusedAtTheFirstAnchor() throws Exception {
    String yaml = """
        version: custody/policy/v1
        organisations:
          acme: {}
        lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        lol2: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        lol3: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        lol4: [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        """;
    assertThat(failsAt(yaml, "&a [")).contains("YAML anchors (&a) are not allowed");
  }

  @Test
  void load_alias_isRefused() throws Exception {
    String yaml = HEAD.replace("keys: [keys/trainer.pub]", "keys: [*k]");
    assertThat(failsAt(yaml, "*k")).contains("YAML aliases (*k) are not allowed");
  }

  @Test
  void load_tag_isRefused() throws Exception {
    String yaml = HEAD.replace("organisation: acme", "organisation: !!str acme");
    assertThat(failsAt(yaml, "!!str")).contains("YAML tags (tag:yaml.org,2002:str) are not allowed");
  }

  @Test
  void load_customTag_isRefused() throws Exception {
    String yaml = HEAD.replace("keys: [keys/trainer.pub]", "keys: [!javaobject keys/trainer.pub]");
    assertThat(failsAt(yaml, "!javaobject")).contains("YAML tags (javaobject) are not allowed");
  }

  @Test
  void load_secondDocument_isRefused() throws Exception {
    String yaml = HEAD + "---\nversion: custody/policy/v1\n";
    assertThat(failsAt(yaml, "version: custody/policy/v1\n", HEAD.length() + 4 - HEAD.indexOf("version")))
        .contains("content after the policy document");
  }

  @Test
  void load_overSizeFile_isRefusedBeforeReading() throws Exception {
    Path p = write("policy.yaml", HEAD + "#" + "x".repeat(TrustPolicy.MAX_FILE_BYTES) + "\n");
    PolicyException e = assertThrows(PolicyException.class, () -> TrustPolicy.load(p));
    assertThat(e.line()).isZero();
    assertThat(e.getMessage()).contains("over the " + TrustPolicy.MAX_FILE_BYTES + "-byte limit");
  }

  @Test
  void load_symlinkedPolicy_isRefused() throws Exception {
    Path real = write("real.yaml", HEAD);
    Path link = Files.createSymbolicLink(dir.resolve("policy.yaml"), real);
    assertThatThrownBy(() -> TrustPolicy.load(link)).isInstanceOf(PolicyException.class)
        .hasMessageContaining("is a symbolic link");
  }

  @Test
  void load_symlinkedKeyFile_isRefusedAtTheKeyEntry() throws Exception {
    Files.createSymbolicLink(dir.resolve("keys/link.pub"), dir.resolve("keys/trainer.pub"));
    String yaml = HEAD.replace("keys/trainer.pub", "keys/link.pub");
    assertThat(failsAt(yaml, "keys/link.pub")).contains("identities[0].keys[0]").contains("is a symbolic link");
  }

  @Test
  void load_fifoKeyFile_isRefusedWithoutBlocking() throws Exception {
    Path fifo = dir.resolve("keys/fifo.pub");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mk.waitFor()).isZero();
    String yaml = HEAD.replace("keys/trainer.pub", "keys/fifo.pub");
    assertThat(failsAt(yaml, "keys/fifo.pub")).contains("is not a regular file");
  }

  @Test
  void load_overSizeKeyFile_isRefused() throws Exception {
    Files.writeString(dir.resolve("keys/big.pub"), "x".repeat(PolicyParser.MAX_KEY_FILE_BYTES + 1));
    String yaml = HEAD.replace("keys/trainer.pub", "keys/big.pub");
    assertThat(failsAt(yaml, "keys/big.pub")).contains("over the " + PolicyParser.MAX_KEY_FILE_BYTES + "-byte limit");
  }

  @Test
  void load_missingKeyFile_namesIt() throws Exception {
    String yaml = HEAD.replace("keys/trainer.pub", "keys/nope.pub");
    assertThat(failsAt(yaml, "keys/nope.pub")).contains("no such public key file");
  }

  @Test
  void load_keyFileRelativeToThePolicyDirectory_notTheWorkingDirectory() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("sub"));
    Files.createDirectories(sub.resolve("keys"));
    Files.writeString(sub.resolve("keys/trainer.pub"), trainerPem);
    TrustPolicy p = TrustPolicy.load(Files.writeString(sub.resolve("p.yaml"), HEAD));
    assertThat(p.identities()).hasSize(1);
  }

  @Test
  void load_wrongVersion_namesTheVersion() throws Exception {
    String yaml = HEAD.replace("custody/policy/v1", "custody/policy/v2");
    assertThat(failsAt(yaml, "custody/policy/v2")).contains("unknown policy version 'custody/policy/v2'");
  }

  @Test
  void load_missingVersion_isRefused() throws Exception {
    PolicyException e = assertThrows(PolicyException.class, () -> load("organisations: {}\n"));
    assertThat(e.getMessage()).contains("missing member 'version'");
    assertThat(e.line()).isEqualTo(1);
  }

  @Test
  void load_badChainPattern_isRefused() throws Exception {
    String yaml = HEAD + "roles:\n  - identities: [acme/trainer]\n    kinds: [training]\n    chains: [\"acme/**x\"]\n";
    assertThat(failsAt(yaml, "\"acme/**x\"")).contains("roles[0].chains[0]").contains("bad segment '**x'");
  }

  @Test
  void load_doubleDoubleStar_isRefused() throws Exception {
    String yaml = HEAD + "roles:\n  - identities: [acme/trainer]\n    kinds: [training]\n    chains: [\"**/**\"]\n";
    assertThat(failsAt(yaml, "\"**/**\"")).contains("write it once");
  }

  @Test
  void load_unknownIdentityInRole_isRefused() throws Exception {
    String yaml = HEAD + "roles:\n  - identities: [acme/trainr]\n    kinds: [training]\n    chains: [\"acme/*\"]\n";
    assertThat(failsAt(yaml, "acme/trainr")).contains("unknown identity 'acme/trainr' (declared: acme/trainer)");
  }

  @Test
  void load_identityPatternMatchingNothing_isRefused() throws Exception {
    String yaml = HEAD + "roles:\n  - identities: [\"basecorp/*\"]\n    kinds: [training]\n    chains: [\"**\"]\n";
    assertThat(failsAt(yaml, "\"basecorp/*\"")).contains("the pattern matches no identity");
  }

  @Test
  void load_unknownKind_isRefused() throws Exception {
    String yaml = HEAD + "roles:\n  - identities: [acme/trainer]\n    kinds: [trianing]\n    chains: [\"**\"]\n";
    assertThat(failsAt(yaml, "trianing")).contains("unknown event kind 'trianing'");
  }

  @Test
  void load_starAmongKinds_isRefused() throws Exception {
    String yaml = HEAD + "roles:\n  - identities: [acme/trainer]\n    kinds: [training, \"*\"]\n    chains: [\"**\"]\n";
    assertThat(failsAt(yaml, "\"*\"]")).contains("stands alone");
  }

  @Test
  void load_badOid_isRefused() throws Exception {
    String yaml = rootsPolicy("      eku: [\"1.3.6.01.5\"]\n");
    assertThat(failsAt(yaml, "\"1.3.6.01.5\"")).contains("identities[0].certificate.eku[0]")
        .contains("is not an object identifier");
  }

  @Test
  void load_oidSecondArcOver39_isRefused() throws Exception {
    String yaml = rootsPolicy("      policies: [\"1.40.1\"]\n");
    assertThat(failsAt(yaml, "\"1.40.1\"")).contains("second arc is at most 39");
  }

  @Test
  void load_badSubject_isRefused() throws Exception {
    String yaml = rootsPolicy("      subject: \"CN\"\n");
    assertThat(failsAt(yaml, "\"CN\"")).contains("is not a distinguished name");
  }

  @Test
  void load_badSanType_isRefused() throws Exception {
    String yaml = rootsPolicy("      san: [\"ip:10.0.0.1\"]\n");
    assertThat(failsAt(yaml, "\"ip:10.0.0.1\"")).contains("write email:NAME@DOMAIN, dns:HOST or uri:URI");
  }

  @Test
  void load_certificateIdentityWithoutRoots_isRefused() throws Exception {
    String yaml = HEAD + "  - name: acme/bot\n    organisation: acme\n    certificate: {subject: \"CN=bot\"}\n";
    assertThat(failsAt(yaml, "{subject")).contains("organisation 'acme' declares no roots");
  }

  @Test
  void load_rootThatIsNotACa_isRefused() throws Exception {
    TestPki.Issued root = TestPki.root(TestPki.ec(), TestPki.Spec.ca("CN=Not a CA").notCa());
    Files.writeString(dir.resolve("notca.pem"), root.pem());
    String yaml = "version: custody/policy/v1\norganisations:\n  acme:\n    roots: [notca.pem]\n";
    assertThat(failsAt(yaml, "notca.pem")).contains("is not a CA certificate");
  }

  @Test
  void load_keysAndCertificateBoth_isRefused() throws Exception {
    String yaml = rootsPolicy("      subject: \"CN=x\"\n    keys: [keys/trainer.pub]\n");
    PolicyException e = assertThrows(PolicyException.class, () -> load(yaml));
    assertThat(e.getMessage()).contains("needs exactly one of 'keys'");
  }

  @Test
  void load_keyBoundToTwoIdentities_isRefused() throws Exception {
    String yaml = HEAD + "  - name: acme/other\n    organisation: acme\n    keys: [keys/trainer.pub]\n";
    PolicyException e = assertThrows(PolicyException.class, () -> load(yaml));
    assertThat(new int[] {e.line(), e.column()}).containsExactly(position(yaml, "keys/trainer.pub]\n",
        yaml.lastIndexOf("keys/trainer.pub") - yaml.indexOf("keys/trainer.pub]\n")));
    assertThat(e.getMessage()).contains("identities[1].keys[0]").contains("already bound to identity 'acme/trainer'");
  }

  @Test
  void load_privateJwk_isRefused() throws Exception {
    String yaml = HEAD.replace("keys: [keys/trainer.pub]", "keys: [{kty: OKP, crv: Ed25519, x: AAAA, d: BBBB}]");
    assertThat(failsAt(yaml, "d: BBBB")).contains("unknown JWK member 'd'").contains("private members");
  }

  @Test
  void load_jwkOnAnotherCurve_isRefused() throws Exception {
    String yaml = HEAD.replace("keys: [keys/trainer.pub]",
        "keys: [{kty: OKP, crv: X25519, x: " + b64(new byte[32]) + "}]");
    assertThat(failsAt(yaml, "{kty")).contains("custody accepts Ed25519");
  }

  @Test
  void load_jwkWithWrongAlg_isRefused() throws Exception {
    String yaml = HEAD.replace("keys: [keys/trainer.pub]",
        "keys: [{kty: OKP, crv: Ed25519, alg: ES256, x: " + b64(rawEd25519()) + "}]");
    assertThat(failsAt(yaml, "{kty")).contains("alg is 'ES256'");
  }

  @Test
  void load_jwkEd25519_bindsTheSameKeyIdAsPem() throws Exception {
    String yaml = HEAD.replace("keys: [keys/trainer.pub]", "keys: [{kty: OKP, crv: Ed25519, x: " + b64(rawEd25519()) + "}]");
    TrustPolicy p = load(yaml);
    assertThat(((Identity.Keys) p.identities().get(0).binding()).keys().get(0).keyId())
        .isEqualTo(VerificationKey.fromSpki(trainer.getPublic().getEncoded(), "t").keyId());
  }

  @Test
  void load_yes_isNotABoolean() throws Exception {
    String yaml = HEAD + "transfers:\n  requireAcceptance: yes\n";
    assertThat(failsAt(yaml, "yes")).contains("expected true or false");
  }

  @Test
  void load_levelOffUnquoted_isTheLevelOffNotABoolean() throws Exception {
    // YAML 1.1 reads a bare off as false; the policy documents off as a level and YAML 1.1 words as text.
    TrustPolicy p = load(HEAD + "lineage:\n  releaseUnproduced: off\n  inputUnproven: warning\n");
    assertThat(p.lineage().severity(LineageSettings.Check.RELEASE_UNPRODUCED)).isEmpty();
  }

  @Test
  void load_falseWhereAStringBelongs_isStillRefused() throws Exception {
    String yaml = HEAD + "lineage:\n  releaseUnproduced: false\n";
    assertThat(failsAt(yaml, "false")).contains("expected a string, got the boolean false (quote it");
  }

  @Test
  void load_unquotedNumberWhereAStringBelongs_saysToQuoteIt() throws Exception {
    String yaml = HEAD.replace("organisation: acme", "organisation: 42");
    assertThat(failsAt(yaml, "42")).contains("expected a string, got the number 42 (quote it");
  }

  @Test
  void load_hexCount_isRefused() throws Exception {
    String yaml = HEAD + "rules:\n  - id: two\n    approvals: {kind: release, count: 0x2, identities: [acme/trainer]}\n";
    assertThat(failsAt(yaml, "0x2")).contains("expected a whole number written in decimal");
  }

  @Test
  void load_ruleWithTwoShapes_isRefused() throws Exception {
    String yaml = HEAD + "rules:\n  - id: r\n    metric: {name: accuracy, min: 0.8}\n"
        + "    requireParameter: {kind: training, parameter: lr}\n";
    assertThat(failsAt(yaml, "id: r")).contains("has shapes [metric, requireParameter]");
  }

  @Test
  void load_duplicateRuleId_isRefused() throws Exception {
    String yaml = HEAD + "rules:\n  - id: r\n    metric: {name: accuracy, min: 0.8}\n"
        + "  - id: r\n    metric: {name: loss, max: 2}\n";
    assertThat(failsAt(yaml, "id: r\n    metric: {name: loss")).contains("rule id 'r' is used twice");
  }

  @Test
  void load_metricMinAboveMax_isRefused() throws Exception {
    String yaml = HEAD + "rules:\n  - id: r\n    metric: {name: accuracy, min: 0.9, max: 0.1}\n";
    assertThat(failsAt(yaml, "{name")).contains("min 0.9 is above max 0.1");
  }

  @Test
  void load_celThatDoesNotCompile_citesCelsPosition() throws Exception {
    String yaml = HEAD + "rules:\n  - id: r\n    cel: {expression: \"event.parameters['region'] ==\"}\n";
    assertThat(failsAt(yaml, "\"event")).contains("rules[0].cel.expression").contains("does not compile");
  }

  @Test
  void load_celThatIsNotBoolean_isRefused() throws Exception {
    String yaml = HEAD + "rules:\n  - id: r\n    cel: {expression: \"1 + 2\"}\n";
    assertThat(failsAt(yaml, "\"1 + 2\"")).contains("expected type 'bool'");
  }

  @Test
  void load_unknownRevokedIdentity_isRefused() throws Exception {
    String yaml = HEAD + "revocations:\n  - identity: acme/nobody\n    at: 2026-01-01T00:00:00Z\n";
    assertThat(failsAt(yaml, "acme/nobody")).contains("unknown identity 'acme/nobody'");
  }

  @Test
  void load_badRevokedKeyId_isRefused() throws Exception {
    String yaml = HEAD + "revocations:\n  - keyId: ABC\n    at: 2026-01-01T00:00:00Z\n";
    assertThat(failsAt(yaml, "ABC")).contains("is not a key id");
  }

  @Test
  void load_badLineageLevel_isRefused() throws Exception {
    String yaml = HEAD + "lineage:\n  inputUnproven: lenient\n";
    assertThat(failsAt(yaml, "lenient")).contains("write error, warning or off");
  }

  @Test
  void load_externalRootBadDigest_isRefused() throws Exception {
    String yaml = HEAD + "externalRoots:\n  - digest: sha256:ABC\n    kind: model\n    name: x\n";
    assertThat(failsAt(yaml, "sha256:ABC")).contains("not a digest");
  }

  @Test
  void load_deepNesting_isRefused() throws Exception {
    String yaml = HEAD + "lineage: " + "[".repeat(40) + "]".repeat(40) + "\n";
    PolicyException e = assertThrows(PolicyException.class, () -> load(yaml));
    assertThat(e.getMessage()).contains("nesting depth");
  }

  @Test
  void load_emptyFile_isRefused() throws Exception {
    PolicyException e = assertThrows(PolicyException.class, () -> load(""));
    assertThat(e.getMessage()).contains("the file is empty");
  }

  @Test
  void load_topLevelList_isRefused() throws Exception {
    assertThat(failsAt("- a\n- b\n", "- a")).contains("the top level must be a mapping");
  }

  @Test
  void load_controlCharactersInNames_areEscapedInTheMessage() throws Exception {
    String yaml = HEAD.replace("organisation: acme", "organisation: \"ac\\u001b[2Jme\"");
    String m = failsAt(yaml, "\"ac");
    assertThat(m).contains("\\u001B[2J").doesNotContain("\u001b");
  }

  // ---- helpers

  String rootsPolicy(String constraints) throws IOException {
    TestPki.Issued root = TestPki.root(TestPki.ec(), TestPki.Spec.ca("CN=ACME Root"));
    Files.writeString(dir.resolve("acme-root.pem"), root.pem());
    return "version: custody/policy/v1\norganisations:\n  acme:\n    roots: [acme-root.pem]\nidentities:\n"
        + "  - name: acme/bot\n    organisation: acme\n    certificate:\n" + constraints;
  }

  byte[] rawEd25519() {
    byte[] spki = trainer.getPublic().getEncoded();
    return java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length);
  }

  byte[] ecX() {
    return coordinate(((java.security.interfaces.ECPublicKey) approver.getPublic()).getW().getAffineX());
  }

  byte[] ecY() {
    return coordinate(((java.security.interfaces.ECPublicKey) approver.getPublic()).getW().getAffineY());
  }

  static byte[] coordinate(java.math.BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(32, b.length);
    System.arraycopy(b, b.length - n, out, 32 - n, n);
    return out;
  }

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String indent(String s, int n) {
    String pad = " ".repeat(n);
    return pad + s.strip().replace("\n", "\n" + pad);
  }

  static Optional<String> none() {
    return Optional.empty();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
