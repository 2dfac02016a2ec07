package dev.custody.verify.policy;

import dev.custody.core.TestPki;
import dev.custody.verify.lineage.LineageSettings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.event.EventType;
import dev.custody.core.jws.Pem;
import dev.custody.core.jws.VerificationKey;
import dev.custody.verify.FindingCode;
import dev.custody.verify.TrustedKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Roles: may identity I sign kind K on chain C? And who may revoke whom. */
class AuthorizationTest {
  @TempDir
  static Path dir;
  static TrustPolicy policy;
  static java.util.Map<String, Signer> signers = new java.util.HashMap<>();

  @BeforeAll
  static void load() throws Exception {
    StringBuilder ids = new StringBuilder();
    for (String name : List.of("acme/release-bot", "acme/trainer", "acme/approver-1", "basecorp/trainer")) {
      KeyPair k = TestPki.ed25519();
      String file = name.replace('/', '_') + ".pub";
      Files.writeString(dir.resolve(file), Pem.encode(k.getPublic().getEncoded(), "PUBLIC KEY"));
      ids.append("  - {name: ").append(name).append(", organisation: ").append(name, 0, name.indexOf('/'))
          .append(", keys: [").append(file).append("]}\n");
      signers.put(name, null);
    }
    policy = TrustPolicy.load(Files.writeString(dir.resolve("policy.yaml"), """
        version: custody/policy/v1
        organisations: {acme: {}, basecorp: {}}
        identities:
        %sroles:
          - identities: [acme/release-bot]
            kinds: [release]
            chains: ["acme/*"]
          - identities: ["acme/*"]
            kinds: [training, fine-tune, evaluation, "urn:acme:audit"]
            chains: ["acme/**"]
          - identities: ["acme/approver-*"]
            kinds: [approval, revocation]
            chains: ["**"]
          - identities: [basecorp/trainer]
            kinds: ["*"]
            chains: ["basecorp/**"]
        """.formatted(ids)));
    for (Identity i : policy.identities()) {
      VerificationKey k = ((Identity.Keys) i.binding()).keys().get(0);
      signers.put(i.name(), ((Resolution.Trusted) policy.resolver(CertificateSource.NONE).resolve(k.keyId())).signer());
    }
  }

  @ParameterizedTest(name = "{0} signs {1} on {2} -> {3}")
  @CsvSource({
      "acme/release-bot,  release,          acme/falcon,        allowed",
      "acme/release-bot,  release,          acme/falcon/ft,     ROLE_VIOLATION",
      "acme/release-bot,  release,          basecorp/falcon,    ROLE_VIOLATION",
      "acme/trainer,      release,          acme/falcon,        ROLE_VIOLATION",
      "acme/trainer,      training,         acme/falcon/ft,     allowed",
      "acme/trainer,      training,         acme,               allowed",
      "acme/trainer,      urn:acme:audit,   acme/x,             allowed",
      "acme/trainer,      urn:acme:other,   acme/x,             ROLE_VIOLATION",
      "acme/trainer,      approval,         acme/x,             ROLE_VIOLATION",
      "acme/approver-1,   approval,         basecorp/x,         allowed",
      "acme/approver-1,   training,         acme/x,             allowed",
      "acme/approver-1,   release,          acme/x,             ROLE_VIOLATION",
      "basecorp/trainer,  custody-transfer, basecorp/llm,       allowed",
      "basecorp/trainer,  training,         acme/falcon,        ROLE_VIOLATION",
  })
  void authorize_table(String identity, String kind, String chain, String expected) {
    Optional<Violation> v = policy.authorize(signers.get(identity), EventType.of(kind), chain);
    if (expected.equals("allowed")) {
      assertThat(v).isEmpty();
    } else {
      assertThat(v).get().extracting(Violation::code).isEqualTo(FindingCode.valueOf(expected));
    }
  }

  @Test
  void authorize_violation_namesIdentityKindChainAndTheRolesThatGrantTheKind() {
    Violation v = policy.authorize(signers.get("acme/trainer"), EventType.RELEASE, "acme/falcon").orElseThrow();
    assertThat(v.message()).contains("identity 'acme/trainer' holds no role that allows kind 'release' on chain"
        + " 'acme/falcon'").contains("[acme/release-bot] on [acme/*]");
  }

  @Test
  void authorize_hostileChainId_isEscapedInTheMessage() {
    Violation v = policy.authorize(signers.get("acme/trainer"), EventType.RELEASE, "acme/\u202Efalcon").orElseThrow();
    assertThat(v.message()).contains("acme/\\u202Efalcon").doesNotContain("\u202E");
  }

  @Test
  void authorize_trustAll_allowsEverything() throws Exception {
    KeyPair k = TestPki.ed25519();
    VerificationKey key = VerificationKey.fromSpki(k.getPublic().getEncoded(), "k");
    TrustPolicy all = TrustPolicy.trustAll(TrustedKeys.of(List.of(key)));
    Signer s = ((Resolution.Trusted) all.resolver(CertificateSource.NONE).resolve(key.keyId())).signer();
    assertThat(s.identity()).isEmpty();
    assertThat(all.authorize(s, EventType.RELEASE, "anyone/anything")).isEmpty();
    assertThat(all.lineage()).isEqualTo(LineageSettings.lenient());
    assertThat(all.resolver(CertificateSource.NONE).resolve("00".repeat(32)))
        .isInstanceOfSatisfying(Resolution.Rejected.class, r -> assertThat(r.code()).isEqualTo(FindingCode.KEY_UNTRUSTED));
  }

  @Test
  void authorizeRevocation_sameOrganisation_isAllowed() {
    assertThat(policy.authorizeRevocation(signers.get("acme/approver-1"), "acme/falcon",
        policy.identity("acme/trainer"))).isEmpty();
  }

  @Test
  void authorizeRevocation_otherOrganisationsIdentity_isRefused() {
    Violation v = policy.authorizeRevocation(signers.get("acme/approver-1"), "basecorp/llm",
        policy.identity("basecorp/trainer")).orElseThrow();
    assertThat(v.code()).isEqualTo(FindingCode.ROLE_VIOLATION);
    assertThat(v.message()).contains("an organisation revokes only its own identities");
  }

  @Test
  void authorizeRevocation_withoutARevocationRole_isRefused() {
    Violation v = policy.authorizeRevocation(signers.get("acme/trainer"), "acme/falcon",
        policy.identity("acme/release-bot")).orElseThrow();
    assertThat(v.message()).contains("kind 'revocation'");
  }
}
