package dev.custody.cli;

import dev.custody.core.FormatException;
import dev.custody.core.internal.io.SmallFiles;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.note.VerifierKey;
import dev.custody.core.timestamp.TimestampToken;
import dev.custody.verify.LedgerVerifier;
import dev.custody.verify.TrustedKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of {@code custody verify} about the auditor's checkpoint beyond the log signature:
 * the checkpoint file itself (and its {@code FILE.tsr} timestamp), required witness cosignatures,
 * and trusted timestamp authorities.
 */
final class CheckpointEvidenceOptions {
  /** Largest --tsa-root file read: a bundle of a few dozen PEM certificates. */
  static final int MAX_CERTIFICATE_FILE_BYTES = 1 << 20;

  @Option(names = "--checkpoint", paramLabel = "FILE",
      description = "A checkpoint obtained earlier from elsewhere (e.g. printed by 'custody checkpoint', or cosigned by"
          + " 'custody witness cosign'): the ledger must extend it. This detects truncation and rewritten history."
          + " FILE.tsr, if present, is its RFC 3161 timestamp.")
  Path checkpoint;

  @Option(names = "--witness-key", paramLabel = "VKEY|FILE",
      description = "A trusted witness's verifier key (as 'custody witness init' prints it) or a file holding one."
          + " Repeatable. The --checkpoint must carry valid cosignatures by --witness-threshold of them.")
  List<String> witnessKeys = new ArrayList<>();

  @Option(names = "--witness-threshold", paramLabel = "K",
      description = "How many of the --witness-key witnesses must have cosigned --checkpoint (default: all of them).")
  Integer witnessThreshold;

  @Option(names = "--tsa-root", paramLabel = "CERT.pem",
      description = "A trusted RFC 3161 timestamp authority root certificate (PEM; a file may hold several)."
          + " Repeatable. Checks the timestamps stored beside checkpoints (checkpoints/N.tsr, --checkpoint FILE.tsr)"
          + " and reports their times.")
  List<Path> tsaRoots = new ArrayList<>();

  /** Applies these options to {@code b}; bad combinations and unreadable files are bad input. */
  void configure(LedgerVerifier.Builder b) throws IOException, FormatException {
    if (checkpoint != null) {
      byte[] note = SmallFiles.read(checkpoint, LedgerLayout.MAX_CHECKPOINT_FILE_BYTES, "checkpoint");
      Path tsr = TimestampToken.sidecar(checkpoint);
      if (Files.exists(tsr)) {
        b.checkpoint(note, checkpoint.toString(), SmallFiles.read(tsr, TimestampToken.MAX_BYTES,
            "RFC 3161 timestamp response (.tsr)"), tsr.toString());
      } else {
        b.checkpoint(note, checkpoint.toString());
      }
    }
    if (witnessKeys.isEmpty() && witnessThreshold != null) {
      throw new IllegalArgumentException("--witness-threshold needs --witness-key (the witnesses to count)");
    }
    if (!witnessKeys.isEmpty()) {
      if (checkpoint == null) {
        throw new IllegalArgumentException("--witness-key needs --checkpoint: witnesses cosign checkpoints that are"
            + " handed around (e.g. the output of 'custody witness cosign'), not the ledger's own files");
      }
      List<VerifierKey> keys = new ArrayList<>();
      for (String k : witnessKeys) {
        try {
          keys.add(TrustedKeys.parseLogKey(k));
        } catch (FormatException e) {
          throw new FormatException("--witness-key: " + e.getMessage(), e);
        }
      }
      long distinct = keys.stream().map(VerifierKey::asCosignatureV1).distinct().count();
      int k = witnessThreshold == null ? (int) distinct : witnessThreshold;
      if (k < 1 || k > distinct) {
        throw new IllegalArgumentException("--witness-threshold must be between 1 and the number of distinct"
            + " --witness-key witnesses (" + distinct + "), got " + k);
      }
      b.witnesses(keys, k);
    }
    List<X509Certificate> roots = new ArrayList<>();
    for (Path p : tsaRoots) {
      roots.addAll(readCertificates(p));
    }
    b.timestampRoots(roots);
  }

  private static List<X509Certificate> readCertificates(Path pem) throws IOException, FormatException {
    List<X509Certificate> out = new ArrayList<>();
    byte[] data = SmallFiles.read(pem, MAX_CERTIFICATE_FILE_BYTES, "TSA root certificate (PEM)");
    try (InputStream in = new ByteArrayInputStream(data)) {
      for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
    } catch (CertificateException e) {
      throw new FormatException(Untrusted.quote(pem.toString()) + ": not a PEM or DER X.509 certificate file: "
          + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new FormatException(Untrusted.quote(pem.toString()) + ": holds no certificate (give the TSA's root"
          + " certificate, PEM)");
    }
    return out;
  }
}
