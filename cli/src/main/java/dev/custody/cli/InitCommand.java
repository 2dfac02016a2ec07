package dev.custody.cli;

import dev.custody.attest.ledger.Ledger;
import dev.custody.core.FormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "init", mixinStandardHelpOptions = true, description = "Create an empty ledger.")
final class InitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledger;

  @Override
  public Integer call() throws IOException, FormatException {
    Path dir = ledger.resolve();
    Ledger.create(dir);
    spec.commandLine().getOut().println("initialised ledger " + dir.toAbsolutePath().normalize());
    return Main.VERIFIED;
  }
}
