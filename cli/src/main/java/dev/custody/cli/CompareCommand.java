package dev.custody.cli;

import dev.custody.attest.internal.artifacts.ModelArtifacts;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.custody.attest.SigningKey;
import dev.custody.core.entry.EntryRef;
import dev.custody.attest.Ledger;
import dev.custody.core.CustodyException;
import dev.custody.core.derivation.ComparisonSummary;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.derivation.ModelComparison;
import dev.custody.core.derivation.Similarity;
import dev.custody.core.safetensors.SafetensorsModel;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Compare two safetensors models (files or directories) and print derivation evidence:",
        "whether the architectures are identical, the same under renaming, or different; which tensors are",
        "byte-identical (also across names), changed, re-typed (e.g. F32 -> F16), re-shaped or only in one model;",
        "and, for changed tensors, cosine similarity and the fraction of equal elements on a bounded sample.",
        "With --record, also signs the comparison as a 'comparison' event in the ledger: inputs a and b (the two",
        "models by manifest root digest, manifests kept in the ledger as 'record' keeps them) and the summary",
        "figures (see README, Derivation evidence).",
        "Evidence, not a verdict: exit 0 whatever the relation; 2 if a file is malformed or unreadable (nothing is",
        "recorded then)."})
final class CompareCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledgerOption;
  @Mixin QuietOption quiet;
  @Mixin NetworkFsOption networkFs;

  @Parameters(index = "0", paramLabel = "A", description = "The first model: a .safetensors file or a directory.")
  Path a;

  @Parameters(index = "1", paramLabel = "B", description = "The second model.")
  Path b;

  @Option(names = "--json", description = "Print JSON: architecture, tensors (counts), the summary figures (as"
      + " --record signs them) and the lists with similarity figures.")
  boolean json;

  @Option(names = "--record", description = "Sign the comparison as a 'comparison' event and append it to --chain"
      + " of the ledger (needs --chain and --key).")
  boolean record;

  @Option(names = "--chain", paramLabel = "ID", description = "With --record: the chain to append to, e.g. audit/cases.")
  String chain;

  @Option(names = "--key", paramLabel = "KEYFILE", description = "With --record: the private key that signs (PKCS#8 PEM).")
  Path key;

  @Option(names = "--manifest", description = "With --record: record a model given as a plain file as a one-file"
      + " manifest, as 'record --manifest' does (default: the SHA-256 of its content, as 'record' does). Directories"
      + " always get a manifest.")
  boolean manifest;

  @Override
  public Integer call() throws IOException, CustodyException {
    SigningKey signer = null;
    if (record) {
      if (chain == null || key == null) {
        throw new ParameterException(spec.commandLine(), "--record needs --chain ID and --key KEYFILE");
      }
      EntryPayload.requireChainId(chain);
      signer = SigningKey.load(key); // before the long reads: a bad key fails at once
      if (!ledgerOption.isUrl()) {
        LedgerLayout.requireLedger(ledgerOption.resolve());
      }
    } else if (chain != null || key != null || manifest) {
      throw new ParameterException(spec.commandLine(), "--chain, --key and --manifest are for --record");
    }
    // Compare first: a malformed model fails before anything is written to the ledger.
    ModelComparison c = ModelComparison.compare(SafetensorsModel.open(a), SafetensorsModel.open(b));
    ComparisonSummary summary = c.summary();
    Recorded recorded = record ? append(summary, signer) : null;
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.object(g -> writeJson(g, c, summary, recorded)));
    } else {
      writeText(out, c, summary);
      if (recorded != null) {
        out.println("recorded " + recorded.ref());
      }
    }
    return Main.VERIFIED;
  }

  /** The appended entry and the digests it names the two models by. */
  private record Recorded(EntryRef ref, Digest a, Digest b) {}

  /**
   * Hashes both models into artifacts {@code a} and {@code b} (manifests stored in the ledger before
   * the entry is appended, as {@code record} does) and appends the signed comparison.
   */
  private Recorded append(ComparisonSummary summary, SigningKey signer) throws IOException, CustodyException {
    String location = ledgerOption.location();
    Path dir = ledgerOption.isUrl() ? null : ledgerOption.resolve();
    // A ledger reached by URL keeps the two manifests in its database, as a directory keeps them in files.
    try (Ledger ledger = dir == null ? LedgerLocation.open(location) : networkFs.open(dir, spec)) {
      RecordCommand.checkChain(spec, ledger, location, chain, false);
      Artifacts.Context ctx = dir == null ? new Artifacts.Context(ledger, manifest, quiet.quiet || json, null)
          : new Artifacts.Context(dir, manifest, quiet.quiet || json);
      // Both hashed before either manifest is kept: a model refused while hashing leaves nothing behind.
      ModelArtifacts.Hashed ha = Artifacts.hash(EventDetails.Comparison.INPUT_A, ArtifactKind.MODEL, a, "A", ctx);
      ModelArtifacts.Hashed hb = Artifacts.hash(EventDetails.Comparison.INPUT_B, ArtifactKind.MODEL, b, "B", ctx);
      ArtifactRef ra = Artifacts.keep(ha, ctx);
      ArtifactRef rb = Artifacts.keep(hb, ctx);
      Event event = Event.builder(EventType.COMPARISON).input(ra).input(rb)
          .details(new EventDetails.Comparison(summary)).build();
      EntryRef ref = RecordCommand.append(location, ledger, chain, event, signer);
      return new Recorded(ref, ra.digest(), rb.digest());
    }
  }

  private void writeJson(JsonGenerator g, ModelComparison c, ComparisonSummary summary, Recorded recorded)
      throws IOException {
    g.writeStringField("a", a.toString());
    g.writeStringField("b", b.toString());
    g.writeStringField("architecture", c.architecture().label());
    g.writeObjectFieldStart("fingerprints");
    g.writeObjectFieldStart("a");
    g.writeStringField("architecture", c.architectureA().toString());
    g.writeStringField("structure", c.structureA().toString());
    g.writeNumberField("tensors", c.tensorsA());
    g.writeEndObject();
    g.writeObjectFieldStart("b");
    g.writeStringField("architecture", c.architectureB().toString());
    g.writeStringField("structure", c.structureB().toString());
    g.writeNumberField("tensors", c.tensorsB());
    g.writeEndObject();
    g.writeEndObject();
    g.writeObjectFieldStart("tensors");
    for (Map.Entry<String, Integer> e : c.counts().entrySet()) {
      g.writeNumberField(e.getKey(), e.getValue());
    }
    g.writeNumberField("identicalRenamed", c.identicalRenamed());
    g.writeEndObject();

    g.writeArrayFieldStart("identical");
    for (ModelComparison.Identical t : c.identical()) {
      g.writeStartObject();
      g.writeStringField("a", t.nameA());
      g.writeStringField("b", t.nameB());
      g.writeStringField("dtype", t.dtype().name());
      FingerprintCommand.shape(g, "shape", t.shape());
      g.writeStringField("sha256", t.digest().toString());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("changed");
    for (ModelComparison.Changed t : c.changed()) {
      g.writeStartObject();
      g.writeStringField("name", t.name());
      g.writeStringField("dtype", t.dtype().name());
      FingerprintCommand.shape(g, "shape", t.shape());
      g.writeStringField("sha256A", t.digestA().toString());
      g.writeStringField("sha256B", t.digestB().toString());
      similarity(g, t.similarity());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("dtypeChanged");
    for (ModelComparison.DtypeChanged t : c.dtypeChanged()) {
      g.writeStartObject();
      g.writeStringField("name", t.name());
      FingerprintCommand.shape(g, "shape", t.shape());
      g.writeStringField("dtypeA", t.dtypeA().name());
      g.writeStringField("dtypeB", t.dtypeB().name());
      similarity(g, t.similarity());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("shapeChanged");
    for (ModelComparison.ShapeChanged t : c.shapeChanged()) {
      g.writeStartObject();
      g.writeStringField("name", t.name());
      g.writeStringField("dtypeA", t.dtypeA().name());
      FingerprintCommand.shape(g, "shapeA", t.shapeA());
      g.writeStringField("dtypeB", t.dtypeB().name());
      FingerprintCommand.shape(g, "shapeB", t.shapeB());
      g.writeEndObject();
    }
    g.writeEndArray();
    unmatched(g, "onlyInA", c.onlyInA());
    unmatched(g, "onlyInB", c.onlyInB());
    g.writeObjectFieldStart("summary");
    EntryCodec.writeComparison(g, summary);
    g.writeEndObject();
    if (recorded != null) {
      g.writeObjectFieldStart("recorded");
      Json.refFields(g, recorded.ref());
      g.writeStringField("a", recorded.a().toString());
      g.writeStringField("b", recorded.b().toString());
      g.writeEndObject();
    }
  }

  private static void unmatched(JsonGenerator g, String field, List<ModelComparison.Unmatched> list) throws IOException {
    g.writeArrayFieldStart(field);
    for (ModelComparison.Unmatched t : list) {
      g.writeStartObject();
      g.writeStringField("name", t.name());
      g.writeStringField("dtype", t.dtype().name());
      FingerprintCommand.shape(g, "shape", t.shape());
      g.writeStringField("sha256", t.digest().toString());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void similarity(JsonGenerator g, Similarity s) throws IOException {
    g.writeObjectFieldStart("similarity");
    g.writeNumberField("elements", s.elements());
    g.writeNumberField("sampled", s.sampled());
    optional(g, "cosine", s.cosine());
    optional(g, "equalFraction", s.equalFraction());
    g.writeEndObject();
  }

  private static void optional(JsonGenerator g, String field, OptionalDouble v) throws IOException {
    if (v.isPresent()) {
      g.writeNumberField(field, v.getAsDouble());
    } else {
      g.writeNullField(field);
    }
  }

  /** The text report: tensor names and paths are the files' own text, escaped as columns. */
  private void writeText(PrintWriter out, ModelComparison c, ComparisonSummary summary) {
    out.printf("A  %s  (%d tensors, architecture %s)%n", esc(a.toString()), c.tensorsA(), c.architectureA());
    out.printf("B  %s  (%d tensors, architecture %s)%n", esc(b.toString()), c.tensorsB(), c.architectureB());
    out.printf("architecture   %s%n", switch (c.architecture()) {
      case IDENTICAL -> "identical (same names, dtypes and shapes)";
      case RENAMED -> "renamed (same dtypes and shapes under different names)";
      case DIFFERENT -> "different";
    });
    out.printf("identical      %d (%d under different names)%n", c.identical().size(), c.identicalRenamed());
    out.printf("changed        %d%n", c.changed().size());
    out.printf("dtype changed  %d%n", c.dtypeChanged().size());
    out.printf("shape changed  %d%n", c.shapeChanged().size());
    out.printf("only in A      %d%n", c.onlyInA().size());
    out.printf("only in B      %d%n", c.onlyInB().size());
    out.printf("elements       A %d, B %d, identical %d (%s of the smaller)%n", summary.elements().a(),
        summary.elements().b(), summary.elements().identical(), percent(summary.identicalShare()));
    summary.cosine().ifPresent(k -> out.printf("cosine         mean %s (weighted by elements, over %s, %s of the"
        + " smaller), min %s%s%n", k.mean().toPlainString(), tensors(k.tensors()), percent(summary.cosineShare()),
        k.min().toPlainString(), k.minTensor().map(n -> " (" + esc(n) + ")").orElse("")));
    summary.equal().ifPresent(q -> out.printf("equal          mean %s (weighted by elements, over %s)%n",
        q.mean().toPlainString(), tensors(q.tensors())));
    for (ModelComparison.Changed t : c.changed()) {
      out.printf("  changed       %s  %s %s  %s%n", esc(t.name()), t.dtype(), shapeText(t.shape()), text(t.similarity()));
    }
    for (ModelComparison.DtypeChanged t : c.dtypeChanged()) {
      out.printf("  dtype         %s  %s -> %s %s  %s%n", esc(t.name()), t.dtypeA(), t.dtypeB(), shapeText(t.shape()),
          text(t.similarity()));
    }
    for (ModelComparison.ShapeChanged t : c.shapeChanged()) {
      out.printf("  shape         %s  %s %s -> %s %s%n", esc(t.name()), t.dtypeA(), shapeText(t.shapeA()), t.dtypeB(),
          shapeText(t.shapeB()));
    }
    for (ModelComparison.Identical t : c.identical()) {
      if (t.renamed()) {
        out.printf("  renamed       %s -> %s%n", esc(t.nameA()), esc(t.nameB()));
      }
    }
    c.onlyInA().forEach(t -> out.printf("  only in A     %s  %s %s%n", esc(t.name()), t.dtype(), shapeText(t.shape())));
    c.onlyInB().forEach(t -> out.printf("  only in B     %s  %s %s%n", esc(t.name()), t.dtype(), shapeText(t.shape())));
  }

  private static String tensors(long n) {
    return n + (n == 1 ? " tensor" : " tensors");
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.1f%%", share * 100);
  }

  private static String esc(String s) {
    return Untrusted.escape(s);
  }

  private static String shapeText(List<Long> shape) {
    return shape.toString().replace(" ", "");
  }

  private static String text(Similarity s) {
    StringBuilder b = new StringBuilder();
    s.cosine().ifPresent(v -> b.append(String.format(Locale.ROOT, "cosine %.6f  ", v)));
    s.equalFraction().ifPresent(v -> b.append(String.format(Locale.ROOT, "equal %.4f  ", v)));
    b.append(s.exhaustive() ? "(all " + s.elements() + " elements)"
        : "(sample of " + s.sampled() + " of " + s.elements() + " elements)");
    return b.toString();
  }
}
