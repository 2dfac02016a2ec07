package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.verify.policy.TrustPolicy;
import dev.custody.verify.report.JsonReportRenderer;
import dev.custody.verify.report.TextReportRenderer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a ledger shaped like {@code bench/run.sh lineage}'s (organisations whose chains live
 * model lives: datasets, training or fine-tunes of other chains' releases, evaluations, quantization,
 * release, two approvals), made deterministic (keys from seeds, fixed times) and seeded with breaches
 * of every rule and lineage gaps, judged under the bench's policy (roles and six rules) and under
 * trust-all. Its rendered reports (text and JSON with the lineage) are pinned byte for byte by digest:
 * the values were recorded with the lineage and policy stages as they were before they were made faster
 * (commit 8db85fc, with the links into a step listed in evidence order, LineageGraph.linksInto), so a faster
 * stage that changes a finding, its order or a byte of a report fails here.
 */
class BenchShapedReportTest {
  static final int ORGS = 3;
  static final String[] ROLES = {"trainer", "evaluator", "release-bot", "approver-1", "approver-2"};
  /** SHA-256 of the reports rendered before the stages were made faster; see the class comment. */
  static final String POLICY_TEXT = "sha256:3ad65cc7ae59fd8f056236e5aff857e058ffd456187a6baa6291d7d3fecdb656";
  static final String POLICY_JSON = "sha256:1fb54080bcd2ecdfefb2242b6a2a0fab79b354ede66cf91854275308c4eeaab6";
  static final String TRUST_TEXT = "sha256:04665320e158c54f9703045bd3d62e33a44a2d0ed345e97cca39c292b45e6da3";
  static final String TRUST_JSON = "sha256:1103a782371ca86b6168e9e8553e274d5c1218ad020fab2045c3f384f4703fd4";

  @TempDir Path tmp;

