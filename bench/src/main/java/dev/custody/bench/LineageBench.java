package dev.custody.bench;

import dev.custody.attest.SigningKey;
import dev.custody.core.entry.EntryRef;
import dev.custody.attest.Ledger;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.jws.KeyAlgorithm;
import dev.custody.verify.LedgerVerifier;
import dev.custody.verify.TrustedKeys;
import dev.custody.verify.VerificationReport;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.Step;
import dev.custody.verify.policy.TrustPolicy;
import dev.custody.verify.report.LineageTextRenderer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Lineage and trust-policy evaluation at scale (issue 8: on a 100,000-entry ledger with 1,000 chains,
 * policy and lineage add < 20 % to the signature-bound replay; the lineage of one model prints in
 * under 1 s after the replay). Generates a ledger of ten organisations whose chains each repeat a
 * realistic model life — two datasets ingested, a training (or a fine-tune of another chain's
 * release), an evaluation, a quantization, its evaluation, a release, two approvals, an annotation —
 * signed by five identities per organisation (trainer, evaluator, release bot, two approvers), and a
 * policy with roles per organisation and six rules (evaluation before release of the same model,
 * separation of duties, two approvals, an accuracy threshold, a dataset licence, a CEL rule). Then
 * verifies it with that policy (warm JVM, second run reported) and reads the stage timings of the
 * report: replay (checks 1–4, the signatures), lineage, policy (rules and time rule). Finally times
 * {@code custody lineage} of the newest release on the built graph.
 */
final class LineageBench {
  /** Issue 8: policy and lineage evaluation add less than this to the replay. */
  static final double TARGET_SHARE = 0.20;
  static final int ORGS = 10;
  static final String[] ROLES = {"trainer", "evaluator", "release-bot", "approver-1", "approver-2"};

  record Config(Path workDir, int entries, int chains, int parallelism, String openssl, int opensslSeconds) {}

  private LineageBench() {}

