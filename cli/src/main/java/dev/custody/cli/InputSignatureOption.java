package dev.custody.cli;

import dev.custody.attest.Ledger;
import dev.custody.core.CustodyException;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.internal.io.SmallFiles;
import dev.custody.core.internal.ledger.ManifestFiles;
import dev.custody.core.internal.ledger.OmsSignatureFiles;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.core.sigstore.OmsException;
import dev.custody.core.sigstore.OmsSignature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code record --input-signature model.sig (--input-key PEM | --input-root PEM)}: the publisher's
 * OpenSSF model signature of the step's one model input (a directory given with {@code --input}),
 * checked before anything is recorded and kept in the ledger ({@link OmsSignatureFiles}: files of a ledger
 * directory, rows of a database's {@code custody_oms_signatures}) so that {@code custody verify} re-checks it.
 */
final class InputSignatureOption {
  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--input-signature", paramLabel = "FILE", description = "The publisher's OpenSSF model signature"
      + " (model.sig) of the model input; checked now and kept in the ledger. Needs --input-key or --input-root.")
  Path signature;

  @Option(names = "--input-key", paramLabel = "PEM", description = "The publisher's public key for --input-signature.")
  Path publicKey;

  @Option(names = "--input-root", paramLabel = "PEM", description = "Root certificate(s) the --input-signature's"
      + " signing certificate must chain to.")
  Path root;

  boolean given() {
    return signature != null || publicKey != null || root != null;
  }

  /**
   * {@code event} with its model input annotated with the checked, stored signature; {@code event}
   * itself without {@code --input-signature}. The signature and its trust are stored in {@code ledger}
   * (durably) before this returns: append the event after.
   *
   * @throws CommandError exit 1 when the signature does not verify or signs another model, exit 2 for bad usage
   */
  Event apply(Ledger ledger, Event event) throws IOException, CustodyException {
    if (signature == null) {
      if (publicKey != null || root != null) {
        throw usage("--input-key and --input-root need --input-signature");
      }
      return event;
    }
    if ((publicKey == null) == (root == null)) {
      throw usage("--input-signature needs exactly one of --input-key and --input-root");
    }
    List<ArtifactRef> models = event.inputs().stream().filter(ManifestFiles::isManifestArtifact).toList();
    if (models.size() != 1) {
      throw usage("--input-signature needs exactly one model input (a directory given with --input), got "
          + models.size());
    }
    ArtifactRef model = models.get(0);
    String method = publicKey != null ? "key" : "certificate";
    Path trustFile = publicKey != null ? publicKey : root;
    byte[] trust = SmallFiles.read(trustFile, OmsSignatureFiles.MAX_TRUST_BYTES, method.equals("key")
        ? "public key" : "root certificates");
    byte[] sig = SmallFiles.read(signature, OmsSignature.MAX_BYTES, "OMS signature");
    OmsSignature.Verified v;
    try {
      v = OmsSignature.verify(sig, OmsSignatureFiles.trust(method, trust, Untrusted.quote(trustFile.toString())),
          signature.toString());
    } catch (OmsException e) {
      throw new CommandError(ErrorReport.of(e.reason() == OmsException.Reason.MALFORMED ? ErrorReport.Code.BAD_FORMAT
          : ErrorReport.Code.VERIFICATION_FAILED, "--input-signature: " + e.getMessage() + "; nothing was recorded")
          .withFile(signature.toString()), e.reason() == OmsException.Reason.MALFORMED ? Main.BAD_INPUT : Main.FAILED);
    }
    if (!v.manifest().rootDigest().equals(model.digest())) {
      OmsSignature.Comparison c = OmsSignature.compare(v.manifest(), ledger.manifestOf(model));
      throw new CommandError(ErrorReport.of(ErrorReport.Code.VERIFICATION_FAILED, "--input-signature: input "
          + Untrusted.quote(model.name()) + " is not the model " + Untrusted.quote(signature.toString()) + " signs"
          + " (missing " + names(c.missing()) + ", extra " + names(c.extra()) + ", changed " + names(c.changed())
          + "); nothing was recorded").withFile(signature.toString()), Main.FAILED);
    }
    ArtifactRef signed = ledger.keepPublisherSignature(model, sig, trust, method);
    List<ArtifactRef> inputs = new ArrayList<>();
    for (ArtifactRef a : event.inputs()) {
      inputs.add(a == model ? signed : a);
    }
    return new Event(event.type(), inputs, event.outputs(), event.parameters(), event.environment(), event.startedAt(),
        event.finishedAt(), event.details(), event.invocation());
  }

  private static String names(List<String> names) {
    return names.isEmpty() ? "none" : String.join(", ", names.stream().map(Untrusted::quote).toList());
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
