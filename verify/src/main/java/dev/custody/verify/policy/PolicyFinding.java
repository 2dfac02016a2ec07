package dev.custody.verify.policy;

import dev.custody.verify.Finding;
import java.util.Objects;
import java.util.Optional;

/**
 * A finding of {@link PolicyEvaluator}, with the id of the policy rule that raised it (empty for
 * custody's own checks, such as custody transfers). The rule id is also in the finding's message;
 * it is kept apart so that a JSON report can carry it as a member.
 */
public record PolicyFinding(Optional<String> rule, Finding finding) {
  public PolicyFinding {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(finding, "finding");
  }
}
