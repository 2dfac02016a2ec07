package dev.custody.cli;

import java.io.Console;
import java.lang.reflect.Method;
import java.util.Locale;

/**
 * Whether the process talks to a person at a terminal, and whether the text report may be
 * coloured there ({@code --color auto|always|never}). Stateless.
 */
final class Terminal {
  private Terminal() {}

  /**
   * Whether standard input and output are a terminal. On JDK 17 to 21 {@code System.console()} is
   * non-null exactly then; from JDK 22 it returns a console for redirected streams as well, and
   * {@code Console.isTerminal()} (called reflectively: custody is compiled for Java 17) says whether
   * it is one.
   */
  static boolean interactive() {
    Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(c);
    } catch (NoSuchMethodException e) {
      return true; // JDK 17-21: a console exists only on a terminal
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false; // cannot tell: plain text is always readable
    }
  }

  /** {@code --color}: when the text report is coloured. */
  enum ColourMode {
    /** On a terminal, unless {@code NO_COLOR} is set (https://no-color.org) or the report goes to a file. */
    AUTO,
    /** Always, even into a file or a pipe (e.g. for {@code less -R}). */
    ALWAYS,
    /** Never. */
    NEVER;

    /**
     * @throws IllegalArgumentException naming the choices
     */
    static ColourMode parse(String text) {
      for (ColourMode m : values()) {
        if (m.name().toLowerCase(Locale.ROOT).equals(text)) {
          return m;
        }
      }
      throw new IllegalArgumentException("--color must be auto, always or never, got "
          + dev.custody.core.internal.text.Untrusted.quote(text));
    }

    /**
     * Whether to colour.
     *
     * @param terminal whether standard output is a terminal ({@link #interactive()})
     * @param noColor the value of the environment variable {@code NO_COLOR}, or null: present and not
     *     empty, it turns {@link #AUTO} colour off (the no-color.org convention); {@link #ALWAYS} wins
     * @param toFile whether the report goes to a file ({@code --out}) rather than standard output
     */
    boolean colour(boolean terminal, String noColor, boolean toFile) {
      return switch (this) {
        case ALWAYS -> true;
        case NEVER -> false;
        case AUTO -> terminal && !toFile && (noColor == null || noColor.isEmpty());
      };
    }
  }
}
