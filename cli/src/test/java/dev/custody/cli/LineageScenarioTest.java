package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's lineage and custody-transfer scenarios across two organisations' ledgers, through the
 * real CLI: an unproven base model under a strict and a lenient policy and as a declared external
 * root; a forged "derived from" claim; a transfer not accepted, and the old owner appending after a
 * transfer; and what the verdict must not depend on (directory names, chain ids two ledgers share).
 */
class LineageScenarioTest {
  @TempDir Path tmp;
  World w;
  World.Signer acmeTrainer;
  World.Signer acmeRelease;
  World.Signer lead;
  World.Signer tuner;
  Path corpus;
  Path sft;
  Path base;

  @BeforeEach
  void setUp() {
    w = new World(tmp);
    acmeTrainer = w.key("acme/trainer");
    acmeRelease = w.key("acme/release-bot");
    lead = w.key("basecorp/lead");
    tuner = w.key("basecorp/tuner");
    corpus = w.file("data/corpus.jsonl", "{\"text\":\"hello\"}\n");
    sft = w.file("data/sft.jsonl", "{\"prompt\":\"hi\"}\n");
    base = w.model("base", 3, 0f);
  }

  /**
   * Both organisations' identities and roles; ACME works on {@code acme/**} and may transfer, BaseCorp
   * on {@code basecorp/**} and accepts transfers anywhere; {@code extra} sections are appended.
   */
  private Path policy(String extra) {
    return w.policy("policy.yaml", """
        version: custody/policy/v1
        organisations:
          acme: {}
          basecorp: {}
        identities:
          - {name: acme/trainer, organisation: acme, keys: [%s]}
          - {name: acme/release-bot, organisation: acme, keys: [%s]}
          - {name: basecorp/lead, organisation: basecorp, keys: [%s]}
          - {name: basecorp/tuner, organisation: basecorp, keys: [%s]}
        roles:
          - {identities: [acme/trainer], kinds: [dataset-ingest, training, evaluation, annotation], chains: ["**"]}
          - {identities: [acme/release-bot], kinds: [release, custody-transfer, annotation], chains: ["**"]}
          - {identities: [basecorp/lead], kinds: [approval, annotation, revocation], chains: ["**"]}
          - {identities: [basecorp/tuner], kinds: [dataset-ingest, fine-tune, conversion, evaluation, release], chains: ["**"]}
        %s
        """.formatted(acmeTrainer.pub(), acmeRelease.pub(), lead.pub(), tuner.pub(), extra));
  }

  /** ACME's ledger at {@code DIR/name}: corpus ingested, base trained and released on {@code chain}. */
  private Path acmeLedger(String name, String chain) {
    Path l = w.ledger(name);
    w.record(l, acmeTrainer, "dataset-ingest", chain, "--output", "corpus:dataset=" + corpus);
    w.record(l, acmeTrainer, "training", chain, "--input", "corpus:dataset=" + corpus, "--output",
        "model=" + base);
    w.record(l, acmeRelease, "release", chain, "--output", "model=" + base, "--version", "1.0");
    return l;
  }

  /** BaseCorp's ledger at {@code DIR/name}: fine-tune of {@code baseInput} on its data, released on {@code chain}. */
  private Path basecorpLedger(String name, String chain, String baseInput) {
    Path l = w.ledger(name);
    Path tuned = w.model("tuned-" + name, 3, 0.01f);
    w.record(l, tuner, "dataset-ingest", chain, "--output", "sft:dataset=" + sft);
    w.record(l, tuner, "fine-tune", chain, "--input", "base:model=" + baseInput, "--input", "sft:dataset=" + sft,
        "--output", "model=" + tuned);
    w.record(l, tuner, "release", chain, "--output", "model=" + tuned, "--version", "1.0");
    return l;
  }

  private Cli.Result lineage(Object target, Path policy, Path... ledgers) {
    List<Object> a = new ArrayList<>(List.of("lineage", target, "--policy", policy));
    a.addAll(World.ledgerArgs(List.of(ledgers)));
    return Cli.run(a.toArray());
  }

  private static List<String> at(Cli.Result r, String code) {
    return World.findings(r, code).stream().map(World::at).toList();
  }

  // ---------------------------------------------------------------- an unproven base model

