package dev.custody.cli;

import dev.custody.attest.AttestException;
import dev.custody.attest.interop.InteropExport;
import dev.custody.attest.internal.store.DurableFiles;
import dev.custody.attest.SigningKey;
import dev.custody.core.FormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code custody export-interop}: temporary home of {@code custody export --format intoto|oms} until
 * the lead wires {@link InteropExport} into {@code ExportCommand} (owned by another part this round).
 */
@Command(name = "export-interop", mixinStandardHelpOptions = true,
    description = {"Export the ledger in the ecosystem's formats, signed now with --key (DSSE signs"
        + " PAE(payloadType, payload), not a JWS):",
        "  intoto: each entry (of --chain, or all) as an in-toto Statement v1 in a DSSE envelope in a Sigstore"
        + " bundle v0.3 with a public-key hint, one bundle per line;",
        "  oms:    the model of --chain's newest release as an OpenSSF model signing v1.0 signature (model.sig)."})
final class ExportInteropCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledger;

  @Option(names = "--format", required = true, paramLabel = "intoto|oms", description = "intoto or oms.")
  String format;

  @Option(names = "--chain", paramLabel = "ID", description = "Only this chain's entries (intoto); the chain whose"
      + " release to sign (oms, required).")
  String chain;

  @Option(names = "--key", required = true, paramLabel = "KEYFILE", description = "Private key that signs the"
      + " export (PKCS#8 PEM, Ed25519 or ES256).")
  Path key;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "File to create (never overwritten).")
  Path out;

  @Option(names = "--json", description = "Print {format, bundles, out} as JSON.")
  boolean json;

  @Override
  public Integer call() throws IOException, FormatException, AttestException {
    InteropExport.Format f;
    try {
      f = InteropExport.Format.fromCliName(format);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--format: " + e.getMessage());
    }
    if (f == InteropExport.Format.OMS && chain == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--format oms needs --chain (whose release to sign)");
    }
    SigningKey signer = SigningKey.load(key);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int n = InteropExport.write(ledger.resolve(), Optional.ofNullable(chain), f, signer, bytes);
    DurableFiles.createWhole(out, bytes.toByteArray());
    if (json) {
      spec.commandLine().getOut().println(Json.object(g -> {
        g.writeStringField("format", format);
        g.writeNumberField("bundles", n);
        g.writeStringField("out", out.toString());
      }));
      return Main.VERIFIED;
    }
    spec.commandLine().getOut().println("wrote " + n + (f == InteropExport.Format.OMS ? " OMS signature" : " bundle"
        + (n == 1 ? "" : "s")) + " to " + out);
    return Main.VERIFIED;
  }
}
