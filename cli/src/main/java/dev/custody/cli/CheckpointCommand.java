package dev.custody.cli;

import dev.custody.attest.AttestException;
import dev.custody.attest.ledger.Ledger;
import dev.custody.core.FormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "checkpoint", mixinStandardHelpOptions = true,
    description = {"Sign the ledger's current tree head with the log key as a C2SP tlog-checkpoint signed note, store it",
        "(DIR/checkpoint and DIR/checkpoints/<size>) and print it. Hand it to auditors: 'custody verify --checkpoint'",
        "against it later detects truncation and rewriting."})
final class CheckpointCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledgerOption;

  @Override
  public Integer call() throws IOException, FormatException, AttestException {
    try (Ledger ledger = Ledger.open(ledgerOption.resolve())) {
      spec.commandLine().getOut().print(new String(ledger.checkpoint().encoded(), StandardCharsets.UTF_8));
    }
    return Main.VERIFIED;
  }
}
