package dev.custody.cli;

import dev.custody.core.FormatException;
import dev.custody.core.dsse.EnvelopeKey;
import dev.custody.core.internal.io.SmallFiles;
import dev.custody.core.internal.ledger.CertificateFiles;
import dev.custody.core.manifest.ManifestException;
import dev.custody.core.manifest.ModelManifest;
import dev.custody.core.manifest.ResourceNames;
import dev.custody.core.sigstore.OmsException;
import dev.custody.core.sigstore.OmsSignature;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code custody verify-oms}: checks an OpenSSF model signing v1.0 signature ({@code model.sig})
 * and the model it signs, offline (see {@link OmsSignature}).
 */
@Command(name = "verify-oms", mixinStandardHelpOptions = true,
    description = {"Verify an OpenSSF model signing (OMS) v1.0 signature offline: the Sigstore bundle's DSSE"
        + " signature with the publisher's --public-key, or with the bundle's certificate once it chains to"
        + " --certificate-chain; then the signed in-toto statement; then MODEL re-hashed the signed way and"
        + " compared resource by resource (missing, extra and changed files are named).",
        "Ignored when hashing: .git, .gitattributes, .github, .gitignore, the signature file if it lies in the"
        + " model, and every --ignore-paths. Keyless Sigstore signatures need Sigstore trust roots: not available"
        + " offline (exit 2).",
        "Exit 0: verified; 1: the signature or the model does not verify; 2: bad usage or unreadable input."})
final class VerifyOmsCommand implements Callable<Integer> {
  /** Largest key or root file read. */
  private static final int MAX_KEY_BYTES = 64 * 1024;

  @Spec CommandSpec spec;
  @Mixin ModelHashOptions hashing;

  @Option(names = "--signature", required = true, paramLabel = "FILE",
      description = "The OMS signature: a Sigstore bundle (model.sig).")
  Path signature;

  @Option(names = "--public-key", paramLabel = "PEM", description = "The publisher's public key (Ed25519, ECDSA"
      + " P-256 or P-384; text around the PEM block, as certtool writes, is ignored).")
  Path publicKey;

  @Option(names = "--certificate-chain", paramLabel = "PEM", description = "Trusted root (and, optionally,"
      + " intermediate) certificates the bundle's signing certificate must chain to (RSA or EC CAs).")
  Path certificateChain;

  @Option(names = "--json", description = "Print {verified, signature, model, signer, rootDigest, resources, missing,"
      + " extra, changed} as JSON.")
  boolean json;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The model directory or single file that was signed.")
  Path model;

  @Override
  public Integer call() throws IOException, FormatException, ManifestException, CommandError {
    if (publicKey != null && certificateChain != null) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "give either --public-key or --certificate-chain, not both");
    }
    if (hashing.serialization != null || hashing.shardSize != null || hashing.allowSymlinks) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--serialization, --shard-size and"
          + " --allow-symlinks do not apply: the signature says how the model was hashed");
    }
    if (!Files.exists(model, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(model.toString());
    }
    OmsSignature.Trust trust = trust();
    byte[] bundle = SmallFiles.read(signature, OmsSignature.MAX_BYTES, "OMS signature");
    OmsSignature.Verified verified;
    try {
      verified = OmsSignature.verify(bundle, trust, signature.toString());
    } catch (OmsException e) {
      throw failure(e);
    }
    List<String> ignore = new ArrayList<>(hashing.ignorePathsIn(model));
    signatureInside().ifPresent(ignore::add);
    var b = OmsSignature.hasherFor(verified, ignore);
    if (hashing.threads != null) {
      b.threads(hashing.threads);
    }
    ModelManifest actual = b.build().hash(model);
    OmsSignature.Comparison c = OmsSignature.compare(verified.manifest(), actual);
    print(verified, c);
    return c.matches() ? Main.VERIFIED : Main.FAILED;
  }

  private OmsSignature.Trust trust() throws IOException, FormatException {
    if (publicKey != null) {
      String text = new String(SmallFiles.read(publicKey, MAX_KEY_BYTES, "public key"), StandardCharsets.US_ASCII);
      return new OmsSignature.PublicKey(EnvelopeKey.fromPem(text, Untrusted.quote(publicKey.toString())));
    }
    if (certificateChain != null) {
      byte[] pem = SmallFiles.read(certificateChain, CertificateFiles.MAX_CHAIN_BYTES, "certificate chain");
      return new OmsSignature.CertificateRoots(CertificateFiles.parse(pem, Untrusted.quote(certificateChain.toString())));
    }
    return new OmsSignature.SigstoreKeyless();
  }

  /** The signature file's path relative to the model directory, if it lies inside it. */
  private Optional<String> signatureInside() {
    if (!Files.isDirectory(model, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    return ResourceNames.relativeInside(model.toAbsolutePath().normalize(), signature.toAbsolutePath().normalize());
  }

  private CommandError failure(OmsException e) {
    return switch (e.reason()) {
      case MALFORMED -> new CommandError(ErrorReport.of(ErrorReport.Code.BAD_FORMAT, e.getMessage())
          .withFile(signature.toString()));
      case NEEDS_SIGSTORE_TRUST_ROOT -> new CommandError(ErrorReport.of(ErrorReport.Code.NEEDS_TRUST_ROOT,
          e.getMessage()).withFile(signature.toString()));
      case BAD_SIGNATURE, UNTRUSTED_CHAIN, INCONSISTENT_STATEMENT -> new CommandError(ErrorReport.of(
          ErrorReport.Code.VERIFICATION_FAILED, "OMS signature not verified: " + e.getMessage())
          .withFile(signature.toString()), Main.FAILED);
    };
  }

  private static void names(com.fasterxml.jackson.core.JsonGenerator g, String field, List<String> names)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (String n : names) {
      g.writeString(n);
    }
    g.writeEndArray();
  }

  private void print(OmsSignature.Verified v, OmsSignature.Comparison c) {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.object(g -> {
        g.writeBooleanField("verified", c.matches());
        g.writeStringField("signature", signature.toString());
        g.writeStringField("model", model.toString());
        g.writeStringField("signer", v.signer());
        g.writeStringField("rootDigest", v.manifest().rootDigest().toString());
        g.writeNumberField("resources", v.manifest().resources().size());
        names(g, "missing", c.missing());
        names(g, "extra", c.extra());
        names(g, "changed", c.changed());
      }));
      return;
    }
    if (c.matches()) {
      out.println("verified: " + Untrusted.quote(model.toString()) + " is the model signed in "
          + Untrusted.quote(signature.toString()) + " (" + v.manifest().resources().size() + " resources, root "
          + v.manifest().rootDigest() + "), signed by " + v.signer());
      return;
    }
    out.println("NOT verified: the signature is valid (signed by " + v.signer() + ") but "
        + Untrusted.quote(model.toString()) + " is not the signed model:");
    c.missing().forEach(r -> out.println("  missing  " + Untrusted.escape(r)));
    c.extra().forEach(r -> out.println("  extra    " + Untrusted.escape(r)));
    c.changed().forEach(r -> out.println("  changed  " + Untrusted.escape(r)));
  }
}