  static void run(Config c, Table table, Summary out) throws Exception {
    Summary s = out.child("lineage");
    int cores = Runtime.getRuntime().availableProcessors();
    SigningKey[][] keys = new SigningKey[ORGS][ROLES.length];
    Path keyDir = Files.createDirectories(c.workDir().resolve("lineage-keys"));
    StringBuilder identities = new StringBuilder();
    StringBuilder roles = new StringBuilder();
    for (int o = 0; o < ORGS; o++) {
      for (int r = 0; r < ROLES.length; r++) {
        keys[o][r] = SigningKey.generate(KeyAlgorithm.ED25519);
        String file = "org-" + o + "-" + ROLES[r] + ".pub";
        Files.writeString(keyDir.resolve(file), keys[o][r].publicKey().toPem());
        identities.append("  - {name: org-").append(o).append('/').append(ROLES[r]).append(", organisation: org-")
            .append(o).append(", keys: [lineage-keys/").append(file).append("]}\n");
      }
      roles.append("  - {identities: [\"org-").append(o).append("/*\"], kinds: [\"*\"], chains: [\"org-").append(o)
          .append("/**\"]}\n");
    }
    StringBuilder orgs = new StringBuilder();
    for (int o = 0; o < ORGS; o++) {
      orgs.append(o == 0 ? "" : ", ").append("org-").append(o).append(": {}");
    }
    Path policyFile = c.workDir().resolve("lineage-policy.yaml");
    Files.writeString(policyFile, "version: custody/policy/v1\n"
        + "organisations: {" + orgs + "}\n"
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
    TrustPolicy policy = TrustPolicy.load(policyFile);
    List<SigningKey> all = Arrays.stream(keys).flatMap(Arrays::stream).toList();
    TrustedKeys trust = TrustedKeys.of(all.stream().map(SigningKey::publicKey).toList());

    int warmEntries = Math.max(2_000, Math.min(20_000, c.entries() / 5));
    Path warmLedger = c.workDir().resolve("lineage-warmup");
    Path ledger = c.workDir().resolve("lineage-ledger");
    table.note("generating %,d + %,d entries on %,d chains of %d organisations (not timed)...", warmEntries,
        c.entries(), c.chains(), ORGS);
    generate(warmLedger, warmEntries, Math.max(ORGS, c.chains() / 5), keys, 1);
    generate(ledger, c.entries(), c.chains(), keys, 2);

    LedgerVerifier underPolicy = LedgerVerifier.builder(policy).parallelism(c.parallelism()).build();
    LedgerVerifier underTrust = LedgerVerifier.builder(trust).parallelism(c.parallelism()).build();
    underPolicy.verify(warmLedger);
    underTrust.verify(warmLedger);
    underPolicy.verify(ledger);
    System.gc();
    long t0 = System.nanoTime();
    VerificationReport report = underPolicy.verify(ledger);
    double total = (System.nanoTime() - t0) / 1e9;
    VerificationReport.Timings t = report.timings();
    double replay = t.replay().toNanos() / 1e9;
    double lineage = t.lineage().toNanos() / 1e9;
    double pol = t.policy().toNanos() / 1e9;
    double share = (lineage + pol) / replay;
    System.gc();
    long u0 = System.nanoTime();
    VerificationReport trustReport = underTrust.verify(ledger);
    double trustTotal = (System.nanoTime() - u0) / 1e9;

    LineageGraph graph = report.lineage().orElseThrow();
    Step release = graph.steps().stream().filter(x -> x.kind().equals(EventType.RELEASE))
        .max(Comparator.comparing(Step::time).thenComparing(LineageGraph.ORDER)).orElseThrow();
    double[] query = new double[5];
    int printedLines = 0;
    for (int i = 0; i < query.length; i++) {
      long q0 = System.nanoTime();
      List<Step> scope = graph.lineageOf(release);
      String text = LineageTextRenderer.render(graph, release, report::signerLabel, report.findings());
      query[i] = (System.nanoTime() - q0) / 1e9;
      printedLines = (int) text.lines().count() + scope.size() * 0;
    }
    Arrays.sort(query);

    Optional<OpensslSpeed.Rates> single = OpensslSpeed.ed25519(c.openssl(), 1, c.opensslSeconds());
    double limit = single.map(OpensslSpeed.Rates::verifyPerSec).orElse(Double.NaN) * cores;

    s.put("entries", c.entries()).put("chains", c.chains()).put("organisations", ORGS)
        .put("verified", report.verified()).put("errors", report.errorCount())
        .put("totalSeconds", total).put("replaySeconds", replay).put("lineageSeconds", lineage)
        .put("policySeconds", pol).put("share", share).put("targetShare", TARGET_SHARE)
        .put("meetsTarget", share < TARGET_SHARE)
        .put("trustAllTotalSeconds", trustTotal).put("trustAllVerified", trustReport.verified())
        .put("replayEntriesPerSec", c.entries() / replay).put("limitVerifyPerSec", limit)
        .put("replayRatioToLimit", c.entries() / replay / limit)
        .put("steps", graph.steps().size()).put("links", graph.network().edges().size())
        .put("lineageQuerySecondsMedian", query[query.length / 2]).put("lineageQueryLines", printedLines)
        .put("opensslCommand", single.map(OpensslSpeed.Rates::command).orElse("openssl unavailable"));

    table.row("verified under the policy", "%s (%,d errors)", report.verified() ? "yes" : "NO", report.errorCount());
    table.row("verification under the policy", "%.2f s  (replay %.2f s, lineage %.3f s, policy %.3f s)", total,
        replay, lineage, pol);
    table.row("SHARE (lineage + policy) / replay", "%.1f %%  (target < %.0f %%: %s)", 100 * share,
        100 * TARGET_SHARE, share < TARGET_SHARE ? "MET" : "NOT MET");
    table.row("verification with --trust (trust-all)", "%.2f s", trustTotal);
    table.row("replay rate / openssl limit", "%,.0f entries/s / %,.0f verify/s = %.2f", c.entries() / replay, limit,
        c.entries() / replay / limit);
    table.row("lineage graph", "%,d steps, %,d links", graph.steps().size(), graph.network().edges().size());
    table.row("lineage of the newest release (query + text)", "%.1f ms median of %d, %d lines  (target < 1 s: %s)",
        1000 * query[query.length / 2], query.length, printedLines, query[query.length / 2] < 1 ? "MET" : "NOT MET");
  }

  /**
   * Appends {@code entries} entries: each chain repeats the ten steps of the class comment, chains
   * interleaved at random; a training becomes a fine-tune of another chain's release when one exists.
   */
  static void generate(Path dir, int entries, int chains, SigningKey[][] keys, long seed) throws Exception {
    Ledger.create(dir);
    SplittableRandom rnd = new SplittableRandom(seed);
    String[] names = new String[chains];
    int[] step = new int[chains];
    int[] cycle = new int[chains];
    Digest[][] state = new Digest[chains][3]; // dataset 1, dataset 2, model (then quantized)
    @SuppressWarnings("unchecked")
    CompletableFuture<EntryRef>[] releases = new CompletableFuture[chains];
    List<Digest> released = new ArrayList<>();
    for (int i = 0; i < chains; i++) {
      names[i] = "org-" + (i % ORGS) + "/model-" + i;
    }
    Semaphore inFlight = new Semaphore(4096);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (Ledger ledger = Ledger.open(dir)) {
      int sticky = -1; // a release is followed at once by its two approvals, so a ledger ends with none pending
      for (int n = 0; n < entries && failure.get() == null; n++) {
        int ch = sticky >= 0 ? sticky : rnd.nextInt(chains);
        SigningKey[] org = keys[ch % ORGS];
        String id = names[ch] + "/" + cycle[ch];
        Event e;
        SigningKey k;
        switch (step[ch]) {
          case 0, 1 -> {
            Digest d = digest("data " + id + " " + step[ch]);
            state[ch][step[ch]] = d;
            e = Event.builder(EventType.DATASET_INGEST).output(ArtifactRef.of("corpus", ArtifactKind.DATASET, d))
                .parameter("license", "CC-BY-4.0").parameter("source", "s3://bucket/" + id).build();
            k = org[0];
          }
          case 2 -> {
            Digest m = digest("model " + id);
            state[ch][2] = m;
            Event.Builder b;
            if (!released.isEmpty() && rnd.nextInt(3) > 0) {
              b = Event.builder(EventType.FINE_TUNE)
                  .input(ArtifactRef.of("base", ArtifactKind.MODEL, released.get(rnd.nextInt(released.size()))));
            } else {
              b = Event.builder(EventType.TRAINING);
            }
            e = b.input(ArtifactRef.of("train", ArtifactKind.DATASET, state[ch][0]))
                .input(ArtifactRef.of("eval", ArtifactKind.DATASET, state[ch][1]))
                .output(ArtifactRef.of("model", ArtifactKind.MODEL, m)).parameter("lr", "3e-4").build();
            k = org[0];
          }
          case 3, 5 -> {
            e = Event.builder(EventType.EVALUATION).input(ArtifactRef.of("model", ArtifactKind.MODEL, state[ch][2]))
                .details(new EventDetails.Evaluation(new TreeMap<>(Map.of("accuracy",
                    new BigDecimal("0." + (70 + rnd.nextInt(29))))))).build();
            k = org[1];
          }
          case 4 -> {
            Digest q = digest("q4 " + id);
            e = Event.builder(EventType.CONVERSION).input(ArtifactRef.of("model", ArtifactKind.MODEL, state[ch][2]))
                .output(ArtifactRef.of("model", ArtifactKind.MODEL, q))
                .details(new EventDetails.Method(Optional.of("q4_k_m"))).build();
            state[ch][2] = q;
            k = org[0];
          }
          case 6 -> {
            e = Event.builder(EventType.RELEASE).output(ArtifactRef.of("model", ArtifactKind.MODEL, state[ch][2]))
                .parameter("region", "eu").details(new EventDetails.Release(cycle[ch] + ".0")).build();
            released.add(state[ch][2]);
            k = org[2];
          }
          case 7, 8 -> {
            Digest subject = releases[ch].join().hash();
            e = Event.builder(EventType.APPROVAL).details(new EventDetails.Decision(subject, "approved",
                Optional.of("meets the bar"))).build();
            k = org[step[ch] - 4];
          }
          default -> {
            e = Event.builder(EventType.ANNOTATION).details(new EventDetails.Annotation("cycle " + cycle[ch]
                + " done")).build();
            k = org[0];
          }
        }
        inFlight.acquire();
        CompletableFuture<EntryRef> f = ledger.appendAsync(names[ch], e, k);
        if (step[ch] == 6) {
          releases[ch] = f;
        }
        f.whenComplete((r, x) -> {
          if (x != null) {
            failure.compareAndSet(null, x);
          }
          inFlight.release();
        });
        sticky = step[ch] >= 6 && step[ch] < 8 ? ch : -1;
        step[ch] = (step[ch] + 1) % 10;
        if (step[ch] == 0) {
          cycle[ch]++;
        }
      }
      inFlight.acquire(4096);
      inFlight.release(4096);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("ledger generation failed: " + failure.get(), failure.get());
    }
  }

  private static Digest digest(String s) {
    return Digest.sha256(s.getBytes(StandardCharsets.UTF_8));
  }
}
