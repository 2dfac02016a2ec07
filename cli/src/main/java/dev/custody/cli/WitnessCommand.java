package dev.custody.cli;

import dev.custody.attest.internal.witness.ConsistencyProofFile;
import dev.custody.attest.internal.witness.InconsistentCheckpointException;
import dev.custody.attest.internal.witness.Witness;
import dev.custody.attest.internal.witness.WitnessException;
import dev.custody.core.FormatException;
import dev.custody.core.internal.io.SmallFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.core.note.VerifierKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custody witness}: run a transparency-log witness from the command line. */
@Command(name = "witness", mixinStandardHelpOptions = true,
    description = "Act as a transparency-log witness: cosign a log's checkpoints only when they extend the last one"
        + " cosigned (C2SP tlog-witness semantics, tlog-cosignature cosignature/v1).",
    subcommands = {WitnessCommand.Init.class, WitnessCommand.Cosign.class})
final class WitnessCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "missing subcommand (try 'custody witness init --help')");
  }

  @Command(name = "init", mixinStandardHelpOptions = true,
      description = {"Generate the witness key: STATE/witness.key (note private key, mode 0600, never overwritten)"
          + " and STATE/witness.vkey. Prints the witness's verifier key (cosignature/v1, type 0x04): give it to"
          + " verifiers."})
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--state", required = true, paramLabel = "DIR", description = "The witness state directory.")
    Path state;

    @Option(names = "--name", required = true, paramLabel = "NAME",
        description = "The witness's key name, e.g. witness.example.com (no spaces or '+').")
    String name;

    @Option(names = "--json", description = "Print JSON: verifierKey, keyFile, verifierKeyFile.")
    boolean json;

    @Override
    public Integer call() throws IOException, FormatException {
      if (Untrusted.needsEscaping(name)) {
        // The name is in every cosignature and report: it must print as it is.
        throw new IllegalArgumentException("--name " + Untrusted.quote(name) + " holds characters that do not print as"
            + " themselves (controls, bidi or other format characters, a backslash); use a name like"
            + " witness.example.com");
      }
      VerifierKey vkey = Witness.init(state, name, new SecureRandom());
      if (json) {
        spec.commandLine().getOut().println(Json.object(g -> {
          g.writeStringField("verifierKey", vkey.encode());
          g.writeStringField("keyFile", state.resolve(Witness.KEY_FILE).toString());
          g.writeStringField("verifierKeyFile", state.resolve(Witness.VKEY_FILE).toString());
        }));
        return Main.VERIFIED;
      }
      spec.commandLine().getOut().println(vkey.encode());
      spec.commandLine().getErr().println("custody: witness key written to "
          + Untrusted.quote(state.resolve(Witness.KEY_FILE).toString()) + " (keep it secret); verifier key above and in "
          + Untrusted.quote(state.resolve(Witness.VKEY_FILE).toString()));
      return Main.VERIFIED;
    }
  }

  @Command(name = "cosign", mixinStandardHelpOptions = true,
      description = {
        "Verify CHECKPOINT (a signed note) with the log key and PROOF (a consistency proof from the last size this"
            + " witness cosigned, as printed by 'custody prove consistency --json') and, only if the checkpoint"
            + " extends the last one cosigned for that log, cosign it and print the cosigned note.",
        "The first checkpoint of a log is cosigned on trust on first use (no PROOF needed); so is growth from an"
            + " empty tree. An inconsistent checkpoint is refused and the evidence (both signed checkpoints and the"
            + " proof, with an explanation) is written to a file under STATE/evidence/, named in the error."},
      footer = {"", "Exit codes: 0 cosigned, 1 refused (inconsistent with the last cosigned checkpoint; evidence"
          + " written), 2 bad input (unreadable or unsigned checkpoint, wrong origin, missing or mismatched proof)."})
  static final class Cosign implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--log-key", required = true, paramLabel = "VKEY",
        description = "The log's verifier key string (name+keyid+base64).")
    String logKey;

    @Option(names = "--origin", paramLabel = "ORIGIN",
        description = "The log's origin line (default: the log key's name, as C2SP recommends).")
    String origin;

    @Option(names = "--witness-key", required = true, paramLabel = "KEYFILE",
        description = "The witness private key file (from 'custody witness init').")
    Path witnessKey;

    @Option(names = "--state", required = true, paramLabel = "DIR", description = "The witness state directory.")
    Path state;

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "The signed checkpoint note file.")
    Path checkpoint;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PROOF",
        description = "Consistency proof JSON {size1,size2,root1,root2,proof}; required once the witness holds a"
            + " non-empty checkpoint of this log and the log grew.")
    Path proof;

    @Option(names = "--json", description = "Print JSON: origin, size, rootHash (sha256:<hex>), firstForLog, note (the"
        + " cosigned checkpoint).")
    boolean json;

    @Override
    public Integer call() throws IOException, FormatException, WitnessException, CommandError {
      VerifierKey key = VerifierKey.parse(logKey);
      byte[] note = SmallFiles.read(checkpoint, LedgerLayout.MAX_CHECKPOINT_FILE_BYTES, "checkpoint");
      Optional<ConsistencyProofFile> p = Optional.empty();
      if (proof != null) {
        byte[] json = SmallFiles.read(proof, ConsistencyProofFile.MAX_BYTES, "consistency proof JSON");
        try {
          p = Optional.of(ConsistencyProofFile.parse(json));
        } catch (FormatException e) {
          throw new FormatException(Untrusted.quote(proof.toString()) + ": " + e.getMessage(), e);
        }
      }
      Witness witness = Witness.open(state, Witness.readKey(witnessKey), Clock.systemUTC());
      try {
        Witness.Cosigned c = witness.cosign(origin == null ? key.name() : origin, key, note, p);
        String cosigned = new String(c.note().encoded(), StandardCharsets.UTF_8);
        if (json) {
          spec.commandLine().getOut().println(Json.object(g -> {
            g.writeStringField("origin", c.checkpoint().origin());
            g.writeNumberField("size", c.checkpoint().size());
            g.writeStringField("rootHash", Json.hash(c.checkpoint().rootHash()));
            g.writeBooleanField("firstForLog", c.firstForLog());
            g.writeStringField("note", cosigned);
          }));
        } else {
          spec.commandLine().getOut().print(cosigned);
        }
        if (c.firstForLog()) {
          ErrorReport.notice(spec, "TRUST_ON_FIRST_USE", "first checkpoint of " + Untrusted.quote(c.checkpoint()
              .origin()) + " seen by this witness: cosigned on trust on first use (size " + c.checkpoint().size() + ")");
        }
        return Main.VERIFIED;
      } catch (InconsistentCheckpointException e) {
        ErrorReport r = ErrorReport.of(ErrorReport.Code.REFUSED, "refused: " + e.getMessage());
        throw new CommandError(e.evidenceFile() == null ? r : r.withFile(e.evidenceFile().toString()), Main.FAILED);
      }
    }
  }
}
