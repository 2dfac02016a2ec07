package dev.custody.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.attest.AttestException;
import dev.custody.attest.SigningKey;
import dev.custody.attest.CertificateStore;
import dev.custody.core.entry.EntryRef;
import dev.custody.attest.Ledger;
import dev.custody.attest.LedgerEntry;
import dev.custody.core.CustodyException;
import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.internal.io.SmallFiles;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.internal.json.JsonFields;
import dev.custody.core.internal.json.StrictJson;
import dev.custody.core.internal.ledger.LedgerLayout;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "record", sortOptions = false,
    description = {"Append a signed event to a chain of the ledger and print its reference.",
        "KIND is a built-in kind (dataset-ingest, training, fine-tune, evaluation, conversion, merge, release,"
            + " custody-transfer, approval, revocation, annotation, comparison) or a custom type URI; comparisons are"
            + " best made with 'custody compare --record'.",
        "--input/--output take NAME=sha256:<hex>, NAME=FILE (SHA-256 of its content, or a one-file manifest with"
            + " --manifest) or NAME=DIR (a model manifest, kept in the ledger's manifests/ directory; the digest"
            + " recorded is the manifest root digest).",
        "With --batch, appends one event per line of a JSONL file: each line is an event object"
            + " with \"chain\" and \"kind\" members (see README), printed as a JSON line once durable."})
