package dev.custody.verify.internal;

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
   * The message of an exception that always has one: core's format exceptions (their constructors
   * require it, and core's main code is null-checked), CEL's compile and planning exceptions (CEL
   * builds the text from what it found). Fails, naming the exception's class, if one has none.
   */
  public static String of(Exception e) {
    return Objects.requireNonNull(e.getMessage(), () -> "a " + e.getClass().getName() + " without a message");
  }
}