  @Test
  void unprovenBase_strictPolicy_isAnErrorAndLineageFails() {
    Path llama = w.model("llama", 99, 0f); // a base model from outside: no ledger produced it
    Path b = basecorpLedger("basecorp-ledger", "basecorp/ft", llama.toString());

    Cli.Result r = w.verify(policy(""), List.of(b));

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(World.codes(r, "ERROR")).as(r.out()).containsExactly("LINEAGE_INPUT_UNPROVEN");
    assertThat(at(r, "LINEAGE_INPUT_UNPROVEN")).containsExactly("basecorp/ft:1");
    Cli.Result l = lineage("basecorp/ft:2", policy(""), b);
    assertThat(l.code()).as(l.toString()).isEqualTo(1);
    assertThat(l.out()).contains("UNPROVEN").contains("LINEAGE FAILED");
  }

  @Test
  void unprovenBase_lenientPolicy_isAWarningAndVerifies() {
    Path llama = w.model("llama", 99, 0f);
    Path b = basecorpLedger("basecorp-ledger", "basecorp/ft", llama.toString());
    Path lenient = policy("""
        lineage: {inputUnproven: warning}
        """);

    Cli.Result r = w.verify(lenient, List.of(b));

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(World.codes(r, "WARNING")).contains("LINEAGE_INPUT_UNPROVEN");
    assertThat(lineage("basecorp/ft:2", lenient, b).code()).isZero();
  }

  @Test
  void unprovenBase_declaredExternalRoot_isNoFindingAndLineageNamesThePublisher() {
    Path llama = w.model("llama", 99, 0f);
    Path b = basecorpLedger("basecorp-ledger", "basecorp/ft", llama.toString());
    Path declared = policy("""
        externalRoots:
          - {digest: "%s", kind: model, name: llama-3-8b, publisher: meta}
        """.formatted(World.digest(llama)));

    Cli.Result r = w.verify(declared, List.of(b));

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(World.findings(r, "LINEAGE_INPUT_UNPROVEN")).isEmpty();
    Cli.Result l = lineage("basecorp/ft:2", declared, b);
    assertThat(l.code()).as(l.toString()).isZero();
    assertThat(l.out()).contains("llama-3-8b").contains("meta");
  }

  // ---------------------------------------------------------------- a forged "derived from" claim

  @Test
  void forgedDerivedFrom_baseDigestMatchingNothingInEitherLedger_isInputUnproven() {
    Path a = acmeLedger("acme-ledger", "acme/base");
    // BaseCorp claims to have fine-tuned ACME's release, but names weights ACME never produced.
    Path forged = w.model("not-acmes", 4, 0f);
    Path b = basecorpLedger("basecorp-ledger", "basecorp/ft", World.digest(forged));

    Cli.Result r = w.verify(policy(""), List.of(a, b));

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(World.codes(r, "ERROR")).as(r.out()).containsExactly("LINEAGE_INPUT_UNPROVEN");
    JsonNode f = World.findings(r, "LINEAGE_INPUT_UNPROVEN").get(0);
    assertThat(World.at(f)).isEqualTo("basecorp/ft:1");
    assertThat(f.get("message").textValue()).contains(World.digest(forged)).contains("'base'");
    assertThat(f.get("entry").get("where").textValue()).contains("basecorp-ledger");
  }

  @Test
  void honestDerivedFrom_baseDigestOfAcmesRelease_linksAcrossLedgers() {
    Path a = acmeLedger("acme-ledger", "acme/base");
    Path b = basecorpLedger("basecorp-ledger", "basecorp/ft", World.digest(base));

    Cli.Result r = w.verify(policy(""), List.of(a, b));

    assertThat(r.code()).as(r.toString()).isZero();
    Cli.Result l = lineage("basecorp/ft:2", policy(""), a, b);
    assertThat(l.code()).as(l.toString()).isZero();
    assertThat(l.out()).contains("from training acme/base:1 in 'acme-ledger'");
  }

  // ---------------------------------------------------------------- custody transfers

  private JsonNode transfer(Path ledger, String chain) {
    return w.record(ledger, acmeRelease, "custody-transfer", chain, "--from", "acme", "--to", "basecorp");
  }

  @Test
  void transfer_acceptedByTheReceiver_thenReceiverAppends_isVerified() {
    Path a = acmeLedger("acme-ledger", "acme/base");
    JsonNode t = transfer(a, "acme/base");
    w.record(a, lead, "approval", "acme/base", "--subject", t.get("hash").textValue());
    w.record(a, lead, "annotation", "acme/base", "--text", "now maintained by basecorp");

    Cli.Result r = w.verify(policy(""), List.of(a));

    assertThat(r.code()).as(r.toString()).isZero();
  }

