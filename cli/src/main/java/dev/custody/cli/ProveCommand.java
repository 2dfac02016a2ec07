package dev.custody.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.custody.attest.Ledger;
import dev.custody.attest.LedgerEntry;
import dev.custody.attest.LogInfo;
import dev.custody.attest.internal.witness.ConsistencyProofFile;
import dev.custody.core.CustodyException;
import dev.custody.core.FormatException;
import dev.custody.core.internal.io.SmallFiles;
import dev.custody.core.internal.text.UnsignedDecimal;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.core.Bytes;
import dev.custody.core.internal.text.StrictBase64;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.merkle.ConsistencyProof;
import dev.custody.core.merkle.InclusionProof;
import dev.custody.core.merkle.MerkleHash;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code custody prove inclusion|consistency}: RFC 9162 proofs from the ledger's stored tree. Hashes
 * are base64 in the text output (as in checkpoints) and {@code sha256:<hex>} in JSON (the one
 * encoding of hashes in custody's JSON, see {@link Json}); the consistency proof's JSON is
 * {@link ConsistencyProofFile}'s, which {@code witness cosign} reads. Exit 1 when a given checkpoint
 * does not match the ledger.
 */
@Command(name = "prove", mixinStandardHelpOptions = true,
    description = "Print Merkle inclusion and consistency proofs (RFC 9162) of the ledger's log (a directory, or a"
        + " ledger reached by URL: from its stored tiles, no scan), each checked before it is printed.",
    subcommands = {ProveCommand.Inclusion.class, ProveCommand.Consistency.class})
final class ProveCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: inclusion or consistency");
  }

  /** A checkpoint given to a command did not match the ledger: a verification failure (exit 1). */
  static final class Mismatch extends Exception {
    private static final long serialVersionUID = 1L;

    Mismatch(String message) {
      super(message);
    }
  }

  static String b64(Bytes b) {
    return StrictBase64.encode(b.toByteArray());
  }

  /** Reads and verifies a checkpoint file with the ledger's own log key. */
  static Checkpoint readCheckpoint(Ledger ledger, Path file) throws IOException, CustodyException {
    requireLogKey(ledger);
    byte[] note = SmallFiles.read(file, LedgerLayout.MAX_CHECKPOINT_FILE_BYTES, "checkpoint");
    return verifyCheckpoint(ledger, note, Untrusted.quote(file.toString()));
  }

  private static LogInfo requireLogKey(Ledger ledger) {
    return ledger.identity().orElseThrow(() -> new IllegalArgumentException(
        "the ledger has no log key (" + LedgerLayout.LOG_VKEY + "), so checkpoints cannot be checked"));
  }

  /**
   * Verifies checkpoint note bytes (a file's, or the ledger's newest stored one: a directory's or a
   * database's, untrusted alike) with the ledger's own log key; {@code where} names them in the error.
   */
  static Checkpoint verifyCheckpoint(Ledger ledger, byte[] note, String where) throws FormatException {
    LogInfo id = requireLogKey(ledger);
    try {
      return id.checkpointVerifier().verify(note).checkpoint();
    } catch (CustodyException e) {
      throw new FormatException(where + ": not a checkpoint of this ledger's log (" + id.verifierKey() + "): "
          + e.getMessage(), e);
    }
  }

  /** Requires that the ledger extends {@code cp}. */
  static void requireExtends(Ledger ledger, Checkpoint cp, String what) throws Mismatch {
    if (cp.size() > ledger.size()) {
      throw new Mismatch(what + " commits to " + cp.size() + " entries but the ledger holds only " + ledger.size()
          + ": entries were removed");
    }
    Bytes root = ledger.rootHash(cp.size());
    if (!root.equals(cp.rootHash())) {
      throw new Mismatch(what + " has root " + b64(cp.rootHash()) + " at size " + cp.size() + " but the ledger's first "
          + cp.size() + " entries have root " + b64(root) + ": the ledger does not extend it (history rewritten, or"
          + " its stored Merkle tiles are damaged: 'custody verify' recomputes the tree from the entries and tells which)");
    }
  }

  static CommandError fail(Mismatch m) {
    return new CommandError(ErrorReport.of(ErrorReport.Code.VERIFICATION_FAILED, "verification failed: "
        + m.getMessage()), Main.FAILED);
  }

  static void hashes(JsonGenerator g, List<Bytes> hashes) throws IOException {
    g.writeArrayFieldStart("proof");
    for (Bytes h : hashes) {
      g.writeString(Json.hash(h));
    }
    g.writeEndArray();
  }

  @Command(name = "inclusion", mixinStandardHelpOptions = true,
      description = {"Prove that an entry is in the log: the audit path from its leaf to the root of a tree size.",
          "Tree size: the --checkpoint's, else the newest stored checkpoint's when it includes the entry, else the"
              + " ledger's current size."})
  static final class Inclusion implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin LedgerOption ledgerOption;

    @Parameters(index = "0", paramLabel = "CHAIN:SEQ|HASH", description = "The entry, e.g. acme/falcon:3 or sha256:<hex>.")
    String which;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Prove against this checkpoint (verified with the"
        + " ledger's log key; the ledger must extend it).")
    Path checkpoint;

    @Option(names = "--json", description = "Print JSON: logIndex, treeSize, leafHash, rootHash, proof (hashes as sha256:<hex>).")
    boolean json;

    @Override
    public Integer call() throws IOException, CustodyException {
      String location = ledgerOption.location();
      try (Ledger ledger = LedgerLocation.openReadOnly(location)) {
        LedgerEntry e = ShowCommand.lookup(ledger, which).orElseThrow(
            () -> ShowCommand.noSuchEntry(ledger, which, location));
        long index = e.ref().logIndex();
        long size;
        if (checkpoint != null) {
          Checkpoint cp = readCheckpoint(ledger, checkpoint);
          requireExtends(ledger, cp, "checkpoint " + checkpoint);
          if (index >= cp.size()) {
            throw new IllegalArgumentException("entry " + Untrusted.quote(which) + " (log index " + index + ") is not in"
                + " checkpoint " + Untrusted.quote(checkpoint.toString()) + " (tree size " + cp.size() + "); use a newer"
                + " checkpoint");
          }
          size = cp.size();
        } else {
          size = ledger.size();
          Optional<byte[]> latest = ledger.latestCheckpoint();
          if (latest.isPresent() && ledger.identity().isPresent()) {
            Checkpoint cp = verifyCheckpoint(ledger, latest.get(), ledgerOption.isUrl()
                ? "the newest checkpoint in " + Untrusted.quote(location)
                : Untrusted.quote(Path.of(location).resolve(LedgerLayout.CHECKPOINT).toString()));
            requireExtends(ledger, cp, "the ledger's newest checkpoint");
            if (index < cp.size()) {
              size = cp.size();
            }
          }
        }
        long treeSize = size;
        InclusionProof p = ledger.inclusionProof(index, treeSize);
        Bytes leaf = MerkleHash.leafHash(e.record().bytes().toByteArray());
        Bytes root = ledger.rootHash(treeSize);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          out.println(Json.object(g -> {
            g.writeNumberField("logIndex", index);
            g.writeNumberField("treeSize", treeSize);
            g.writeStringField("leafHash", Json.hash(leaf));
            g.writeStringField("rootHash", Json.hash(root));
            hashes(g, p.hashes());
          }));
        } else {
          out.printf("entry      %s:%d%nlog index  %d%ntree size  %d%nleaf hash  %s%nroot hash  %s%nproof      %d hashes%n",
              Untrusted.escape(e.ref().chain()), e.ref().sequence(), index, size, b64(leaf), b64(root),
              p.hashes().size());
          p.hashes().forEach(h -> out.println("  " + b64(h)));
        }
      } catch (Mismatch m) {
        throw fail(m);
      }
      return Main.VERIFIED;
    }
  }

  @Command(name = "consistency", mixinStandardHelpOptions = true,
      description = "Prove that the log at a larger size extends the log at a smaller size (no history rewritten).")
  static final class Consistency implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin LedgerOption ledgerOption;

    @Option(names = "--from", required = true, paramLabel = "SIZE|FILE",
        description = "The older tree: a size, or a checkpoint file (verified; the ledger must extend it).")
    String from;

    @Option(names = "--to", paramLabel = "SIZE|FILE", description = "The newer tree (default: the current size).")
    String to;

    @Option(names = "--json", description = "Print JSON: size1, size2, root1, root2, proof (hashes as sha256:<hex>): the PROOF"
        + " 'custody witness cosign' takes.")
    boolean json;

    private long size(Ledger ledger, String arg, String option) throws IOException, CustodyException, Mismatch {
      if (UnsignedDecimal.isCanonical(arg)) {
        long s = Long.parseLong(arg);
        if (s > ledger.size()) {
          throw new IllegalArgumentException(option + " " + s + " is beyond the ledger's size " + ledger.size());
        }
        return s;
      }
      Path file = Path.of(arg);
      if (!java.nio.file.Files.isRegularFile(file)) {
        throw new IllegalArgumentException(option + " " + Untrusted.quote(arg) + " is neither a tree size nor a"
            + " checkpoint file");
      }
      Checkpoint cp = readCheckpoint(ledger, file);
      requireExtends(ledger, cp, "checkpoint " + file);
      return cp.size();
    }

    @Override
    public Integer call() throws IOException, CustodyException {
      try (Ledger ledger = LedgerLocation.openReadOnly(ledgerOption.location())) {
        long size1 = size(ledger, from, "--from");
        long size2 = to == null ? ledger.size() : size(ledger, to, "--to");
        if (size1 < 1 || size1 > size2) {
          throw new IllegalArgumentException("a consistency proof needs 1 <= from <= to, got from=" + size1 + ", to="
              + size2);
        }
        ConsistencyProof p = ledger.consistencyProof(size1, size2);
        Bytes root1 = ledger.rootHash(size1);
        Bytes root2 = ledger.rootHash(size2);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          out.println(Json.compact(ConsistencyProofFile.of(p, root1, root2).toJson()));
        } else {
          out.printf("size1  %d%nsize2  %d%nroot1  %s%nroot2  %s%nproof  %d hashes%n", size1, size2, b64(root1),
              b64(root2), p.hashes().size());
          p.hashes().forEach(h -> out.println("  " + b64(h)));
        }
      } catch (Mismatch m) {
        throw fail(m);
      }
      return Main.VERIFIED;
    }
  }
}
