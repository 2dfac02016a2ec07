package dev.custody.cli;

import dev.custody.core.CustodyException;
import dev.custody.core.FormatException;
import dev.custody.core.manifest.ManifestException;
import dev.custody.core.safetensors.SafetensorsException;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What custody says when a command fails: a stable {@link Code}, a message for people, and where
 * (file, entry, chain) when known, with the closest names when something was misspelled.
 *
 * <p>Printed on standard error as {@code custody: error: MESSAGE} or, when JSON output was asked for
 * ({@code --json}, or {@code verify --format json}), as one JSON object on one line:
 *
 * <pre>
 * {"error": {"code": CODE, "message": text, ["file": path,] ["entry": CHAIN:SEQ|HASH,] ["chain": id,]
 *            ["didYouMean": [name+]]}}
 * </pre>
 *
 * Members in brackets are omitted when unknown, never null. The exit code is the same in both forms.
 * Codes are a contract, like finding codes: added, never renamed or removed.
 */
record ErrorReport(Code code, String message, Optional<String> file, Optional<String> entry, Optional<String> chain,
    List<String> didYouMean) {

  /** Why a command failed. The exit code is the command's ({@link Main}), not implied by the code. */
  enum Code {
    /** Bad usage: an unknown or misspelled option or command, a missing or malformed argument. */
    USAGE,
    /** An argument's value is not acceptable (a bad digest, chain id, kind, number or combination). */
    BAD_ARGUMENT,
    /** A file's content is malformed (a key, checkpoint, policy, event JSON, proof, ledger file, ...). */
    BAD_FORMAT,
    /** A model directory or file cannot be hashed as given (a symbolic link, an unreadable file, ...). */
    BAD_MODEL,
    /** A file or directory named does not exist. */
    NO_SUCH_FILE,
    /** A file or directory named cannot be read or written by this user. */
    PERMISSION_DENIED,
    /** A file custody would create exists already (it never overwrites keys or ledgers). */
    ALREADY_EXISTS,
    /** Reading or writing failed (a full disk, a read-only file system, ...). */
    IO_ERROR,
    /** The entry named ({@code CHAIN:SEQ} or an entry hash) is not in the ledger. */
    NO_SUCH_ENTRY,
    /** The chain named is not in the ledger. */
    NO_SUCH_CHAIN,
    /** Another failure of the operation (signing, appending, a timestamp authority, ...). */
    FAILED,
    /** Exit 1: a checkpoint or proof given does not match the ledger. */
    VERIFICATION_FAILED,
    /** Exit 1: the target of {@code custody lineage} is in no authentic entry. */
    NOT_IN_LEDGER,
    /** Exit 1: a witness refused to cosign an inconsistent checkpoint (the evidence file is named). */
    REFUSED,
    /** {@code custody run}: the command exited non-zero (custody exits with its code). */
    COMMAND_FAILED,
    /** The Java heap was too small for the input; nothing was decided. */
    OUT_OF_MEMORY,
    /** A defect in custody (please report it). */
    INTERNAL
  }

  ErrorReport {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(chain, "chain");
    didYouMean = List.copyOf(didYouMean);
  }

  /** A report with only a code and a message. */
  static ErrorReport of(Code code, String message) {
    return new ErrorReport(code, message, Optional.empty(), Optional.empty(), Optional.empty(), List.of());
  }

  ErrorReport withFile(String f) {
    return new ErrorReport(code, message, Optional.of(f), entry, chain, didYouMean);
  }

  ErrorReport withEntry(String e) {
    return new ErrorReport(code, message, file, Optional.of(e), chain, didYouMean);
  }

  ErrorReport withChain(String c) {
    return new ErrorReport(code, message, file, entry, Optional.of(c), didYouMean);
  }

  ErrorReport withDidYouMean(List<String> names) {
    return new ErrorReport(code, message, file, entry, chain, names);
  }

  /** The report for an exception a command threw: its code by type, the file it names if any. */
  static ErrorReport of(Throwable thrown) {
    Throwable t = thrown instanceof UncheckedIOException u ? u.getCause() : thrown;
    if (t instanceof CommandError e) {
      return e.report();
    }
    String message = Main.describe(t);
    if (t instanceof CommandLine.ParameterException) {
      return of(Code.USAGE, message);
    }
    if (t instanceof NoSuchFileException e && e.getFile() != null) {
      return of(Code.NO_SUCH_FILE, message).withFile(path(e.getFile()));
    }
    if (t instanceof AccessDeniedException e && e.getFile() != null) {
      return of(Code.PERMISSION_DENIED, message).withFile(path(e.getFile()));
    }
    if (t instanceof FileAlreadyExistsException e && e.getFile() != null) {
      return of(Code.ALREADY_EXISTS, message).withFile(path(e.getFile()));
    }
    if (t instanceof FileSystemException e && e.getFile() != null) {
      return of(Code.IO_ERROR, message).withFile(path(e.getFile()));
    }
    if (t instanceof IOException) {
      return of(Code.IO_ERROR, message);
    }
    if (t instanceof SafetensorsException e) {
      ErrorReport r = of(Code.BAD_FORMAT, message);
      return e.file() == null ? r : r.withFile(e.file());
    }
    if (t instanceof ManifestException e) {
      ErrorReport r = of(Code.BAD_MODEL, message);
      return e.path().map(p -> r.withFile(p.toString())).orElse(r);
    }
    if (t instanceof FormatException) {
      return of(Code.BAD_FORMAT, message);
    }
    if (t instanceof VerifyCommand.VerificationStopped) {
      return of(Code.OUT_OF_MEMORY, message);
    }
    if (t instanceof CustodyException) {
      return of(Code.FAILED, message);
    }
    if (t instanceof IllegalArgumentException) {
      return of(Code.BAD_ARGUMENT, message);
    }
    return of(Code.INTERNAL, "internal error (please report it): " + Untrusted.sanitize(t.toString()));
  }

  /**
   * The path a file-system exception names: custody's readers name the file quoted ({@link
   * Untrusted#quote}), which is the path itself between quotes when it needed no escape; an escaped
   * path stays as quoted (its raw form may hold characters a terminal acts on).
   */
  static String path(String file) {
    if (file.length() >= 2 && file.startsWith("'") && file.endsWith("'") && file.indexOf('\\') < 0
        && file.indexOf('\'', 1) == file.length() - 1) {
      return file.substring(1, file.length() - 1);
    }
    return file;
  }

  /** {@code {"error": {...}}} on one line (see the class comment). */
  String toJson() {
    return Json.object(g -> {
      g.writeObjectFieldStart("error");
      g.writeStringField("code", code.name());
      g.writeStringField("message", message);
      if (file.isPresent()) {
        g.writeStringField("file", file.get());
      }
      if (entry.isPresent()) {
        g.writeStringField("entry", entry.get());
      }
      if (chain.isPresent()) {
        g.writeStringField("chain", chain.get());
      }
      if (!didYouMean.isEmpty()) {
        g.writeArrayFieldStart("didYouMean");
        for (String s : didYouMean) {
          g.writeString(s);
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    });
  }

  /**
   * Prints this report on {@code err}: JSON, or {@code custody: error: MESSAGE} — {@code custody:
   * MESSAGE} for a verdict (exit 1: verification failed, refused, not in the ledger), a command's
   * own failure, and an internal error, whose messages say what they are.
   */
  void print(PrintWriter err, boolean json) {
    if (json) {
      err.println(toJson());
    } else {
      boolean plain = switch (code) {
        case VERIFICATION_FAILED, NOT_IN_LEDGER, REFUSED, COMMAND_FAILED, INTERNAL -> true;
        default -> false;
      };
      err.println((plain ? "custody: " : "custody: error: ") + Untrusted.sanitize(message));
    }
    err.flush();
  }

  /**
   * Prints a notice (not an error: the command goes on) on standard error: {@code custody: MESSAGE},
   * or under JSON output one line {@code {"notice": {"code": CODE, "message": text}}}.
   */
  static void notice(CommandSpec spec, String code, String message) {
    PrintWriter err = spec.commandLine().getErr();
    if (jsonRequested(spec)) {
      err.println(Json.object(g -> {
        g.writeObjectFieldStart("notice");
        g.writeStringField("code", code);
        g.writeStringField("message", message);
        g.writeEndObject();
      }));
    } else {
      err.println("custody: " + Untrusted.sanitize(message));
    }
    err.flush();
  }

  /** Whether the parsed command asked for JSON output: {@code --json}, or {@code --format json}. */
  static boolean jsonRequested(CommandSpec spec) {
    OptionSpec json = spec.findOption("--json");
    if (json != null && Boolean.TRUE.equals(json.getValue())) {
      return true;
    }
    OptionSpec format = spec.findOption("--format");
    return format != null && "json".equals(format.getValue());
  }

  /**
   * Whether JSON output was asked for, also when parsing stopped early: the parsed value, or the
   * arguments as typed ({@code --json}, {@code --format json}, {@code --format=json} before {@code --}).
   */
  static boolean jsonRequested(CommandSpec spec, String[] args) {
    if (spec != null && jsonRequested(spec)) {
      return true;
    }
    for (int i = 0; i < args.length && !args[i].equals("--"); i++) {
      if (args[i].equals("--json") || args[i].equals("--format=json")
          || args[i].equals("--format") && i + 1 < args.length && args[i + 1].equals("json")) {
        return true;
      }
    }
    return false;
  }
}
