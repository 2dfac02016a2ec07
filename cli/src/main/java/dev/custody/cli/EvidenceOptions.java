package dev.custody.cli;

import dev.custody.core.bundle.EvidenceBundle;

import dev.custody.core.FormatException;
import dev.custody.core.note.VerifierKey;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.LedgerVerifier;
import dev.custody.verify.TrustedKeys;
import dev.custody.verify.policy.TrustPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code custody verify} and {@code custody lineage} judge and by which trust: one or more
 * ledgers, trusted keys ({@code --trust}, the simple case: every key may sign everything) or a
 * trust policy ({@code --policy}), trusted log keys, and the auditor's checkpoint evidence.
 *
 * <p>Several ledgers (of several organisations) are verified together, their lineage judged
 * across them: with one {@code --trust} it applies to every ledger; with as many {@code --trust}
 * as {@code --ledger} each ledger gets its own, in the order given; a {@code --policy} applies to
 * all (its identities name each organisation's keys and its roles say who may sign on which chains).
 */
final class EvidenceOptions {
  @Option(names = "--ledger", paramLabel = "DIR|URL", description = "A ledger directory, or a shared ledger's URL"
      + " (postgresql://HOST/DB: copied read-only, in one snapshot, into a temporary directory that is verified; the"
      + " database is trusted for nothing). Repeatable: several ledgers (e.g."
      + " of several organisations) are verified together and their lineage judged across them. Default:"
      + " $CUSTODY_LEDGER, else ./.custody.")
  List<String> ledgers = new ArrayList<>();
  /** The directory each URL of {@link #ledgers} was copied into, once. */
  private final java.util.Map<String, Path> copies = new java.util.HashMap<>();
  @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE) picocli.CommandLine.Model.CommandSpec mixee;

  @Option(names = "--bundle", paramLabel = "FILE", description = "An evidence bundle ('custody export', "
      + EvidenceBundle.MEDIA_TYPE + ") to verify with no ledger: its entries are judged as a ledger's are, their"
      + " place in the log by inclusion proofs in its newest checkpoint. Repeatable, and with --ledger: bundles of"
      + " several organisations combine into one lineage. --trust pairs with --ledger first, then --bundle.")
  List<Path> bundles = new ArrayList<>();

  @Option(names = "--trust", paramLabel = "PATH", description = "A trusted public key file, or a directory of *.pub"
      + " files (and *.vkey log keys): every trusted key may sign every kind of event on every chain. Repeatable:"
      + " once for all ledgers, or once per --ledger in the same order.")
  List<Path> trust = new ArrayList<>();

  @Option(names = "--policy", paramLabel = "FILE", description = "A trust policy (custody/policy/v1, YAML or JSON):"
      + " identities, roles, validity and revocations, external roots, lineage strictness, rules. Instead of --trust.")
  Path policy;

  @Option(names = "--log-key", paramLabel = "VKEY|FILE",
      description = "A trusted log key for checkpoints: a verifier key string (name+hash+base64, as 'custody info' prints"
          + " it) or a file holding one. Repeatable. *.vkey files in --trust directories are trusted too. Without"
          + " any, checkpoints are checked with each ledger's own log/vkey (a warning says so).")
  List<String> logKeys = new ArrayList<>();

  @Mixin CheckpointEvidenceOptions checkpointEvidence; // --checkpoint, --witness-key, --witness-threshold, --tsa-root

  @Option(names = "--weights", paramLabel = "DIR|FILE", description = "Model weights at hand (a directory of"
      + " safetensors files, or one file), named by their digest: every fine-tune, conversion and merge whose model"
      + " input and output are both at hand is checked against the weights, and a model that is a near-copy of"
      + " another one its lineage does not include is reported. Signed comparisons in the ledger count as evidence"
      + " too. Repeatable.")
  List<Path> weights = new ArrayList<>();

  /** The ledgers named, or the default one (none when only bundles are given). */
  List<Path> ledgers() throws IOException, FormatException {
    List<Path> out = new ArrayList<>();
    for (String l : ledgers.isEmpty() && bundles.isEmpty() ? List.of(LedgerOption.defaultLocation()) : ledgers) {
      out.add(LedgerLocation.isUrl(l) ? copy(l) : Path.of(l));
    }
    return out;
  }

  private Path copy(String url) throws IOException, FormatException {
    Path p = copies.get(url);
    if (p == null) {
      p = LedgerLocation.copyForVerifying(url, mixee);
      copies.put(url, p);
    }
    return p;
  }

  /** The policy the lineage and rules are judged by: {@code --policy}, or the first {@code --trust} as trust-all. */
  private TrustPolicy mainPolicy() throws IOException, FormatException {
    return policy != null ? TrustPolicy.load(policy) : TrustPolicy.trustAll(TrustedKeys.load(trust.get(0)));
  }

  /**
   * A verifier builder with the trust, log keys and checkpoint evidence of these options, and the
   * sources to verify with it.
   *
   * @throws IllegalArgumentException for a bad combination (no trust, both kinds, counts that do not pair)
   */
  Prepared prepare() throws IOException, dev.custody.core.CustodyException {
    List<Path> dirs = new ArrayList<>(ledgers());
    dirs.addAll(bundles);
    if (policy == null && trust.isEmpty()) {
      throw new IllegalArgumentException("give the keys you trust (--trust PATH) or a trust policy (--policy FILE)");
    }
    if (policy != null && !trust.isEmpty()) {
      throw new IllegalArgumentException("give either --trust or --policy, not both: a policy names its identities'"
          + " keys itself");
    }
    if (trust.size() > 1 && trust.size() != dirs.size()) {
      throw new IllegalArgumentException("give one --trust for all ledgers, or one per --ledger and --bundle ("
          + dirs.size() + " ledgers and bundles, " + trust.size() + " --trust)");
    }
    TrustPolicy main = mainPolicy();
    List<LedgerVerifier.Source> sources = new ArrayList<>();
    for (int i = 0; i < dirs.size(); i++) {
      TrustPolicy t = policy != null || trust.size() == 1 || i == 0 ? main
          : TrustPolicy.trustAll(TrustedKeys.load(trust.get(i)));
      Path dir = dirs.get(i);
      sources.add(i < ledgers().size() ? new LedgerVerifier.Source(dir, t)
          : LedgerVerifier.Source.bundle(dir, readBundle(dir), t));
    }
    LedgerVerifier.Builder b = LedgerVerifier.builder(main);
    List<VerifierKey> keys = new ArrayList<>();
    for (Path t : trust) {
      keys.addAll(TrustedKeys.loadLogKeys(t));
    }
    for (String k : logKeys) {
      keys.add(TrustedKeys.parseLogKey(k));
    }
    b.logKeys(keys);
    checkpointEvidence.configure(b);
    if (dirs.size() > 1 && checkpointEvidence.checkpoint != null) {
      throw new IllegalArgumentException("--checkpoint is a checkpoint of one log: verify its ledger on its own ("
          + dirs.size() + " ledgers were given: " + Untrusted.quote(dirs.toString()) + ")");
    }
    List<dev.custody.verify.lineage.ModelWeights> atHand = new ArrayList<>();
    for (Path w : weights) {
      if (!java.nio.file.Files.isDirectory(w, java.nio.file.LinkOption.NOFOLLOW_LINKS)
          && !java.nio.file.Files.isRegularFile(w, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        throw new IllegalArgumentException("--weights " + Untrusted.quote(w.toString()) + " is not a model directory"
            + " or a safetensors file" + (java.nio.file.Files.isSymbolicLink(w) ? " (symbolic links are refused, as"
            + " record refuses them)" : ""));
      }
    }
    for (Path w : weights) {
      try (HashBar bar = HashBar.start("hash " + w.getFileName(), quiet)) {
        atHand.add(dev.custody.verify.lineage.ModelWeights.open(w, dirs, bar));
      }
    }
    b.weights(atHand);
    return new Prepared(b, sources);
  }

  /** Reads and parses an evidence bundle file (bounded, a regular file), naming it in errors. */
  static EvidenceBundle readBundle(Path file) throws IOException, FormatException {
    byte[] bytes = dev.custody.core.internal.io.SmallFiles.read(file, EvidenceBundle.MAX_BYTES, "evidence bundle");
    return EvidenceBundle.parse(bytes, Untrusted.quote(file.toString()));
  }

  /** No progress bars (set by the command's --quiet). */
  boolean quiet;

  /** A verifier builder and the ledgers it will verify. */
  record Prepared(LedgerVerifier.Builder builder, List<LedgerVerifier.Source> sources) {}

  /** Files this verification reads besides the ledgers, which an output file may not replace. */
  java.util.Map<String, Path> inputs() {
    java.util.Map<String, Path> in = new java.util.LinkedHashMap<>();
    for (int i = 0; i < bundles.size(); i++) {
      in.put("--bundle " + (i + 1), bundles.get(i));
    }
    for (int i = 0; i < trust.size(); i++) {
      in.put("--trust " + (i + 1), trust.get(i));
    }
    in.put("--policy", policy);
    for (int i = 0; i < weights.size(); i++) {
      in.put(weights.size() == 1 ? "--weights" : "--weights (" + (i + 1) + ")", weights.get(i));
    }
    Path cp = checkpointEvidence.checkpoint;
    in.put("--checkpoint", cp);
    in.put("the timestamp of --checkpoint", cp == null || cp.getFileName() == null ? null
        : cp.resolveSibling(cp.getFileName() + ".tsr"));
    return in;
  }
}
