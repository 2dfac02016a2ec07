package dev.custody.core;

import org.jspecify.annotations.Nullable;

/** Root of core's checked exceptions. Messages say what failed, the offending value, and what to do. */
public class CustodyException extends Exception {
  private static final long serialVersionUID = 1L;

  public CustodyException(String message) {
    super(message);
  }

  public CustodyException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
