package dev.custody.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The module rules JPMS cannot enforce (tests and the shaded CLI run on the class path; module-info
 * cannot say what a signature may name), checked over custody's library classes as a user's build
 * sees them.
 */
class ModuleShapeTest {
  private static final JavaClasses CUSTODY =
      new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.custody");

  /**
   * Signatures that name an internal type today, each also marked {@code @SuppressWarnings("exports")}
   * in the source: the store SPI in {@code Ledger} (the file and PostgreSQL stores implement it) and the
   * CLI's event decoder. A new one fails this test.
   */
  private static final Set<String> KNOWN_LEAKS = Set.of(
      "dev.custody.attest.Ledger.open(java.nio.file.Path, dev.custody.attest.internal.store.FileLogStore$Options)",
      "dev.custody.attest.Ledger.over(dev.custody.attest.internal.store.LogStore, java.time.Clock)",
      "dev.custody.attest.Ledger.keep(dev.custody.attest.internal.artifacts.ModelArtifacts$Hashed)",
      "dev.custody.core.entry.EntryCodec.decodeEvent(dev.custody.core.internal.json.JsonFields)");

  @Test
  void apiSignatures_custodyLibrary_nameNoInternalTypeBeyondTheKnownLeaks() {
    EvaluationResult result = apiSignaturesNameNoInternalType("dev.custody", KNOWN_LEAKS).evaluate(CUSTODY);
    assertThat(result.getFailureReport().getDetails()).isEmpty();
  }

  @Test
  void apiSignatures_plantedLeakInAFixture_isReportedWithTheMember() {
    JavaClasses fixture = new ClassFileImporter().importPackages("fixture.shape");
    assertThat(fixture.contain("fixture.shape.api.Leaky")).isTrue();

    EvaluationResult result = apiSignaturesNameNoInternalType("fixture.shape", Set.of()).evaluate(fixture);

    assertThat(result.hasViolation()).isTrue();
    assertThat(result.getFailureReport().getDetails()).hasSize(1);
    assertThat(result.getFailureReport().getDetails().get(0))
        .contains("fixture.shape.api.Leaky.leak()").contains("fixture.shape.internal.Hidden");
  }

  @Test
  void verify_dependsOnNeitherAttestNorCli() {
    ArchRule rule = noClasses().that().resideInAPackage("dev.custody.verify..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.custody.attest..", "dev.custody.cli..");
    rule.check(CUSTODY);
  }

  @Test
  void examples_nameNoInternalPackage() {
    ArchRule rule = noClasses().that().resideInAPackage("dev.custody.examples..")
        .should().dependOnClassesThat().resideInAPackage("..internal..");
    rule.check(CUSTODY);
  }

  @Test
  void internalPackages_liveUnderAModule() {
    // An internal package is dev.custody.MODULE.internal.*: module-info can then export it to custody's modules only.
    ArchRule rule = classes().that().resideInAPackage("..internal..")
        .should().resideInAnyPackage("dev.custody.core.internal..", "dev.custody.attest.internal..",
            "dev.custody.verify.internal..");
    rule.check(CUSTODY);
  }

  /**
   * No public or protected member of a public type of an API package (one under {@code root} whose name
   * has no {@code internal} segment) names an internal type in its signature: supertypes, fields,
   * parameters, return and thrown types, type arguments included.
   */
  static ArchRule apiSignaturesNameNoInternalType(String root, Set<String> allowed) {
    DescribedPredicate<JavaClass> api = new DescribedPredicate<>("public types of API packages under " + root) {
      @Override
      public boolean test(JavaClass c) {
        return c.getPackageName().startsWith(root) && !isInternal(c) && accessible(c);
      }
    };
    ArchCondition<JavaClass> noInternal = new ArchCondition<>("name no internal type in an API signature") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        List<String> found = new ArrayList<>();
        c.getRawSuperclass().filter(ModuleShapeTest::isInternal)
            .ifPresent(s -> found.add(c.getName() + " extends " + s.getName()));
        c.getRawInterfaces().stream().filter(ModuleShapeTest::isInternal)
            .forEach(i -> found.add(c.getName() + " implements " + i.getName()));
        for (JavaField f : c.getFields()) {
          if (visible(f)) {
            internalIn(List.of(f.getType())).ifPresent(t -> found.add(f.getFullName() + " has type " + t));
          }
        }
        for (JavaCodeUnit u : c.getCodeUnits()) {
          if (!visible(u) || u.getModifiers().contains(JavaModifier.SYNTHETIC)
              || allowed.contains(u.getFullName())) {
            continue;
          }
          List<JavaType> types = new ArrayList<>(u.getParameterTypes());
          types.add(u.getReturnType());
          u.getThrowsClause().getTypes().forEach(types::add);
          internalIn(types).ifPresent(t -> found.add(u.getFullName() + " names " + t));
        }
        for (String f : found) {
          events.add(SimpleConditionEvent.violated(c, f));
        }
      }
    };
    return classes().that(api).should(noInternal).allowEmptyShould(true);
  }

  private static Optional<String> internalIn(List<? extends JavaType> types) {
    return types.stream().flatMap(t -> t.getAllInvolvedRawTypes().stream()).filter(ModuleShapeTest::isInternal)
        .map(JavaClass::getName).findFirst();
  }

  private static boolean isInternal(JavaClass c) {
    return ("." + c.getPackageName() + ".").contains(".internal.");
  }

  private static boolean accessible(JavaClass c) {
    for (Optional<JavaClass> k = Optional.of(c); k.isPresent(); k = k.get().getEnclosingClass()) {
      if (!k.get().getModifiers().contains(JavaModifier.PUBLIC)) {
        return false;
      }
    }
    return true;
  }

  private static boolean visible(JavaMember m) {
    return m.getModifiers().contains(JavaModifier.PUBLIC) || m.getModifiers().contains(JavaModifier.PROTECTED);
  }
}
