package dev.custody.core;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ArgumentsProvider;
import org.junit.jupiter.params.provider.ArgumentsSource;
import org.junit.jupiter.params.support.AnnotationConsumer;
import org.junit.jupiter.params.support.ParameterDeclarations;

/**
 * A seeded property test: the method takes one {@code long seed}, runs once for each of
 * {@link #tries()} consecutive seeds from {@link #seed()}, and draws its case from {@code new Gen(seed)}.
 * Each seed is a test case named {@code seed N}, so a failure names the case to re-run.
 *
 * <pre>{@code
 * @PropertyTest(seed = 9162, tries = 40)
 * void inclusionProof_randomTree_verifies(long seed) { Gen g = new Gen(seed); ... }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "seed {0}")
@ArgumentsSource(PropertyTest.Seeds.class)
public @interface PropertyTest {
  /** The first seed. */
  long seed();

  /** How many cases (consecutive seeds); keep the suite fast. */
  int tries();

  /** Supplies the seeds of a {@link PropertyTest}. */
  final class Seeds implements ArgumentsProvider, AnnotationConsumer<PropertyTest> {
    private long first;
    private int tries;

    @Override
    public void accept(PropertyTest property) {
      first = property.seed();
      tries = property.tries();
    }

    @Override
    public Stream<? extends Arguments> provideArguments(ParameterDeclarations parameters, ExtensionContext context) {
      return Gen.seeds(first, tries).map(Arguments::of);
    }
  }
}
