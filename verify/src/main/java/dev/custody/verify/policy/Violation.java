package dev.custody.verify.policy;

import dev.custody.verify.RecordRef;
import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
import java.util.Objects;

/**
 * A policy check that failed for one entry, before it is attached to the entry: the finding code
 * and a message that says what is wrong and what to do. Immutable.
 */
public record Violation(FindingCode code, String message) {
  public Violation {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }

  /** The finding for {@code entry}, with the code's default severity. */
  public Finding toFinding(RecordRef entry) {
    return Finding.of(code, entry, message);
  }
}
