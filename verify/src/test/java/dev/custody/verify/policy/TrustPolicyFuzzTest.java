package dev.custody.verify.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.Fuzz;
import java.nio.file.Path;

/**
 * Fuzzes the trust policy reader (YAML and JSON, custody/policy/v1): a policy, or a
 * {@link PolicyException} with a line and column. Files a policy names (keys, certificates) are
 * looked up in a directory that does not exist, so an input can name any path and read nothing.
 */
class TrustPolicyFuzzTest {
  private static final Path NO_DIR = Path.of("/nonexistent/custody-policy-fuzz");

  @FuzzTest
  void parse_anyYaml_policyOrPolicyException(byte[] data) throws Exception {
    parse(data, PolicyDocument.Syntax.YAML);
  }

  @FuzzTest
  void parse_anyJson_policyOrPolicyException(byte[] data) throws Exception {
    parse(data, PolicyDocument.Syntax.JSON);
  }

  private static void parse(byte[] data, PolicyDocument.Syntax syntax) throws Exception {
    Fuzz.valueOrRejected(PolicyException.class,
        () -> PolicyParser.parse(PolicyDocument.read(data, "fuzz", syntax), "fuzz", NO_DIR),
        p -> assertThat(p.lineage()).isNotNull());
  }
}