  @Test
  void transfer_notAccepted_isTransferNotAccepted() {
    Path a = acmeLedger("acme-ledger", "acme/base");
    transfer(a, "acme/base");
    w.record(a, lead, "annotation", "acme/base", "--text", "basecorp appends without accepting");

    Cli.Result r = w.verify(policy(""), List.of(a));

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(World.codes(r, "ERROR")).as(r.out()).containsExactly("TRANSFER_NOT_ACCEPTED");
    assertThat(at(r, "TRANSFER_NOT_ACCEPTED")).containsExactly("acme/base:3");
  }

  @Test
  void transfer_lastEntryOfTheChain_awaitsAcceptanceAsAWarning() {
    Path a = acmeLedger("acme-ledger", "acme/base");
    transfer(a, "acme/base");

    Cli.Result r = w.verify(policy(""), List.of(a));

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(World.codes(r, "WARNING")).contains("TRANSFER_NOT_ACCEPTED");
  }

  @Test
  void transfer_oldOwnerAppendsAfterIt_isChainNotOwner() {
    Path a = acmeLedger("acme-ledger", "acme/base");
    JsonNode t = transfer(a, "acme/base");
    w.record(a, lead, "approval", "acme/base", "--subject", t.get("hash").textValue());
    w.record(a, acmeTrainer, "annotation", "acme/base", "--text", "acme still writing here");

    Cli.Result r = w.verify(policy(""), List.of(a));

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(World.codes(r, "ERROR")).as(r.out()).containsExactly("CHAIN_NOT_OWNER");
    assertThat(at(r, "CHAIN_NOT_OWNER")).containsExactly("acme/base:5");
  }

  @Test
  void transfer_senderAppendsInsteadOfAcceptance_isNotAcceptedAndNotOwner() {
    Path a = acmeLedger("acme-ledger", "acme/base");
    transfer(a, "acme/base");
    w.record(a, acmeRelease, "annotation", "acme/base", "--text", "acme keeps writing after handing over");

    Cli.Result r = w.verify(policy(""), List.of(a));

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(at(r, "TRANSFER_NOT_ACCEPTED")).containsExactly("acme/base:3");
    assertThat(at(r, "CHAIN_NOT_OWNER")).containsExactly("acme/base:4");
  }

  // ---------------------------------------------------------------- decisions across ledgers

  @Test
  void approvalInAnotherLedger_ofAcmesRelease_countsAndIsNoMissingSubject() {
    Path a = acmeLedger("acme-ledger", "acme/base");
    String releaseHash = Cli.ok("show", "acme/base:2", "--ledger", a, "--json").json().get("hash").textValue();
    Path b = w.ledger("basecorp-ledger");
    w.record(b, lead, "approval", "basecorp/intake", "--subject", releaseHash, "--reason", "fit for fine-tuning");
    Path rule = policy("""
        rules:
          - id: basecorp-sign-off
            approvals: {kind: release, count: 1, identities: [basecorp/lead]}
        """);

    Cli.Result both = w.verify(rule, List.of(a, b));
    assertThat(both.code()).as(both.toString()).isZero();
    assertThat(World.findings(both, "SUBJECT_NOT_FOUND")).isEmpty();

    Cli.Result alone = w.verify(rule, List.of(b)); // the subject's ledger is not given: the approval is unfounded
    assertThat(at(alone, "SUBJECT_NOT_FOUND")).as(alone.out()).containsExactly("basecorp/intake:0");
  }

  @Test
  void revocationEntry_ofAnotherOrganisationsKey_revokesNothing() {
    Path a = acmeLedger("acme-ledger", "acme/base");
    Path b = w.ledger("basecorp-ledger");
    JsonNode first = w.record(b, tuner, "dataset-ingest", "basecorp/ft", "--output", "sft:dataset=" + sft);
    // BaseCorp may sign revocations on its chains, but only of its own identities and keys.
    w.record(b, lead, "revocation", "basecorp/ft", "--subject", first.get("hash").textValue(), "--param",
        "custody.revokes=key:" + acmeTrainer.keyId(), "--param", "custody.revokedAt=2020-01-01T00:00:00Z");
    w.record(b, lead, "revocation", "basecorp/ft", "--subject", first.get("hash").textValue(), "--param",
        "custody.revokes=identity:acme/release-bot", "--param", "custody.revokedAt=2020-01-01T00:00:00Z");

    Cli.Result r = w.verify(policy(""), List.of(a, b));

    assertThat(World.findings(r, "IDENTITY_REVOKED")).as(r.out()).isEmpty();
    assertThat(at(r, "ROLE_VIOLATION")).as(r.out()).containsExactly("basecorp/ft:1", "basecorp/ft:2");
    assertThat(World.findings(r, "ROLE_VIOLATION").get(0).get("message").textValue())
        .contains("an organisation revokes only its own");
  }

