package dev.custody.core.event;

import java.util.List;
import java.util.Objects;

/**
 * How a step was run as a process ({@code custody run}): the argument vector, the exit code and the
 * working directory, as typed values — the command a JSON array of strings, the exit code a JSON
 * integer — in the event's {@code invocation} member (see {@code EntryCodec}).
 *
 * @param command the program and its arguments, exactly as run (at least the program)
 * @param exitCode the process's exit code (0: success; custody records a failed run only when asked)
 * @param workingDirectory the absolute directory it ran in
 */
public record Invocation(List<String> command, int exitCode, String workingDirectory) {
  /** Most arguments recorded: a command line longer than this is not one a person can audit anyway. */
  public static final int MAX_ARGUMENTS = 4096;

  public Invocation {
    command = List.copyOf(Objects.requireNonNull(command, "command"));
    if (command.isEmpty()) {
      throw new IllegalArgumentException("invocation command must name at least the program");
    }
    if (command.size() > MAX_ARGUMENTS) {
      throw new IllegalArgumentException("invocation command has " + command.size() + " arguments, more than "
          + MAX_ARGUMENTS);
    }
    for (int i = 0; i < command.size(); i++) {
      Names.requireText(command.get(i), "invocation command[" + i + "]");
    }
    Names.requireText(workingDirectory, "invocation workingDirectory");
  }
}
