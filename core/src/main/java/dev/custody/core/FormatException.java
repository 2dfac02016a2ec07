package dev.custody.core;

import org.jspecify.annotations.Nullable;

/** Input does not follow a custody format's grammar: bad JSON, unknown version, oversize, bad field. */
public class FormatException extends CustodyException {
  private static final long serialVersionUID = 1L;

  public FormatException(String message) {
    super(message);
  }

  public FormatException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
