package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, "one type per concept": each concept below has one owner, and its old spellings must not
 * come back. Scans the main sources of every module (core's tests run in {@code core/}, the
 * repository root is its parent).
 */
class OneSpellingTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  /** Main source files (relative to the root, '/'-separated) whose text matches {@code p}, minus {@code owners}. */
  private static List<String> spelledOutside(Pattern p, Set<String> owners) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(ROOT, 12)) {
      for (Path f : (Iterable<Path>) files.filter(x -> x.toString().endsWith(".java"))::iterator) {
        String rel = ROOT.relativize(f).toString().replace('\\', '/');
        if (!rel.contains("/src/main/java/") || rel.contains("/target/") || owners.contains(rel)) {
          continue;
        }
        if (p.matcher(Files.readString(f)).find()) {
          out.add(rel);
        }
      }
    }
    return out;
  }

  @Test
  void sourcesFound_sanity() throws IOException {
    // A scan that finds nothing proves nothing: the owners themselves must be seen.
    assertThat(spelledOutside(Pattern.compile("(class|record) Digest\\b"), Set.of()))
        .contains("core/src/main/java/dev/custody/core/Digest.java");
  }

  @Test
  void sha256Instance_onlyDigestNewSha256() throws IOException {
    assertThat(spelledOutside(Pattern.compile("getInstance\\(\"SHA-?256\"\\)"), Set.of(
        "core/src/main/java/dev/custody/core/Digest.java")))
        .isEmpty();
  }

  @Test
  void fileHashing_noGuavaHashOrDigestInputStreamLoops() throws IOException {
    assertThat(spelledOutside(Pattern.compile("com\\.google\\.common\\.hash|asByteSource\\(|MoreFiles\\."), Set.of()))
        .isEmpty();
  }

  @Test
  void segmentNamePattern_onlyLedgerLayout() throws IOException {
    assertThat(spelledOutside(Pattern.compile("\\{20\\}\\\\\\\\\\.jsonl|%020d"), Set.of(
        "core/src/main/java/dev/custody/core/internal/ledger/LedgerLayout.java")))
        .isEmpty();
  }

  @Test
  void entryLocatorGrammar_onlyEntryLocator() throws IOException {
    // The old copies: "(.+):(0|[1-9][0-9]{0,17})" (ModelCheck, LineageCommand) and ShowCommand's {0,18} check.
    assertThat(spelledOutside(Pattern.compile("\\(\\.\\+\\):\\(0\\|\\[1-9\\]|CHAIN_SEQ"), Set.of()))
        .isEmpty();
  }

  @Test
  void codePointComparison_onlyCodePointOrder() throws IOException {
    assertThat(spelledOutside(Pattern.compile("compareCodePoints|NAME_ORDER\\s*="), Set.of()))
        .isEmpty();
  }

  @Test
  void ed25519PrivateKeyUse_onlySigningKey() throws IOException {
    // SigningKey holds the seed; the note and cosignature signers hold a SigningKey, not its bytes.
    assertThat(spelledOutside(Pattern.compile("Ed25519\\.sign\\(|Ed25519PrivateKeyParameters|private final byte\\[\\] seed;"), Set.of(
        "attest/src/main/java/dev/custody/attest/SigningKey.java",
        // The Nimbus JWSSigner adapter, kept for the RFC 8037 known-answer test through JWSObject.
        "attest/src/main/java/dev/custody/attest/Ed25519JwsSigner.java",
        // The raw-primitive baseline the bench compares custody's signing against.
        "bench/src/main/java/dev/custody/bench/micro/EntryCryptoBench.java")))
        .isEmpty();
  }
}
