package dev.custody.verify.policy;

import dev.custody.core.FormatException;
import java.util.Objects;

/**
 * A trust policy file that cannot be used: it does not parse, breaks the {@code custody/policy/v1}
 * schema, names something it does not declare, or refers to a key or certificate file that cannot
 * be read safely. The message reads {@code FILE:LINE:COLUMN: PATH: what is wrong; what to do}, where
 * PATH names the member, e.g. {@code identities[2].organisation}.
 *
 * <p>Line and column are 1-based and point at the offending value (or at the unknown member's
 * name); both are 0 when the problem is the file as a whole (unreadable, over the size limit).
 */
public final class PolicyException extends FormatException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;
  private final int column;

  PolicyException(String source, int line, int column, String message) {
    super(prefix(source, line, column) + message);
    this.source = Objects.requireNonNull(source, "source");
    this.line = line;
    this.column = column;
  }

  PolicyException(String source, int line, int column, String message, Throwable cause) {
    super(prefix(source, line, column) + message, cause);
    this.source = Objects.requireNonNull(source, "source");
    this.line = line;
    this.column = column;
  }

  private static String prefix(String source, int line, int column) {
    return line > 0 ? source + ":" + line + ":" + column + ": " : source + ": ";
  }

  /** The policy file (as given), or a name such as {@code inline policy}. */
  public String source() {
    return source;
  }

  /** 1-based line of the offending value, or 0 when the whole file is at fault. */
  public int line() {
    return line;
  }

  /** 1-based column of the offending value, or 0 when the whole file is at fault. */
  public int column() {
    return column;
  }
}
