package dev.custody.cli;

import dev.custody.attest.internal.artifacts.ModelArtifacts;
import dev.custody.attest.BundleExporter;
import dev.custody.attest.Ledger;
import dev.custody.attest.SigningKey;
import dev.custody.attest.interop.InteropExport;
import dev.custody.attest.internal.store.DurableFiles;
import dev.custody.attest.LedgerEntry;
import dev.custody.core.CustodyException;
import dev.custody.core.bundle.EvidenceBundle;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryLocator;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.internal.text.Untrusted;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Write an evidence bundle: what a verifier needs to judge some chains of the ledger without it —"
        + " every entry of the chains selected and of their lineage (the chains that produced what they consumed, and"
        + " that approved or revoked their entries), as exact record bytes with an inclusion proof each in the"
        + " newest checkpoint; the timestamped checkpoints with consistency proofs; the manifests and certificate"
        + " chains the entries reference. Never a private key, never a trust root.",
        "Verify it with 'custody verify --bundle FILE --policy P' (no ledger, no network).",
        "Exit 0 written, 2 bad usage or unreadable input."})
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledgerOption;
  @Mixin QuietOption quiet;

  /** What to export: exactly one. */
  static final class What {
    @Option(names = "--chain", paramLabel = "ID", description = "This chain (repeatable) and its lineage.")
    List<String> chains;

    @Option(names = "--model", paramLabel = "DIGEST|DIR", description = "The chains that output this model (its root"
        + " digest, or a model directory or file, hashed as 'custody hash' does) and their lineage.")
    String model;

    @Option(names = "--lineage", paramLabel = "CHAIN:SEQ|HASH", description = "The lineage of this entry (its chain"
        + " and the chains linked to it).")
    String lineage;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  What what;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The bundle file to write (replaced"
      + " atomically; not inside a ledger).")
  Path out;

  @Option(names = "--format", defaultValue = "custody", paramLabel = "FORMAT", description = "custody (default: an"
      + " evidence bundle, " + EvidenceBundle.MEDIA_TYPE + "); intoto (each entry of --chain ID, or of the whole"
      + " ledger, as an in-toto Statement v1 in a DSSE envelope in a Sigstore bundle v0.3, one per line, signed now"
      + " with --key); oms (the model of --chain ID's newest release as an OpenSSF model signing v1.0 signature,"
      + " signed now with --key). DSSE signs PAE(payloadType, payload), not a JWS.")
  String format;

  @Option(names = "--key", paramLabel = "KEYFILE", description = "With --format intoto or oms: the private key that"
      + " signs the export (PKCS#8 PEM, Ed25519 or ES256).")
  Path key;

  @Option(names = "--json", description = "Print JSON: out (absolute path), mediaType, entries, checkpointSize, bytes;"
      + " with --format intoto or oms: format, bundles, out (absolute path).")
  boolean json;

  @Override
  public Integer call() throws IOException, CustodyException {
    if (!format.equals("custody")) {
      return writeInterop();
    }
    if (what == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give what to export: --chain ID, --model"
          + " DIGEST|DIR or --lineage CHAIN:SEQ|HASH");
    }
    if (key != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--key is for --format intoto or oms: an evidence"
          + " bundle carries the entries' own signatures and is signed by nobody");
    }
    Path dir = ledgerDir();
    ReportFile outFile = ReportFile.check(out, List.of(dir), Map.of());
    byte[] written;
    EvidenceBundle bundle;
    try (Ledger ledger = Ledger.openReadOnly(dir)) {
      bundle = BundleExporter.export(ledger, dir, selection(ledger, dir));
      written = write(bundle);
    }
    outFile.write(new String(written, StandardCharsets.UTF_8));
    if (json) {
      spec.commandLine().getOut().println(Json.object(g -> {
        g.writeStringField("out", out.toAbsolutePath().normalize().toString());
        g.writeStringField("mediaType", EvidenceBundle.MEDIA_TYPE);
        g.writeNumberField("entries", bundle.entries().size());
        g.writeNumberField("checkpointSize", checkpointSize(bundle));
        g.writeNumberField("bytes", written.length);
      }));
    } else {
      spec.commandLine().getOut().println("wrote " + Untrusted.escape(out.toString()) + ": " + bundle.entries().size()
          + " entries, " + bundle.checkpoints().size() + " checkpoint" + (bundle.checkpoints().size() == 1 ? "" : "s")
          + " (newest: size " + checkpointSize(bundle) + "), " + bundle.manifests().size() + " manifests, "
          + bundle.certificates().size() + " certificate chains, " + written.length + " bytes");
    }
    return Main.VERIFIED;
  }

  /**
   * The ledger directory to export from; a ledger reached by URL is exported from a read-only copy in the
   * file layout (manifests, certificate chains and OpenSSF signatures included).
   */
  private Path ledgerDir() throws IOException, CustodyException {
    return ledgerOption.isUrl() ? LedgerLocation.copyForReading(ledgerOption.location(), spec, "export")
        : ledgerOption.resolve();
  }

  private static byte[] write(EvidenceBundle bundle) {
    return bundle.toBytes();
  }

  /** {@code --format intoto|oms}: the ecosystem's formats, signed now with {@code --key}. */
  private Integer writeInterop() throws IOException, CustodyException {
    InteropExport.Format f;
    try {
      f = InteropExport.Format.fromCliName(format);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--format: " + e.getMessage()
          + " (or custody, the default: an evidence bundle)");
    }
    if (what != null && (what.model != null || what.lineage != null || what.chains.size() != 1)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--format " + format + " exports one --chain ID"
          + (f == InteropExport.Format.OMS ? "" : " (or, without it, the whole ledger)")
          + "; --model and --lineage select evidence bundles (--format custody)");
    }
    Optional<String> chain = what == null ? Optional.empty() : Optional.of(what.chains.get(0));
    if (f == InteropExport.Format.OMS && chain.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--format oms needs --chain (whose release to sign)");
    }
    if (key == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--format " + format + " needs --key KEYFILE: the"
          + " export is signed now, with that key");
    }
    SigningKey signer = SigningKey.load(key);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int n = InteropExport.write(ledgerDir(), chain, f, signer, bytes);
    DurableFiles.createWhole(out, bytes.toByteArray());
    if (json) {
      spec.commandLine().getOut().println(Json.object(g -> {
        g.writeStringField("format", format);
        g.writeNumberField("bundles", n);
        g.writeStringField("out", out.toAbsolutePath().normalize().toString());
      }));
      return Main.VERIFIED;
    }
    spec.commandLine().getOut().println("wrote " + n + (f == InteropExport.Format.OMS ? " OMS signature" : " bundle"
        + (n == 1 ? "" : "s")) + " to " + Untrusted.escape(out.toString()));
    return Main.VERIFIED;
  }

  private static long checkpointSize(EvidenceBundle bundle) {
    return bundle.newest().map(c -> {
      try {
        return dev.custody.core.checkpoint.Checkpoint.parse(dev.custody.core.note.SignedNote.parse(
            c.note().toByteArray()).unverifiedText()).size();
      } catch (dev.custody.core.FormatException e) {
        return -1L;
      }
    }).orElse(-1L);
  }

  private BundleExporter.Selection selection(Ledger ledger, Path dir) throws IOException, CustodyException {
    if (what.chains != null) {
      return new BundleExporter.Selection.Chains(what.chains);
    }
    if (what.lineage != null) {
      EntryLocator at;
      try {
        at = EntryLocator.parse(what.lineage);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--lineage " + e.getMessage(), e);
      }
      if (at instanceof EntryLocator.Hash h) {
        return new BundleExporter.Selection.Entry(h.hash());
      }
      EntryLocator.Position p = (EntryLocator.Position) at;
      LedgerEntry e = ledger.entry(p.chain(), p.sequence()).orElseThrow(() -> new IllegalArgumentException("--lineage: no"
          + " entry " + Untrusted.quote(what.lineage) + " in ledger " + Untrusted.quote(dir.toString())));
      return new BundleExporter.Selection.Entry(e.ref().hash());
    }
    Path asPath = Path.of(what.model);
    if (what.model.startsWith("sha256:") && !Files.exists(asPath, LinkOption.NOFOLLOW_LINKS)) {
      try {
        return new BundleExporter.Selection.Model(Digest.parse(what.model));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--model " + Untrusted.quote(what.model) + " is neither a digest"
            + " (sha256:<64 hex>) nor a model directory or file: " + e.getMessage(), e);
      }
    }
    if (!Files.exists(asPath, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException("--model " + Untrusted.quote(what.model) + " is neither a digest"
          + " (sha256:<64 hex>) nor an existing model directory or file");
    }
    try (HashBar bar = HashBar.start("hash model", quiet.quiet || json)) {
      return new BundleExporter.Selection.Model(ModelArtifacts.hash(asPath, ModelHasher.builder().progress(bar), dir)
          .rootDigest());
    }
  }
}
