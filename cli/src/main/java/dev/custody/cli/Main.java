package dev.custody.cli;

import dev.custody.core.internal.text.Untrusted;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code custody} command. Exit codes are a contract: {@value #VERIFIED} verified / success,
 * {@value #FAILED} verification failed, {@value #BAD_INPUT} bad usage or unreadable input.
 */
@Command(
    name = "custody",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A verifiable chain of custody for AI models: record signed provenance events in an append-only,"
        + " hash-linked ledger and verify them offline.",
    subcommands = {
      KeysCommand.class,
      InitCommand.class,
      RecordCommand.class,
      RunCommand.class,
      LogCommand.class,
      ChainsCommand.class,
      ShowCommand.class,
      VerifyCommand.class,
      LineageCommand.class,
      CheckpointCommand.class,
      InfoCommand.class,
      ProveCommand.class,
      DemoCommand.class,
      HashCommand.class,
      FingerprintCommand.class,
      CompareCommand.class,
      WitnessCommand.class,
      ExportCommand.class,
      VerifyOmsCommand.class,
      MigrateCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {"", "Exit codes: 0 verified/success, 1 verification failed, 2 bad usage or unreadable input.",
        "Ledger: --ledger DIR, else $CUSTODY_LEDGER, else ./.custody"})
public final class Main implements Runnable {
  public static final int VERIFIED = 0;
  public static final int FAILED = 1;
  public static final int BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command (see 'custody --help')");
  }

  @SuppressWarnings("DefaultCharset") // the terminal's encoding is the platform's: System.out and System.err use it too
  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI with the given streams and returns the exit code (tests call this in-process). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExitCodeExceptionMapper(t -> BAD_INPUT);
    cl.getCommandSpec().exitCodeOnInvalidInput(BAD_INPUT);
    // picocli's own messages quote what was typed ("Unknown option: '...'"): print them through the
    // same net as ours, then a short usage: the command's synopsis and where its help is.
    cl.setParameterExceptionHandler((ex, badArgs) -> {
      CommandLine c = ex.getCommandLine();
      String message = ex.getMessage() == null ? ex.toString() : ex.getMessage();
      List<String> unmatched = unmatched(ex);
      if (!(ex instanceof CommandLine.UnmatchedArgumentException) && !unmatched.isEmpty()) {
        // picocli checks required options before it reports unknown ones; a misspelled required option
        // (--chian) is the likely cause of the missing one, so name it first.
        message = "Unknown option" + (unmatched.size() == 1 ? "" : "s") + ": " + String.join(", ", unmatched.stream()
            .map(a -> "'" + a + "'").toList()) + "; " + message;
      }
      ErrorReport report = ErrorReport.of(ErrorReport.Code.USAGE, message).withDidYouMean(suggestions(ex));
      PrintWriter e = c.getErr();
      if (ErrorReport.jsonRequested(c.getCommandSpec(), args)) {
        e.println(report.toJson());
      } else {
        e.println("custody: error: " + Untrusted.sanitize(message));
        if (!report.didYouMean().isEmpty()) {
          e.println("Did you mean: " + String.join(" or ", report.didYouMean()) + "?");
        }
        e.print("Usage: " + new CommandLine.Help(c.getCommandSpec(), c.getColorScheme()).abbreviatedSynopsis());
        e.println("See '" + c.getCommandSpec().qualifiedName() + " --help'.");
      }
      e.flush();
      return BAD_INPUT;
    });
    cl.setExecutionStrategy(parsed -> {
      LedgerKeyNotice.warn(parsed);
      return new CommandLine.RunLast().execute(parsed);
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      ErrorReport report = ErrorReport.of(ex);
      boolean json = ErrorReport.jsonRequested(commandLine.getCommandSpec(), args);
      report.print(commandLine.getErr(), json);
      if (report.code() == ErrorReport.Code.INTERNAL && !json) {
        ex.printStackTrace(commandLine.getErr());
      }
      commandLine.getErr().flush();
      return ex instanceof CommandError c ? c.exitCode() : BAD_INPUT;
    });
    int code;
    try {
      code = cl.execute(args);
    } catch (OutOfMemoryError e) {
      // Picocli hands only Exceptions to the handler above; an Error would end the JVM with a stack
      // trace and exit 1, which reads as "verification failed". Running out of memory is not a verdict.
      ErrorReport.of(ErrorReport.Code.OUT_OF_MEMORY, "out of memory (the Java heap is limited to " + maxHeapMiB()
          + " MiB): the input needs more memory than this heap, or is built to exhaust it; nothing was decided. Run"
          + " with a larger heap, e.g. java -Xmx4g -jar custody.jar ...").print(err, ErrorReport.jsonRequested(null, args));
      code = BAD_INPUT;
    } catch (StackOverflowError | InternalError | LinkageError e) {
      ErrorReport.of(e).print(err, ErrorReport.jsonRequested(null, args));
      code = BAD_INPUT;
    }
    out.flush();
    err.flush();
    return code;
  }

  /**
   * The names closest to a misspelled option or subcommand, for "did you mean" (empty for other
   * mistakes, or when nothing is close).
   */
  static List<String> suggestions(CommandLine.ParameterException ex) {
    CommandLine.Model.CommandSpec spec = ex.getCommandLine().getCommandSpec();
    for (String token : unmatched(ex)) {
      if (token.startsWith("-")) {
        int eq = token.indexOf('=');
        return Suggestions.closest(eq > 0 ? token.substring(0, eq) : token, spec.optionsMap().keySet());
      }
      if (!spec.subcommands().isEmpty()) {
        return Suggestions.closest(token, spec.subcommands().keySet());
      }
    }
    return List.of();
  }

  /** The arguments picocli could not match, whichever mistake it reports. */
  private static List<String> unmatched(CommandLine.ParameterException ex) {
    if (ex instanceof CommandLine.UnmatchedArgumentException u) {
      return u.getUnmatched();
    }
    List<String> collected = ex.getCommandLine().getUnmatchedArguments();
    return collected == null ? List.of() : collected;
  }

  /** The JVM's maximum heap, for messages about running out of it. */
  static long maxHeapMiB() {
    return Runtime.getRuntime().maxMemory() >> 20;
  }

  /** The message printed for {@code t}: it names the file where the exception knows one. */
  static String describe(Throwable t) {
    String message;
    if (t instanceof NoSuchFileException e && e.getReason() == null) {
      message = "no such file: " + Untrusted.quote(e.getFile());
    } else if (t instanceof AccessDeniedException e && e.getReason() == null) {
      message = "permission denied: " + Untrusted.quote(e.getFile());
    } else if (t instanceof FileAlreadyExistsException e) {
      message = "already exists: " + Untrusted.quote(e.getFile()) + (e.getReason() == null ? "" : " (" + e.getReason()
          + ")");
    } else {
      // Other FileSystemExceptions (not a directory, read-only file system, ...) say "FILE: reason".
      message = t.getMessage() == null ? t.toString() : t.getMessage();
    }
    return Untrusted.sanitize(message);
  }


  /** Version from the jar manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"custody " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