  // ---------------------------------------------------------------- each ledger with its own trust (no policy)

  @Test
  void perLedgerTrust_eachOrganisationsKeys_linksTheLineageAcrossAndVerifies() throws Exception {
    Path a = acmeLedger("acme-ledger", "acme/base");
    Path b = basecorpLedger("basecorp-ledger", "basecorp/ft", World.digest(base));
    Path acmeKeys = trustDir("acme-keys", acmeTrainer, acmeRelease);
    Path basecorpKeys = trustDir("basecorp-keys", tuner);

    Cli.Result r = Cli.run("verify", "--ledger", a, "--trust", acmeKeys, "--ledger", b, "--trust", basecorpKeys,
        "--format", "json");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(World.findings(r, "LINEAGE_INPUT_UNPROVEN")).isEmpty(); // BaseCorp's base is ACME's product

    Cli.Result l = Cli.run("lineage", "basecorp/ft:2", "--ledger", a, "--trust", acmeKeys, "--ledger", b, "--trust",
        basecorpKeys);
    assertThat(l.code()).as(l.toString()).isZero();
    assertThat(l.out()).contains("from training acme/base:1 in 'acme-ledger'");
  }

  @Test
  void perLedgerTrust_keyTrustedForTheOtherLedgerOnly_isUntrustedHere() throws Exception {
    Path a = acmeLedger("acme-ledger", "acme/base");
    Path b = basecorpLedger("basecorp-ledger", "basecorp/ft", World.digest(base));
    w.record(b, acmeTrainer, "annotation", "basecorp/ft", "--text", "ACME's key writing in BaseCorp's ledger");
    Path acmeKeys = trustDir("acme-keys", acmeTrainer, acmeRelease);
    Path basecorpKeys = trustDir("basecorp-keys", tuner);

    Cli.Result r = Cli.run("verify", "--ledger", a, "--trust", acmeKeys, "--ledger", b, "--trust", basecorpKeys,
        "--format", "json");

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    List<JsonNode> untrusted = World.findings(r, "KEY_UNTRUSTED");
    assertThat(untrusted).hasSize(1);
    assertThat(untrusted.get(0).get("entry").get("where").textValue()).contains("basecorp-ledger");
  }

  /** A trust directory holding the public keys of {@code signers}. */
  private Path trustDir(String name, World.Signer... signers) throws Exception {
    Path d = java.nio.file.Files.createDirectories(tmp.resolve(name));
    for (World.Signer s : signers) {
      java.nio.file.Files.copy(tmp.resolve(s.pub()), d.resolve(tmp.resolve(s.pub()).getFileName()));
    }
    return d;
  }

  // ---------------------------------------------------------------- what the verdict must not depend on

  @Test
  void sameChainIdInTwoLedgers_eachOwnedByItsOrganisation_isVerified() {
    // Both organisations call their model line "models/main": chains live in a ledger, so these are two chains.
    Path a = acmeLedger("acme-ledger", "models/main");
    Path b = basecorpLedger("basecorp-ledger", "models/main", World.digest(base));

    Cli.Result r = w.verify(policy(""), List.of(a, b));

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(World.findings(r, "CHAIN_NOT_OWNER")).as(r.out()).isEmpty();
  }

  @Test
  void sameChainIdInTwoLedgers_evaluationInOneDoesNotSatisfyTheOthersRule() {
    Path a = acmeLedger("acme-ledger", "models/main");
    w.record(a, acmeTrainer, "evaluation", "models/main", "--input", "model=" + base, "--metric", "accuracy=0.9");
    Path b = basecorpLedger("basecorp-ledger", "models/main", World.digest(base));
    Path rule = policy("""
        rules:
          - id: evaluated-chain
            requirePredecessor: {kind: release, predecessor: evaluation}
        """);

    Cli.Result r = w.verify(rule, List.of(a, b));

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    List<JsonNode> v = World.findings(r, "RULE_VIOLATION");
    assertThat(v).as(r.out()).hasSize(2); // ACME's release precedes its evaluation; BaseCorp's has none at all
    assertThat(v).allSatisfy(f -> assertThat(World.at(f)).isEqualTo("models/main:2"));
    assertThat(v.stream().map(f -> f.get("entry").get("where").textValue()).toList())
        .anySatisfy(where -> assertThat(where).contains("acme-ledger"))
        .anySatisfy(where -> assertThat(where).contains("basecorp-ledger"));
  }