final class RecordCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledgerOption;
  @Mixin QuietOption quiet;
  @Mixin NetworkFsOption networkFs;
  @Mixin CertificateOption certificateOption;
  @Mixin ModelHashOptions hashing;
  @Mixin InputSignatureOption inputSignature;

  // No standard --version here: it names a release's version.
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Parameters(index = "0", arity = "0..1", paramLabel = "KIND", description = "Event kind (not with --batch; may be"
      + " left out when --event-json has a \"type\").")
  String kind;

  @Option(names = "--chain", paramLabel = "ID", description = "Chain id, e.g. acme/falcon-7b. A chain not yet in the"
      + " ledger is started (a notice on standard error says so).")
  String chain;

  @Option(names = "--existing-chain", description = "Refuse to start a new chain: --chain must name a chain already in"
      + " the ledger (exit 2, nothing recorded, the closest chain named); with --batch, every line's chain, checked"
      + " before anything is appended.")
  boolean existingChain;

  @Option(names = "--key", required = true, paramLabel = "KEYFILE", description = "Private key file (PKCS#8 PEM).")
  Path key;

  @Option(names = "--input", paramLabel = "NAME[:KIND]=DIGEST_OR_PATH", description = "A material: a digest or a file to hash. Repeatable.")
  List<String> inputs = new ArrayList<>();

  @Option(names = "--output", paramLabel = "NAME[:KIND]=DIGEST_OR_PATH", description = "A product: a digest or a file to hash. Repeatable.")
  List<String> outputs = new ArrayList<>();

  @Option(names = "--manifest", description = "Hash plain files given as --input/--output into a one-file model"
      + " manifest (kept in the ledger) instead of the SHA-256 of their content. Directories always get one.")
  boolean manifest;

  @Option(names = "--param", paramLabel = "K=V", description = "A parameter of the step. Repeatable.")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(names = "--env", paramLabel = "K=V", description = "An environment fact (host, framework version, ...). Repeatable.")
  Map<String, String> env = new LinkedHashMap<>();

  @Option(names = "--version", paramLabel = "VERSION", description = "release: the version released.")
  String version;

  @Option(names = "--metric", paramLabel = "NAME=NUMBER", description = "evaluation: a metric. Repeatable.")
  Map<String, String> metrics = new LinkedHashMap<>();

  @Option(names = "--method", paramLabel = "METHOD", description = "conversion, merge: the method (e.g. quantize-int8).")
  String method;

  @Option(names = "--from", paramLabel = "PARTY", description = "custody-transfer: who hands over.")
  String from;

  @Option(names = "--to", paramLabel = "PARTY", description = "custody-transfer: who receives.")
  String to;

  @Option(names = "--subject", paramLabel = "CHAIN:SEQ|HASH", description = "approval, revocation: the entry decided on.")
  String subject;

  @Option(names = "--decision", paramLabel = "DECISION", description = "approval: approved (default) or rejected.")
  String decision;

  @Option(names = "--reason", paramLabel = "TEXT", description = "approval, revocation: why.")
  String reason;

  @Option(names = "--text", paramLabel = "TEXT", description = "annotation: the note.")
  String text;

  @Option(names = "--event-json", paramLabel = "FILE", description = "Read the event from a JSON file (the entry format's event object); the options above add to it.")
  Path eventJson;

  @Option(names = "--batch", paramLabel = "FILE.jsonl", description = "Append one event per line of FILE (\"-\" for stdin).")
  Path batch;

  @Option(names = "--json", description = "Print the reference as JSON.")
  boolean json;

  @Override
  public Integer call() throws IOException, CustodyException {
    if (batch != null) {
      // Event options would be silently ignored in batch mode: refuse them rather than record
      // events that lack what the caller asked for.
      if (kind != null || chain != null || eventJson != null || !inputs.isEmpty() || !outputs.isEmpty() || manifest
          || !params.isEmpty() || !env.isEmpty() || version != null || !metrics.isEmpty() || method != null
          || from != null || to != null || subject != null || decision != null || reason != null || text != null
          || hashing.given() || inputSignature.given()) {
        throw new ParameterException(spec.commandLine(), "--batch takes the kind, chain and event from each line;"
            + " do not give KIND, --chain, --event-json or event options (--input, --output,"
            + " --param, --env, --version, --metric, --method, --from, --to, --subject, --decision, --reason, --text)"
            + " or model hashing options (--serialization, --shard-size, --ignore-paths, --allow-symlinks, --threads)"
            + " with it");
      }
      return runBatch();
    }
    if (kind == null && eventJson == null) {
      throw new ParameterException(spec.commandLine(), "missing KIND (e.g. 'custody record training --chain ID --key KEY')");
    }
    if (chain == null) {
      throw new ParameterException(spec.commandLine(), "missing --chain ID");
    }
    EntryPayload.requireChainId(chain);
    SigningKey signer = SigningKey.load(key);
    if (ledgerOption.isUrl()) {
      return recordIntoUrl(signer);
    }
    Path dir = ledgerOption.resolve();
    try (Ledger ledger = networkFs.open(dir, spec)) {
      reportRepairs(spec, ledger);
      checkChain(spec, ledger, dir.toString(), chain, existingChain);
      Optional<CertificateStore.Checked> certificate = certificateOption.check(dir, signer);
      Event event = buildEvent(ledger, new Artifacts.Context(dir, manifest, quiet.quiet || json, hashing));
      event = inputSignature.apply(ledger, event);
      CertificateOption.store(dir, certificate);
      EntryRef ref = append(dir.toString(), ledger, chain, event, signer);
      PrintWriter out = spec.commandLine().getOut();
      out.println(json ? Json.ref(ref) : "recorded " + ref);
    }
    return Main.VERIFIED;
  }

  /**
   * One entry into a ledger reached by URL ({@code postgresql://…}): as into a directory, with the model
   * manifests, the certificate chain and an {@code --input-signature} kept in the database, durably, before
   * the entry is appended.
   */
  private Integer recordIntoUrl(SigningKey signer) throws IOException, dev.custody.core.CustodyException {
    String location = ledgerOption.location();
    try (Ledger ledger = LedgerLocation.open(location)) {
      reportRepairs(spec, ledger);
      checkChain(spec, ledger, location, chain, existingChain);
      Optional<CertificateStore.Checked> certificate = certificateOption.check(ledger, signer);
      Event event = buildEvent(ledger, new Artifacts.Context(ledger, manifest, quiet.quiet || json, hashing));
      event = inputSignature.apply(ledger, event);
      CertificateOption.store(ledger, certificate);
      EntryRef ref = append(location, ledger, chain, event, signer);
      spec.commandLine().getOut().println(json ? Json.ref(ref) : "recorded " + ref);
    }
    return Main.VERIFIED;
  }

  /**
   * Whether {@code chain} is in the ledger: if not, says on standard error that it starts a new chain
   * (naming the closest existing ones, a typo being the likely cause) or, with {@code existingOnly},
   * refuses before anything is written.
   *
   * @throws CommandError ({@link ErrorReport.Code#NO_SUCH_CHAIN}) with {@code existingOnly} for a new chain
   */
  static void checkChain(CommandSpec spec, Ledger ledger, String dir, String chain, boolean existingOnly)
      throws CommandError {
    List<String> chains = ledger.chains().stream().map(EntryRef::chain).toList();
    if (!chains.contains(chain)) {
      newChain(spec, chains, dir, chain, existingOnly, "");
    }
  }

  /**
   * {@code chain} is not among the ledger's {@code chains}: refuses with {@code existingOnly}, else says
   * on standard error that it starts a new chain. {@code where} prefixes the message (a batch's line).
   */
  private static void newChain(CommandSpec spec, List<String> chains, String dir, String chain, boolean existingOnly,
      String where) throws CommandError {
    List<String> near = Suggestions.closest(chain, chains);
    String hint = near.isEmpty() ? "" : "; did you mean " + Untrusted.quote(near.get(0)) + "?";
    if (existingOnly) {
      throw new CommandError(ErrorReport.of(ErrorReport.Code.NO_SUCH_CHAIN, where + "no chain " + Untrusted.quote(chain)
          + " in the ledger " + Untrusted.quote(dir) + " (" + chains.size() + " chains), and"
          + " --existing-chain forbids starting one; nothing was recorded" + hint).withChain(chain)
          .withDidYouMean(near));
    }
    // Name --existing-chain only to commands that have it (compare --record has not).
    boolean canRefuse = spec.findOption("--existing-chain") != null;
    ErrorReport.notice(spec, "NEW_CHAIN", where + "starting a new chain " + Untrusted.quote(chain) + " (not yet in the ledger "
        + Untrusted.quote(dir.toString()) + (canRefuse ? "; --existing-chain refuses that)" : ")") + hint);
  }

  /**
   * {@link Ledger#append}, with a failure that names the ledger: the store's message (e.g. "No space
   * left on device") need not say where it was writing. Nothing is recorded when it throws.
   */
  static EntryRef append(String dir, Ledger ledger, String chain, Event event, SigningKey signer) throws AttestException {
    try {
      return ledger.append(chain, event, signer);
    } catch (AttestException e) {
      throw appendFailed(dir, new AttestException(e.getMessage() + "; nothing was recorded", e));
    }
  }

  private static AttestException appendFailed(String dir, AttestException e) {
    return new AttestException("cannot append to the ledger " + Untrusted.quote(dir) + ": "
        + e.getMessage(), e);
  }

  /** Says on standard error what opening {@code ledger} repaired (a torn tail, say), one notice each. */
  static void reportRepairs(CommandSpec spec, Ledger ledger) {
    for (String r : ledger.repairs()) {
      ErrorReport.notice(spec, "REPAIRED", "repaired: " + r);
    }
  }

  private Event buildEvent(Ledger ledger, Artifacts.Context ctx) throws IOException, CustodyException {
    EventType type = kind == null ? null : Suggestions.eventType(kind);
    Event base = null;
    if (eventJson != null) {
      String where = Untrusted.quote(eventJson.toString());
      JsonNode node = StrictJson.parseObjectNode(SmallFiles.read(eventJson, EntryRecord.MAX_RECORD_BYTES, "event JSON"),
          where);
      StrictJson.requireWellFormedText(node, where);
      ObjectNode obj = ((ObjectNode) node).deepCopy();
      JsonNode t = obj.get("type");
      if (type == null) {
        // KIND may be left out: the file's "type" names it.
        if (t == null) {
          throw new ParameterException(spec.commandLine(), "missing KIND: give it, or a \"type\" member in"
              + " --event-json " + where);
        }
        if (!t.isTextual()) {
          throw new FormatException(where + ": \"type\" must be a string (the event kind)");
        }
        try {
          type = Suggestions.eventType(t.asText());
        } catch (IllegalArgumentException e) {
          throw new FormatException(where + ": " + e.getMessage(), e);
        } catch (CommandError e) {
          ErrorReport r = e.report();
          throw new CommandError(ErrorReport.of(r.code(), where + ": " + r.message()).withFile(eventJson.toString())
              .withDidYouMean(r.didYouMean()));
        }
      } else if (t != null && !t.asText().equals(type.name())) {
        throw new FormatException(where + ": event type " + Untrusted.quote(t.asText()) + " differs from KIND "
            + Untrusted.quote(type.name()));
      }
      obj.put("type", type.name());
      base = EntryCodec.decodeEvent(JsonFields.of(obj, where));
    }
    Event.Builder b = Event.builder(type);
    if (base != null) {
      base.inputs().forEach(b::input);
      base.outputs().forEach(b::output);
      base.parameters().forEach(b::parameter);
      base.environment().forEach(b::environment);
      base.startedAt().ifPresent(b::startedAt);
      base.finishedAt().ifPresent(b::finishedAt);
      b.details(base.details());
      base.invocation().ifPresent(b::invocation);
    }
    for (String s : inputs) {
      b.input(Artifacts.parse(s, "--input", ctx));
    }
    for (String s : outputs) {
      b.output(Artifacts.parse(s, "--output", ctx));
    }
    params.forEach(b::parameter);
    env.forEach(b::environment);
    optionDetails(type, ledger).ifPresent(b::details);
    return b.build();
  }

  /** The kind-specific fields given as options, if any. */
  private Optional<EventDetails> optionDetails(EventType type, Ledger ledger) throws IOException, FormatException {
    if (version != null) {
      return Optional.of(new EventDetails.Release(version));
    }
    if (!metrics.isEmpty()) {
      TreeMap<String, BigDecimal> m = new TreeMap<>();
      for (Map.Entry<String, String> e : metrics.entrySet()) {
        try {
          m.put(e.getKey(), new BigDecimal(e.getValue()));
        } catch (NumberFormatException nfe) {
          throw new IllegalArgumentException("--metric " + Untrusted.quote(e.getKey() + "=" + e.getValue())
              + ": not a number");
        }
      }
      return Optional.of(new EventDetails.Evaluation(m));
    }
    if (method != null) {
      return Optional.of(new EventDetails.Method(Optional.of(method)));
    }
    if (from != null || to != null) {
      return Optional.of(new EventDetails.Transfer(from == null ? "" : from, to == null ? "" : to));
    }
    if (subject != null) {
      String d = decision != null ? decision : type.equals(EventType.REVOCATION) ? "revoked" : "approved";
      return Optional.of(new EventDetails.Decision(resolveSubject(ledger), d, Optional.ofNullable(reason)));
    }
    if (text != null) {
      return Optional.of(new EventDetails.Annotation(text));
    }
    return Optional.empty();
  }

  private Digest resolveSubject(Ledger ledger) throws IOException, FormatException {
    if (Digest.isDigestText(subject)) {
      return Digest.parse(subject);
    }
    Optional<LedgerEntry> e = ShowCommand.lookup(ledger, subject);
    return e.orElseThrow(() -> new IllegalArgumentException("--subject " + Untrusted.quote(subject)
        + ": no such entry in the ledger"))
        .ref().hash();
  }

  // ---------------------------------------------------------------- batch

  /** See {@link Batch}: a checking pass over the whole input, then a recording pass. */
  private int runBatch() throws IOException, CustodyException {
    SigningKey signer = SigningKey.load(key);
    String location = ledgerOption.location();
    boolean url = ledgerOption.isUrl();
    Path dir = url ? null : ledgerOption.resolve();
    if (!url) {
      LedgerLayout.requireLedger(dir); // before reading what may be a long input
    }
    Batch.ChainCheck chains = batchChains(location);
    Optional<CertificateStore.Checked> certificate = url ? checkCertificateAt(location, signer)
        : certificateOption.check(dir, signer);
    PrintWriter out = spec.commandLine().getOut();
    if (!batch.toString().equals("-")) {
      try {
        SmallFiles.requireRegularFile(batch, "batch (JSON lines)");
      } catch (FormatException e) {
        throw new FormatException(e.getMessage() + "; to read a pipe, give '--batch -' and connect it to standard"
            + " input", e);
      }
      Batch b = new Batch(Untrusted.quote(batch.toString()), signer);
      Batch.Checked checked;
      try (InputStream in = Files.newInputStream(batch)) {
        checked = b.check(in, null, chains);
      }
      try (Ledger ledger = openForBatch(dir); InputStream in = Files.newInputStream(batch)) {
        reportRepairs(spec, ledger);
        storeCertificate(dir, ledger, certificate);
        b.record(in, checked, ledger, out);
      } catch (AttestException e) {
        throw appendFailed(location, e);
      }
      return Main.VERIFIED;
    }
    // Standard input can be read once: copy it while checking, to a file only this user can read
    // (Files.createTempFile makes it 0600), and record from the copy.
    Batch b = new Batch("stdin", signer);
    Path spool = Files.createTempFile("custody-batch-", ".jsonl");
    try {
      Batch.Checked checked;
      try (OutputStream copy = new BufferedOutputStream(new NamedOutput(spool), 1 << 16)) {
        checked = b.check(System.in, copy, chains);
      }
      try (Ledger ledger = openForBatch(dir); InputStream in = Files.newInputStream(spool)) {
        reportRepairs(spec, ledger);
        storeCertificate(dir, ledger, certificate);
        b.record(in, checked, ledger, out);
      } catch (AttestException e) {
        throw appendFailed(location, e);
      }
    } finally {
      Files.deleteIfExists(spool);
    }
    return Main.VERIFIED;
  }

  /** {@code --certificate} checked against the chains of the ledger at URL {@code location} (read-only), before the batch. */
  private Optional<CertificateStore.Checked> checkCertificateAt(String location, SigningKey signer)
      throws IOException, CustodyException {
    if (!certificateOption.given()) {
      return Optional.empty();
    }
    try (Ledger ledger = LedgerLocation.openReadOnly(location)) {
      return certificateOption.check(ledger, signer);
    }
  }

  /** Stores a checked chain into the ledger directory {@code dir}, or, when it is null, into {@code ledger}'s store. */
  private static void storeCertificate(Path dir, Ledger ledger, Optional<CertificateStore.Checked> certificate)
      throws IOException, FormatException {
    if (dir != null) {
      CertificateOption.store(dir, certificate);
    } else {
      CertificateOption.store(ledger, certificate);
    }
  }

  /** The ledger a batch appends to: its directory ({@code dir}), or the URL it was named by when {@code dir} is null. */
  private Ledger openForBatch(Path dir) throws IOException, CustodyException {
    return dir != null ? networkFs.open(dir, spec) : LedgerLocation.open(ledgerOption.location());
  }

  /** Most new chains a batch names one by one on standard error; the rest are counted. */
  private static final int NEW_CHAIN_NOTICES = 20;

  /**
   * The batch's chains against the ledger's, in the first pass (before anything is appended): each new
   * chain said once on standard error (the first {@value #NEW_CHAIN_NOTICES}), or, with
   * {@code --existing-chain}, the batch refused at the first line that names one.
   */
  private Batch.ChainCheck batchChains(String location) throws IOException, FormatException {
    List<String> known;
    try (Ledger ledger = LedgerLocation.openReadOnly(location)) {
      known = ledger.chains().stream().map(EntryRef::chain).toList();
    }
    java.util.Set<String> existing = new java.util.HashSet<>(known);
    java.util.Set<String> announced = new java.util.HashSet<>();
    String in = Untrusted.quote(batch.toString().equals("-") ? "stdin" : batch.toString());
    return (line, chain) -> {
      if (existing.contains(chain) || announced.contains(chain)) {
        return;
      }
      if (announced.size() < NEW_CHAIN_NOTICES || existingChain) {
        newChain(spec, known, location, chain, existingChain, in + " line " + line + ": ");
      } else if (announced.size() == NEW_CHAIN_NOTICES) {
        ErrorReport.notice(spec, "NEW_CHAIN", in + " line " + line + ": more new chains; the first "
            + NEW_CHAIN_NOTICES + " were named");
      }
      if (announced.size() <= NEW_CHAIN_NOTICES) {
        announced.add(chain);
      }
    };
  }

  /** A file's output stream whose errors (a full disk, say) name the file. */
  private static final class NamedOutput extends FilterOutputStream {
    private final Path file;

    NamedOutput(Path file) throws IOException {
      super(Files.newOutputStream(file));
      this.file = file;
    }

    private IOException named(IOException e) {
      return new IOException(Untrusted.quote(file.toString()) + ": cannot write the copy of standard input: "
          + e.getMessage() + "; nothing was recorded (free space there, or set another java.io.tmpdir)", e);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        throw named(e);
      }
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void flush() throws IOException {
      try {
        out.flush();
      } catch (IOException e) {
        throw named(e);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        out.close();
      } catch (IOException e) {
        throw named(e);
      }
    }
  }
}
