package dev.custody.cli;

import picocli.CommandLine.Option;

/** The {@code --quiet} option of commands that hash models: no progress bar. */
final class QuietOption {
  @Option(names = {"-q", "--quiet"}, description = "No progress bar (it is shown only on a terminal anyway).")
  boolean quiet;
}
