package dev.custody.core;

/**
 * The contract every Jazzer fuzz test (a method annotated {@code FuzzTest}) checks of a parser: on any input it returns a
 * value or throws its documented checked exception; anything else — another exception, an
 * {@link Error}, a hang — is a finding. What must hold of an accepted value (its round trip) is the
 * fuzz test's {@link Check}.
 */
public final class Fuzz {
  private Fuzz() {}

  /** A parser applied to the fuzz input. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse() throws Exception;
  }

  /** What must hold of a value the parser accepted; an exception here is a finding too. */
  @FunctionalInterface
  public interface Check<T> {
    void check(T value) throws Exception;
  }

  /**
   * Runs {@code parser}; if it throws {@code documented} (or a subclass) the input is rejected as the
   * parser promises, and nothing else is checked; if it returns, {@code check} runs on the value.
   * Every other exception propagates, and Jazzer reports it with the input.
   */
  public static <T> void valueOrRejected(Class<? extends Exception> documented, Parser<T> parser, Check<T> check)
      throws Exception {
    T value;
    try {
      value = parser.parse();
    } catch (Exception e) {
      if (documented.isInstance(e)) {
        return;
      }
      throw e;
    }
    check.check(value);
  }
}
