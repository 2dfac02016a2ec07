package dev.custody.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's Java example is this module's {@link Pipeline}, character for character, and the BOM names
 * the library modules at the reactor's version.
 */
class ReadmeExampleTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(package dev\\.custody\\.examples;\n.*?)```",
      Pattern.DOTALL);

  private static Path readme() {
    return ROOT.resolve("README.md");
  }

  @Test
  void readme_javaExample_isExactlyTheExamplesProgram() throws Exception {
    String doc = Files.readString(readme(), StandardCharsets.UTF_8);
    Matcher m = JAVA_BLOCK.matcher(doc);
    assertThat(m.find()).as("a ```java block starting 'package dev.custody.examples;' in " + readme()).isTrue();
    String program = Files.readString(ROOT.resolve("examples/src/main/java/dev/custody/examples/Pipeline.java"),
        StandardCharsets.UTF_8);
    assertThat(m.group(1)).isEqualTo(program);
  }

  @Test
  void bom_listsTheLibraryModulesAtTheReactorVersion() throws Exception {
    String bom = Files.readString(ROOT.resolve("bom/pom.xml"), StandardCharsets.UTF_8);
    String parent = Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8);
    Matcher pv = Pattern.compile("<artifactId>custody-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(parent);
    Matcher bv = Pattern.compile("<artifactId>custody-bom</artifactId>\\s*<version>([^<]+)</version>").matcher(bom);
    assertThat(pv.find()).isTrue();
    assertThat(bv.find()).isTrue();
    assertThat(bv.group(1)).isEqualTo(pv.group(1));
    assertThat(bom).doesNotContain("<parent>");
    for (String module : new String[] {"custody-core", "custody-attest", "custody-verify"}) {
      assertThat(bom).contains("<artifactId>" + module + "</artifactId><version>${project.version}</version>");
    }
  }
}
