package dev.custody.verify;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One result of verification.
 *
 * @param code what kind of problem (stable, see {@link FindingCode})
 * @param severity how much it matters
 * @param entry the entry concerned, when the finding is about one
 * @param message for a person: what is wrong, the offending values, and what to do
 * @param rule the id of the trust policy rule that raised it, for {@link FindingCode#RULE_VIOLATION}
 *     (also named in the message)
 */
public record Finding(FindingCode code, Severity severity, Optional<RecordRef> entry, String message,
    Optional<String> rule) {
  public Finding {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(rule, "rule");
  }

  /** A finding raised by custody's own checks, not by a policy rule. */
  public Finding(FindingCode code, Severity severity, Optional<RecordRef> entry, String message) {
    this(code, severity, entry, message, Optional.empty());
  }

  /** A finding with the code's default severity; {@code entry} null when it is about no entry. */
  public static Finding of(FindingCode code, @Nullable RecordRef entry, String message) {
    return new Finding(code, code.severity(), Optional.ofNullable(entry), message);
  }

  /** Whether this finding fails verification. */
  public boolean isError() {
    return severity == Severity.ERROR;
  }
}
