package dev.custody.cli;

import dev.custody.attest.SigningKey;
import dev.custody.attest.CertificateStore;
import dev.custody.attest.Ledger;
import dev.custody.core.FormatException;
import dev.custody.core.internal.io.SmallFiles;
import dev.custody.core.internal.ledger.CertificateFiles;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --certificate CHAIN.pem} of the commands that sign entries ({@code record}, {@code record
 * --batch}, {@code run}): the signer's X.509 chain, recorded once in the ledger at
 * {@code certificates/<keyId>.pem} (in a database: a row of {@code custody_certificates};
 * {@link CertificateStore}) so that a verifier whose policy trusts
 * the issuing organisation's CA can tell which identity signed. Checked before anything is done
 * ({@link #check}), stored before the entry that needs it is appended ({@link #store}).
 */
final class CertificateOption {
  @Option(names = "--certificate", paramLabel = "CHAIN.pem", description = "The signing key's X.509 certificate chain"
      + " (PEM, leaf first, then each issuer): recorded once in the ledger (certificates/<keyId>.pem) before the entry,"
      + " so that a verifier with a trust policy can tell which certified identity signed. A key keeps its first"
      + " chain; a renewed certificate needs a new key.")
  Path certificate;

  /** Whether {@code --certificate} was given. */
  boolean given() {
    return certificate != null;
  }

  /**
   * The chain of {@code --certificate}, checked for {@code signer} against the ledger at {@code ledgerDir}
   * (see {@link CertificateStore#check}); empty without the option.
   *
   * @throws FormatException naming the file and what is wrong with it
   */
  Optional<CertificateStore.Checked> check(Path ledgerDir, SigningKey signer) throws IOException, FormatException {
    return certificate == null ? Optional.empty() : check(CertificateStore.of(ledgerDir), signer);
  }

  /**
   * As {@link #check(Path, SigningKey)}, against the chains {@code ledger} keeps (a ledger reached by URL
   * keeps them in its database; read-only is enough to check).
   */
  Optional<CertificateStore.Checked> check(Ledger ledger, SigningKey signer) throws IOException, FormatException {
    return certificate == null ? Optional.empty() : check(ledger.certificates(), signer);
  }

  private Optional<CertificateStore.Checked> check(CertificateStore store, SigningKey signer)
      throws IOException, FormatException {
    String source = "--certificate " + Untrusted.quote(certificate.toString());
    byte[] pem = SmallFiles.read(certificate, CertificateFiles.MAX_CHAIN_BYTES, "certificate chain (PEM)");
    return Optional.of(store.check(signer.keyId(), pem, source));
  }

  /** Stores a chain {@link #check} returned, durably, before the entries it certifies are appended. */
  static void store(Path ledgerDir, Optional<CertificateStore.Checked> checked) throws IOException, FormatException {
    if (checked.isPresent()) {
      CertificateStore.of(ledgerDir).put(checked.get());
    }
  }

  /** As {@link #store(Path, Optional)}, into the chains {@code ledger} (opened for writing) keeps. */
  static void store(Ledger ledger, Optional<CertificateStore.Checked> checked) throws IOException, FormatException {
    if (checked.isPresent()) {
      ledger.certificates().put(checked.get());
    }
  }
}