  @Test
  void ledgerDirectoryNames_doNotChangeWhichEvaluationCountsAsEarlier() {
    // BaseCorp first evaluates ACME's base (entry 0), then trains a model of its own and releases it. Its
    // ledger's directory name sorts before ACME's; the evaluation depends on ACME's training, the release
    // does not: the release is still after the evaluation, as BaseCorp's log says.
    Path a = acmeLedger("zz-acme-ledger", "acme/base");
    Path b = w.ledger("aa-basecorp-ledger");
    Path own = w.model("own", 5, 0f);
    w.record(b, tuner, "evaluation", "basecorp/own", "--input", "base:model=" + base, "--metric", "accuracy=0.7");
    w.record(b, tuner, "dataset-ingest", "basecorp/own", "--output", "sft:dataset=" + sft);
    w.record(b, tuner, "fine-tune", "basecorp/own", "--input", "sft:dataset=" + sft, "--output", "model=" + own);
    w.record(b, tuner, "release", "basecorp/own", "--output", "model=" + own, "--version", "1.0");
    Path rule = policy("""
        rules:
          - id: evaluated-chain
            requirePredecessor: {kind: release, predecessor: evaluation}
        """);

    Cli.Result r = w.verify(rule, List.of(a, b));

    // ACME's release has no evaluation on its chain (a true violation); BaseCorp's has one, earlier in its log.
    assertThat(at(r, "RULE_VIOLATION")).as(r.out()).containsExactly("acme/base:2");
    // Named the other way round, the verdict is the same.
    Path a2 = Cli.copyTree(a, tmp.resolve("aa-acme-ledger"));
    Path b2 = Cli.copyTree(b, tmp.resolve("zz-basecorp-ledger"));
    assertThat(at(w.verify(rule, List.of(a2, b2)), "RULE_VIOLATION")).containsExactly("acme/base:2");
  }

  @Test
  void verifyModel_chainInTwoLedgers_isAmbiguousAndSaysHowToName() {
    Path a = acmeLedger("acme-ledger", "models/main");
    Path b = basecorpLedger("basecorp-ledger", "models/main", World.digest(base));

    Cli.Result r = w.verify(policy(""), List.of(a, b), "--model", base, "--chain", "models/main");

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("models/main").contains("acme-ledger").contains("basecorp-ledger")
        .contains("--entry");
  }

  @Test
  void findingsAboutALedgerAsAWhole_nameTheLedger() throws Exception {
    Path a = acmeLedger("acme-ledger", "acme/base");
    Path b = basecorpLedger("basecorp-ledger", "basecorp/ft", World.digest(base));
    // An insider deletes BaseCorp's checkpoints: the auditor, who trusts BaseCorp's log key, must see whose.
    Cli.copyTree(b.resolve("checkpoints"), tmp.resolve("saved-checkpoints"));
    try (var files = java.nio.file.Files.list(b.resolve("checkpoints"))) {
      for (Path f : files.toList()) {
        java.nio.file.Files.delete(f);
      }
    }
    java.nio.file.Files.delete(b.resolve("checkpoint"));

    Cli.Result r = w.verify(policy(""), List.of(a, b));

    List<JsonNode> missing = World.findings(r, "NO_TRUSTED_CHECKPOINT");
    assertThat(missing).as(r.out()).hasSize(1);
    assertThat(missing.get(0).get("message").textValue()).contains("'basecorp-ledger'");
    Cli.Result untrusted = Cli.run("verify", "--policy", policy(""), "--ledger", a, "--ledger", b, "--format", "json");
    assertThat(World.findings(untrusted, "LOG_KEY_UNTRUSTED").stream().map(f -> f.get("message").textValue()))
        .as(untrusted.out()).hasSize(1).allSatisfy(m -> assertThat(m).contains("'acme-ledger'"));
    assertThat(World.findings(untrusted, "NO_CHECKPOINT").stream().map(f -> f.get("message").textValue()))
        .hasSize(1).allSatisfy(m -> assertThat(m).contains("'basecorp-ledger'"));
  }

  @Test
  void lineageTarget_chainAndSequenceInTwoLedgers_isAmbiguousAndSaysHowToName() {
    Path a = acmeLedger("acme-ledger", "models/main");
    Path b = basecorpLedger("basecorp-ledger", "models/main", World.digest(base));

    Cli.Result l = lineage("models/main:2", policy(""), a, b);

    assertThat(l.code()).as(l.toString()).isEqualTo(2);
    assertThat(l.err()).contains("models/main:2").contains("acme-ledger").contains("basecorp-ledger")
        .contains("entry hash");
  }
}
