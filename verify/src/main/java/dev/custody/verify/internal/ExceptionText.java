package dev.custody.verify.internal;

import dev.custody.core.FormatException;
import java.util.Objects;

/**
 * An exception's message where a non-null {@code String} is required. {@link Throwable#getMessage()}
 * may return null, so a message handed on goes through one of these, each saying what a missing
 * message becomes.
 */
public final class ExceptionText {
  private ExceptionText() {}

  /**
   * {@code e}'s message as string concatenation prints it: the message, or {@code "null"} when there
   * is none. For a message that becomes part of another message.
   */
  public static String printed(Throwable e) {
    return String.valueOf(e.getMessage());
  }

  /**
   * The message of one of core's format exceptions, which always has one: their constructors require
   * it (core's main code is null-checked). Fails, saying so, if one has none.
   */
  public static String of(FormatException e) {
    return Objects.requireNonNull(e.getMessage(), "a FormatException without a message");
  }
}
