package dev.custody.verify.policy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.internal.ExceptionText;
import java.util.Map;
import java.util.Objects;

/**
 * A compiled CEL expression (Common Expression Language, {@code dev.cel:cel}) that must hold for a
 * step. It sees one variable, {@code event}, a map with these keys (absent ones are absent, not
 * null):
 *
 * <pre>
 * kind          string   e.g. "release" or a custom kind URI
 * chain         string   the entry's chain id
 * sequence      int      its sequence number
 * time          string   its claimed time, RFC 3339 UTC
 * keyId         string   the signer's key id
 * identity      string   the signer's identity name (under a policy)
 * organisation  string   the signer's organisation (under a policy)
 * inputs        list     of maps {name, kind, digest[, uri][, mediaType]}, strings
 * outputs       list     the same
 * parameters    map      string to string
 * startedAt     string   when the work started, RFC 3339 UTC (if recorded)
 * finishedAt    string   when it finished (if recorded)
 * invocation    map      {command: list of strings, exitCode: int, workingDirectory: string}, as
 *                        {@code custody run} records it (if recorded)
 * metrics       map      string to double (evaluation)
 * version       string   (release)      method string (conversion, merge)
 * from, to      string   (custody-transfer)
 * subject, decision, reason   string  (approval, revocation)
 * text          string   (annotation)
 * </pre>
 *
 * The standard macros {@code has}, {@code all}, {@code exists}, {@code exists_one}, {@code map} and
 * {@code filter} are available.
 *
 * Compiled when the policy is read: a syntax or type error is a policy error with the expression's
 * position. The result must be a boolean. Evaluation is bounded (at most
 * {@value #MAX_ITERATIONS} iterations of {@code all}/{@code exists}/{@code map}/{@code filter} in
 * total per evaluation); an evaluation error, such as reading a missing key, counts as "does not hold".
 * Immutable and thread-safe.
 */
public final class CelCondition {
  /** Longest expression accepted. */
  public static final int MAX_LENGTH = 4096;
  /**
   * Bound on comprehension iterations per evaluation, all comprehensions together: two passes over
   * the largest artifact list an event may hold ({@code Event.MAX_ARTIFACTS}), so that a hostile
   * ledger cannot turn a nested {@code all} into minutes of work.
   */
  public static final int MAX_ITERATIONS = 2 * dev.custody.core.event.Event.MAX_ARTIFACTS;

  private static final CelOptions OPTIONS = CelOptions.current()
      .maxExpressionCodePointSize(MAX_LENGTH)
      .comprehensionMaxIterations(MAX_ITERATIONS)
      .build();

  private final String expression;
  private final CelRuntime.Program program;

  private CelCondition(String expression, CelRuntime.Program program) {
    this.expression = expression;
    this.program = program;
  }

  /**
   * Compiles {@code expression}.
   *
   * @throws IllegalArgumentException with CEL's message (position and problem) if it does not
   *     compile or is not boolean
   */
  public static CelCondition compile(String expression) {
    Objects.requireNonNull(expression, "expression");
    if (expression.isBlank() || expression.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("a CEL expression has 1 to " + MAX_LENGTH + " characters");
    }
    CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
        .setOptions(OPTIONS)
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .addVar("event", MapType.create(SimpleType.STRING, SimpleType.DYN))
        .setResultType(SimpleType.BOOL)
        .build();
    CelRuntime runtime = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();
    try {
      CelAbstractSyntaxTree ast = compiler.compile(expression).getAst();
      return new CelCondition(expression, runtime.createProgram(ast));
    } catch (CelValidationException e) {
      throw new IllegalArgumentException("the CEL expression does not compile: " + oneLine(ExceptionText.of(e)), e);
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException("the CEL expression cannot be planned: " + oneLine(ExceptionText.of(e)), e);
    }
  }

  /** The expression as written. */
  public String expression() {
    return expression;
  }

  /**
   * Whether the expression holds for {@code event}; a problem (false, or an evaluation error) as a sentence.
   *
   * @return empty if it holds
   */
  java.util.Optional<String> check(Map<String, Object> event) {
    try {
      Object r = program.eval(Map.of("event", event));
      return Boolean.TRUE.equals(r) ? java.util.Optional.empty()
          : java.util.Optional.of("the expression is false for this entry");
    } catch (CelEvaluationException | RuntimeException e) {
      return java.util.Optional.of("the expression cannot be evaluated for this entry: "
          + Untrusted.escape(oneLine(String.valueOf(e.getMessage()))));
    }
  }

  private static String oneLine(String s) {
    return s.replace('\n', ' ').replace('\r', ' ');
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CelCondition c && c.expression.equals(expression);
  }

  @Override
  public int hashCode() {
    return expression.hashCode();
  }

  @Override
  public String toString() {
    return expression;
  }
}