  private static Digest sha(String s) {
    return Digest.sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  /** The bench's generator, sequential and seeded, with breaches sprinkled in. */
  private static Path ledger(Path dir, EventLedger.Key[][] keys) {
    EventLedger l = new EventLedger();
    SplittableRandom rnd = new SplittableRandom(42);
    int chains = 24;
    int entries = 1_200;
    int[] step = new int[chains];
    int[] cycle = new int[chains];
    Digest[][] state = new Digest[chains][3];
    Digest[] releaseEntry = new Digest[chains];
    List<Digest> released = new ArrayList<>();
    Instant t = Instant.parse("2026-12-01T00:00:00Z");
    int sticky = -1;
    for (int n = 0; n < entries; n++) {
      int ch = sticky >= 0 ? sticky : rnd.nextInt(chains);
      EventLedger.Key[] org = keys[ch % ORGS];
      String name = "org-" + (ch % ORGS) + "/model-" + ch;
      String id = name + "/" + cycle[ch];
      boolean breach = rnd.nextInt(25) == 0;
      Event e;
      EventLedger.Key k;
      switch (step[ch]) {
        case 0, 1 -> {
          Digest d = sha("data " + id + " " + step[ch]);
          state[ch][step[ch]] = d;
          e = Event.builder(EventType.DATASET_INGEST).output(ArtifactRef.of("corpus", ArtifactKind.DATASET, d))
              .parameter("license", breach ? " " : "CC-BY-4.0").parameter("source", "s3://bucket/" + id).build();
          k = org[0];
        }
        case 2 -> {
          Digest m = sha("model " + id);
          state[ch][2] = m;
          Event.Builder b;
          if (!released.isEmpty() && rnd.nextInt(3) > 0) {
            b = Event.builder(EventType.FINE_TUNE).input(ArtifactRef.of("base", ArtifactKind.MODEL,
                breach ? sha("unknown base " + n) : released.get(rnd.nextInt(released.size()))));
          } else {
            b = Event.builder(EventType.TRAINING);
          }
          e = b.input(ArtifactRef.of("train", ArtifactKind.DATASET, state[ch][0]))
              .input(ArtifactRef.of("eval", ArtifactKind.DATASET, breach ? sha("unknown data " + n) : state[ch][1]))
              .output(ArtifactRef.of("model", ArtifactKind.MODEL, m)).parameter("lr", "3e-4").build();
          k = org[0];
        }
        case 3, 5 -> {
          e = Event.builder(EventType.EVALUATION).input(ArtifactRef.of("model", ArtifactKind.MODEL, state[ch][2]))
              .details(new EventDetails.Evaluation(new TreeMap<>(Map.of("accuracy",
                  new BigDecimal("0." + (breach ? 30 : 70 + rnd.nextInt(29))))))).build();
          k = breach ? org[0] : org[1]; // the trainer evaluating its own model breaks separation of duties
        }
        case 4 -> {
          Digest q = sha("q4 " + id);
          e = Event.builder(EventType.CONVERSION).input(ArtifactRef.of("model", ArtifactKind.MODEL, state[ch][2]))
              .output(ArtifactRef.of("model", ArtifactKind.MODEL, q))
              .details(new EventDetails.Method(Optional.of("q4_k_m"))).build();
          state[ch][2] = q;
          k = org[0];
        }
        case 6 -> {
          e = Event.builder(EventType.RELEASE).output(ArtifactRef.of("model", ArtifactKind.MODEL,
                  breach ? sha("never evaluated " + n) : state[ch][2]))
              .parameter("region", n % 7 == 0 ? "us" : "eu").details(new EventDetails.Release(cycle[ch] + ".0")).build();
          released.add(state[ch][2]);
          k = org[2];
        }
        case 7, 8 -> {
          e = Event.builder(EventType.APPROVAL).details(new EventDetails.Decision(releaseEntry[ch],
              breach ? "rejected" : "approved", Optional.of("meets the bar"))).build();
          k = org[step[ch] - 4];
        }
        default -> {
          e = Event.builder(EventType.ANNOTATION).details(new EventDetails.Annotation("cycle " + cycle[ch]
              + " done")).build();
          k = breach ? keys[(ch + 1) % ORGS][0] : org[0]; // another organisation appending: not the owner
        }
      }
      Digest hash = l.append(name, e, k, t.plusSeconds(n));
      if (step[ch] == 6) {
        releaseEntry[ch] = hash;
      }
      sticky = step[ch] == 6 || step[ch] == 7 ? ch : -1;
      if (++step[ch] == 10) {
        step[ch] = 0;
        cycle[ch]++;
      }
    }
    return l.write(dir);
  }

  @Test
  void verify_benchShapedLedger_reportsAreByteForByteThoseOfTheSlowStages() throws Exception {
    EventLedger.Key[][] keys = new EventLedger.Key[ORGS][ROLES.length];
    StringBuilder identities = new StringBuilder();
    StringBuilder roles = new StringBuilder();
    List<dev.custody.core.jws.VerificationKey> all = new ArrayList<>();
    for (int o = 0; o < ORGS; o++) {
      for (int r = 0; r < ROLES.length; r++) {
        keys[o][r] = EventLedger.Key.ed25519("org-" + o + "/" + ROLES[r]);
        all.add(keys[o][r].publicKey());
        String file = "org-" + o + "-" + ROLES[r] + ".pub";
        Files.writeString(tmp.resolve(file), keys[o][r].publicKey().toPem());
        identities.append("  - {name: org-").append(o).append('/').append(ROLES[r]).append(", organisation: org-")
            .append(o).append(", keys: [").append(file).append("]}\n");
      }
      roles.append("  - {identities: [\"org-").append(o).append("/*\"], kinds: [\"*\"], chains: [\"org-").append(o)
          .append("/**\"]}\n");
    }
    Path policyFile = Files.writeString(tmp.resolve("policy.yaml"), "version: custody/policy/v1\n"
        + "organisations: {org-0: {}, org-1: {}, org-2: {}}\n"
        + "identities:\n" + identities
        + "roles:\n" + roles
        + "rules:\n"
        + "  - id: release-after-evaluation\n"
        + "    requirePredecessor: {kind: release, predecessor: evaluation, sameModel: true}\n"
        + "  - id: evaluator-not-trainer\n"
        + "    separationOfDuties: {kinds: [evaluation, approval], distinctFrom: [training, fine-tune], by: identity}\n"
        + "  - id: two-approvals\n"
        + "    approvals: {kind: release, count: 2, identities: [\"*/approver-*\"]}\n"
        + "  - id: accuracy\n"
        + "    metric: {name: accuracy, min: 0.5}\n"
        + "  - id: dataset-licence\n"
        + "    requireParameter: {kind: dataset-ingest, parameter: license}\n"
        + "  - id: eu-only\n"
        + "    cel: {kind: release, expression: \"event.parameters['region'] == 'eu'\"}\n");
    Path ledger = ledger(tmp.resolve("ledger"), keys);
    java.time.Clock clock = java.time.Clock.fixed(Instant.parse("2026-12-05T00:00:00Z"), java.time.ZoneOffset.UTC);

    VerificationReport underPolicy = LedgerVerifier.builder(TrustPolicy.load(policyFile)).clock(clock).build()
        .verify(ledger);
    VerificationReport underTrust = LedgerVerifier.builder(TrustedKeys.of(all)).clock(clock).build().verify(ledger);

    // The ledger breaks every rule and has lineage gaps: the reports are not trivially empty.
    assertThat(underPolicy.findings()).extracting(f -> f.rule().orElse("")).contains("release-after-evaluation",
        "evaluator-not-trainer", "two-approvals", "accuracy", "dataset-licence", "eu-only");
    assertThat(underPolicy.findings()).extracting(Finding::code).contains(FindingCode.LINEAGE_INPUT_UNPROVEN,
        FindingCode.ROLE_VIOLATION);
    assertThat(List.of(digest(TextReportRenderer.render(underPolicy)), digest(JsonReportRenderer.render(underPolicy,
        true)), digest(TextReportRenderer.render(underTrust)), digest(JsonReportRenderer.render(underTrust, true))))
        .containsExactly(POLICY_TEXT, POLICY_JSON, TRUST_TEXT, TRUST_JSON);
  }

  /**
   * The report's digest, the temporary directory (named in it) written as {@code TMP} and each run of
   * white space as one space (the text report wraps lines, so the directory's length moves line breaks).
   */
  private String digest(String report) {
    return Digest.sha256(report.replace(tmp.toString(), "TMP").replaceAll("\\s+", " ").getBytes(StandardCharsets.UTF_8))
        .toString();
  }
}
