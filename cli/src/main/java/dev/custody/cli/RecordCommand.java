package dev.custody.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.attest.AttestException;
import dev.custody.attest.keys.SigningKey;
import dev.custody.attest.ledger.EntryRef;
import dev.custody.attest.ledger.Ledger;
import dev.custody.attest.ledger.LedgerEntry;
import dev.custody.core.CustodyException;
import dev.custody.core.FormatException;
import dev.custody.core.digest.Digest;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.json.JsonFields;
import dev.custody.core.json.StrictJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
            + " custody-transfer, approval, revocation, annotation) or a custom type URI.",
        "--input/--output take NAME=sha256:<hex>, NAME=FILE (SHA-256 of its content, or a one-file manifest with"
            + " --manifest) or NAME=DIR (a model manifest, kept in the ledger's manifests/ directory; the digest"
            + " recorded is the manifest root digest).",
        "With --batch, appends one event per line of a JSONL file: each line is an event object"
            + " with \"chain\" and \"kind\" members (see README), printed as a JSON line once durable."})
final class RecordCommand implements Callable<Integer> {
  /** Appends in flight at once in batch mode: enough to fill group commits, bounded memory. */
  private static final int BATCH_WINDOW = 4096;

  @Spec CommandSpec spec;
  @Mixin LedgerOption ledgerOption;
  @Mixin QuietOption quiet;

  // No standard --version here: it names a release's version.
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Parameters(index = "0", arity = "0..1", paramLabel = "KIND", description = "Event kind (not with --batch).")
  String kind;

  @Option(names = "--chain", paramLabel = "ID", description = "Chain id, e.g. acme/falcon-7b.")
  String chain;

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
          || from != null || to != null || subject != null || decision != null || reason != null || text != null) {
        throw new ParameterException(spec.commandLine(), "--batch takes the kind, chain and event from each line;"
            + " do not give KIND, --chain, --event-json or event options (--input, --output, --param, --env,"
            + " --version, --metric, --method, --from, --to, --subject, --decision, --reason, --text) with it");
      }
      return runBatch();
    }
    if (kind == null) {
      throw new ParameterException(spec.commandLine(), "missing KIND (e.g. 'custody record training --chain ID --key KEY')");
    }
    if (chain == null) {
      throw new ParameterException(spec.commandLine(), "missing --chain ID");
    }
    EntryPayload.requireChainId(chain);
    SigningKey signer = SigningKey.load(key);
    Path dir = ledgerOption.resolve();
    try (Ledger ledger = Ledger.open(dir)) {
      reportRepairs(ledger);
      Event event = buildEvent(ledger, new Artifacts.Context(dir, manifest, quiet.quiet));
      EntryRef ref = ledger.append(chain, event, signer);
      PrintWriter out = spec.commandLine().getOut();
      out.println(json ? Json.ref(ref) : "recorded " + ref);
    }
    return Main.VERIFIED;
  }

  private void reportRepairs(Ledger ledger) {
    for (String r : ledger.repairs()) {
      spec.commandLine().getErr().println("custody: repaired: " + r);
    }
  }

  private Event buildEvent(Ledger ledger, Artifacts.Context ctx) throws IOException, CustodyException {
    EventType type = EventType.of(kind);
    Event base = null;
    if (eventJson != null) {
      JsonNode node = StrictJson.parseObjectNode(Files.readAllBytes(eventJson), eventJson.toString());
      ObjectNode obj = ((ObjectNode) node).deepCopy();
      JsonNode t = obj.get("type");
      if (t != null && !t.asText().equals(type.name())) {
        throw new FormatException(eventJson + ": event type '" + t.asText() + "' differs from KIND '" + type + "'");
      }
      obj.put("type", type.name());
      base = EntryCodec.decodeEvent(JsonFields.of(obj, eventJson.toString()));
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
          throw new IllegalArgumentException("--metric " + e.getKey() + "=" + e.getValue() + ": not a number");
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
    return e.orElseThrow(() -> new IllegalArgumentException("--subject " + subject + ": no such entry in the ledger"))
        .ref().hash();
  }

  // ---------------------------------------------------------------- batch

  record BatchLine(long line, String chain, Event event) {}

  private int runBatch() throws IOException, FormatException, AttestException {
    SigningKey signer = SigningKey.load(key);
    // Every line is checked before anything is appended: a bad file records nothing.
    List<BatchLine> lines = readBatch();
    PrintWriter out = spec.commandLine().getOut();
    try (Ledger ledger = Ledger.open(ledgerOption.resolve())) {
      reportRepairs(ledger);
      Deque<CompletableFuture<EntryRef>> inFlight = new ArrayDeque<>();
      for (BatchLine l : lines) {
        inFlight.add(ledger.appendAsync(l.chain, l.event, signer));
        if (inFlight.size() >= BATCH_WINDOW) {
          printDurable(inFlight.poll(), out);
        }
      }
      while (!inFlight.isEmpty()) {
        printDurable(inFlight.poll(), out);
      }
    }
    return Main.VERIFIED;
  }

  private static void printDurable(CompletableFuture<EntryRef> f, PrintWriter out) throws AttestException {
    try {
      out.println(Json.ref(f.get()));
      out.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AttestException("interrupted; the entries printed so far are recorded", e);
    } catch (ExecutionException e) {
      throw new AttestException("append failed (the entries printed so far are recorded): "
          + e.getCause().getMessage(), e.getCause());
    }
  }

  private List<BatchLine> readBatch() throws IOException, FormatException {
    List<BatchLine> out = new ArrayList<>();
    String name = batch.toString();
    try (BufferedReader r = name.equals("-")
        ? new BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))
        : Files.newBufferedReader(batch, StandardCharsets.UTF_8)) {
      String s;
      long n = 0;
      while ((s = r.readLine()) != null) {
        n++;
        if (s.isBlank()) {
          continue;
        }
        out.add(parseBatchLine(s, name + " line " + n, n));
      }
    }
    if (out.isEmpty()) {
      throw new FormatException(name + ": no events (expected one JSON object per line)");
    }
    return out;
  }

  /** Parses one line of a batch file (package-private for its fuzz test). */
  static BatchLine parseBatchLine(String s, String where, long n) throws FormatException {
    JsonNode node = StrictJson.parseObjectNode(s.getBytes(StandardCharsets.UTF_8), where);
    ObjectNode obj = (ObjectNode) node;
    JsonNode chain = obj.remove("chain");
    if (chain == null || !chain.isTextual()) {
      throw new FormatException(where + ": missing string member 'chain'");
    }
    JsonNode k = obj.remove("kind");
    if (k != null) {
      if (obj.has("type")) {
        throw new FormatException(where + ": give the event kind as 'kind' or 'type', not both");
      }
      obj.set("type", k);
    }
    try {
      EntryPayload.requireChainId(chain.textValue());
    } catch (IllegalArgumentException e) {
      throw new FormatException(where + ": " + e.getMessage(), e);
    }
    return new BatchLine(n, chain.textValue(), EntryCodec.decodeEvent(JsonFields.of(obj, where)));
  }
}
