package dev.custody.cli;

import dev.custody.attest.SigningKey;
import dev.custody.attest.CertificateStore;
import dev.custody.core.entry.EntryRef;
import dev.custody.attest.Ledger;
import dev.custody.attest.RunEnvironment;
import dev.custody.core.CustodyException;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.core.event.Invocation;
import dev.custody.core.internal.ledger.LedgerLayout;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code custody run KIND --chain ID --key KEY [--input N=P]... [--output N=P]... -- CMD [ARGS]}:
 * records one signed event for a command run — what it read, what it wrote, how it was called,
 * when, and where.
 *
 * <p>Order: everything that can be checked before the command runs is (kind, chain, key, ledger,
 * inputs hashed), so a long job never ends in a usage error; the environment is captured; the
 * command runs with stdin, stdout and stderr inherited; outputs are hashed after it exits; the
 * event is appended. A command that exits non-zero records nothing unless {@code --record-failure}.
 * custody's exit code is the command's (or {@value Main#BAD_INPUT} if custody itself failed, e.g.
 * an output is missing after a successful run — then nothing is recorded).
 *
 * <p>Event: the {@link Invocation} — {@code command} (the argument vector, a JSON array of strings),
 * {@code exitCode} (a JSON integer), {@code workingDirectory} — and the {@code --param}s as
 * parameters; environment as captured by
 * {@link RunEnvironment} plus {@code --env}s; {@code startedAt}/{@code finishedAt} around the
 * command.
 */
@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Run a command and record it as one signed event: inputs hashed before, outputs after, the"
        + " command line, exit code, start and finish times, host (OS, CPU, memory, GPU via nvidia-smi), Java,"
        + " the git commit of the working directory, and allow-listed environment variables (see README).",
        "The command's output streams through and its exit code is custody's. A failed command (non-zero exit)"
            + " records nothing unless --record-failure.",
        "Example: custody run training --chain acme/m --key k.key --input data=train.jsonl --output model=out/"
            + " -- python train.py --epochs 3"})
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledgerOption;
  @Mixin QuietOption quiet;
  @Mixin NetworkFsOption networkFs;
  @Mixin CertificateOption certificateOption;
  @Mixin ModelHashOptions hashing;

  @Parameters(index = "0", paramLabel = "KIND", description = "Event kind, e.g. training, fine-tune, evaluation,"
      + " conversion, or a custom type URI.")
  String kind;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "The command and its arguments,"
      + " after --.")
  List<String> command = new ArrayList<>();

  @Option(names = "--chain", required = true, paramLabel = "ID", description = "Chain id, e.g. acme/falcon-7b. A chain"
      + " not yet in the ledger is started (a notice on standard error says so, before the command runs).")
  String chain;

  @Option(names = "--existing-chain", description = "Refuse to start a new chain: --chain must name a chain already in"
      + " the ledger (exit 2 before the command runs, the closest chain named).")
  boolean existingChain;

  @Option(names = "--key", required = true, paramLabel = "KEYFILE", description = "Private key file (PKCS#8 PEM).")
  Path key;

  @Option(names = "--input", paramLabel = "NAME[:KIND]=DIGEST_OR_PATH",
      description = "A material, hashed before the command runs (directories: model manifest). Repeatable.")
  List<String> inputs = new ArrayList<>();

  @Option(names = "--output", paramLabel = "NAME[:KIND]=DIGEST_OR_PATH",
      description = "A product, hashed after the command exits (directories: model manifest). Repeatable.")
  List<String> outputs = new ArrayList<>();

  @Option(names = "--param", paramLabel = "K=V", description = "A further parameter. Repeatable.")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(names = "--env", paramLabel = "K=V", description = "A further environment fact. Repeatable.")
  Map<String, String> env = new LinkedHashMap<>();

  @Option(names = "--manifest", description = "Hash plain files into one-file model manifests (as record --manifest).")
  boolean manifest;

  @Option(names = "--record-failure", description = "Record the event even when the command exits non-zero"
      + " (outputs that do not exist are left out).")
  boolean recordFailure;

  @Option(names = "--json", description = "Print the reference as JSON (on stdout, after the command's output).")
  boolean json;

  /**
   * Parameter names --param may not use: custody records them itself, in the event's invocation
   * (and, before it had one, as parameters: a --param of that name would read as custody's).
   */
  static final List<String> RESERVED = List.of("command", "exitCode", "workingDirectory");

  @Override
  public Integer call() throws IOException, CustodyException {
    EventType type = Suggestions.eventType(kind);
    EntryPayload.requireChainId(chain);
    for (String k : params.keySet()) {
      if (RESERVED.contains(k)) {
        throw new ParameterException(spec.commandLine(), "--param " + k + ": custody records '" + k + "' itself");
      }
    }
    SigningKey signer = SigningKey.load(key);
    String location = ledgerOption.location();
    // A ledger reached by URL is opened for writing now (its manifests are kept as inputs are hashed) and
    // held through the command: a database writer takes its lock per commit only, so it blocks no other
    // writer meanwhile. A ledger directory is opened for writing only at the end (its lock is held while open).
    Ledger urlLedger = ledgerOption.isUrl() ? LedgerLocation.open(location) : null;
    try (urlLedger) {
      Path dir = urlLedger == null ? ledgerOption.resolve() : null;
      Optional<CertificateStore.Checked> certificate;
      Artifacts.Context ctx;
      if (urlLedger != null) {
        RecordCommand.reportRepairs(spec, urlLedger);
        RecordCommand.checkChain(spec, urlLedger, location, chain, existingChain);
        certificate = certificateOption.check(urlLedger, signer);
        ctx = new Artifacts.Context(urlLedger, manifest, quiet.quiet || json, hashing);
      } else {
        LedgerLayout.requireLedger(dir);
        try (Ledger ledger = Ledger.openReadOnly(dir)) {
          RecordCommand.checkChain(spec, ledger, dir.toString(), chain, existingChain);
        }
        certificate = certificateOption.check(dir, signer);
        ctx = new Artifacts.Context(dir, manifest, quiet.quiet || json, hashing);
      }
      List<ArtifactRef> in = new ArrayList<>();
      for (String s : inputs) {
        in.add(Artifacts.parse(s, "--input", ctx));
      }
      Path cwd = Path.of("").toAbsolutePath();
      Map<String, String> environment = RunEnvironment.capture(cwd, System.getenv());

      Clock clock = Clock.systemUTC();
      Instant startedAt = clock.instant();
      int exit = runCommand();
      Instant finishedAt = clock.instant();
      if (exit != 0 && !recordFailure) {
        throw new CommandError(ErrorReport.of(ErrorReport.Code.COMMAND_FAILED, "command exited with " + exit
            + "; nothing recorded (--record-failure records failed runs)"), exit);
      }

      List<ArtifactRef> out = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      for (String s : outputs) {
        ArtifactRef a = Artifacts.parse(s, "--output", ctx, exit != 0);
        if (a == null) {
          missing.add(s);
        } else {
          out.add(a);
        }
      }
      Event.Builder b = Event.builder(type).startedAt(startedAt).finishedAt(finishedAt);
      in.forEach(b::input);
      out.forEach(b::output);
      b.invocation(new Invocation(command, exit, cwd.toString()));
      if (!missing.isEmpty()) {
        b.parameter("outputsMissing", String.join(" ", missing));
      }
      params.forEach(b::parameter);
      environment.forEach(b::environment);
      env.forEach(b::environment);
      if (urlLedger != null) {
        CertificateOption.store(urlLedger, certificate);
        printRef(RecordCommand.append(location, urlLedger, chain, b.build(), signer));
      } else {
        try (Ledger ledger = networkFs.open(dir, spec)) {
          RecordCommand.reportRepairs(spec, ledger);
          CertificateOption.store(dir, certificate);
          printRef(RecordCommand.append(dir.toString(), ledger, chain, b.build(), signer));
        }
      }
      if (exit != 0) {
        ErrorReport.notice(spec, "FAILED_RUN_RECORDED", "command exited with " + exit + "; recorded as a failed run");
      }
      return exit;
    }
  }

  private void printRef(EntryRef ref) {
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.println(json ? Json.ref(ref) : "recorded " + ref);
    stdout.flush();
  }

  /** Runs the command with inherited standard streams; its exit code. */
  private int runCommand() throws IOException {
    spec.commandLine().getOut().flush();
    spec.commandLine().getErr().flush();
    Process p;
    try {
      p = new ProcessBuilder(command).inheritIO().start();
    } catch (IOException e) {
      throw new IOException("cannot run " + command.get(0) + ": " + e.getMessage() + "; nothing recorded", e);
    }
    try {
      return p.waitFor();
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + command.get(0) + "; nothing recorded", e);
    }
  }
}
