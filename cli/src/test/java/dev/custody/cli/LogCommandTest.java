package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.attest.Ledger;
import dev.custody.attest.LedgerEntry;
import dev.custody.core.internal.text.Untrusted;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code custody log}: its columns, and what it prints when a record turns out damaged half-way. */
class LogCommandTest {
  @TempDir static Path root;
  static Path key;

  @TempDir Path work;

  @BeforeAll
  static void keys() {
    Cli.ok("keys", "generate", "--out", root, "--name", "k");
    key = root.resolve("k.key");
  }

  /** Twelve entries: log indexes of two digits, a chain id longer than its column, a kind longer than its column. */
  private Path ledger() {
    Path l = work.resolve("ledger");
    Cli.ok("init", "--ledger", l);
    for (int i = 0; i < 12; i++) {
      String chain = i % 3 == 0 ? "acme/a-chain-id-much-longer-than-thirty-two-characters" : "acme/m" + (i % 3);
      if (i % 4 == 1) {
        Cli.ok("record", "https://example.org/kinds/a-custom-kind", "--ledger", l, "--chain", chain, "--key", key);
      } else {
        Cli.ok("record", "annotation", "--ledger", l, "--chain", chain, "--key", key, "--text", "step " + i);
      }
    }
    return l;
  }

  /** What the command printed with a Formatter before it was made to write its columns itself. */
  private static List<String> formatted(Path ledger) throws Exception {
    List<String> lines = new ArrayList<>();
    try (Ledger l = Ledger.openReadOnly(ledger)) {
      for (long i = 0; i < l.size(); i++) {
        LedgerEntry e = l.entry(i);
        lines.add(String.format("%6d  %-32s %-17s %s  %s  key %s", e.ref().logIndex(),
            Untrusted.escape(e.ref().chain()) + ":" + e.ref().sequence(), Untrusted.escape(e.payload().event().type()
                .name()), e.ref().hash().toString().substring(0, 19), e.payload().time(),
            Untrusted.escape(e.payload().keyId().substring(0, 12))));
      }
    }
    return lines;
  }

  @Test
  void log_everyEntry_columnsAsTheFormatPrintedThem() throws Exception {
    Path l = ledger();
    String out = Cli.ok("log", "--ledger", l).out();
    assertThat(out.split(System.lineSeparator())).containsExactlyElementsOf(formatted(l));
    assertThat(out).endsWith(System.lineSeparator());
  }

  @Test
  void log_oneChain_columnsAsTheFormatPrintedThem() throws Exception {
    Path l = ledger();
    List<String> chain = formatted(l).stream().filter(s -> s.contains(" acme/m1:")).toList();
    assertThat(chain).hasSize(4);
    assertThat(Cli.ok("log", "--ledger", l, "--chain", "acme/m1").out().split(System.lineSeparator()))
        .containsExactlyElementsOf(chain);
  }

  /** Output is buffered: the entries read before a damaged record are still printed, then the error. */
  @Test
  void log_recordDamagedHalfWay_printsTheEntriesBeforeItThenFails() throws Exception {
    Path l = ledger();
    List<String> before = formatted(l).subList(0, 5);
    List<String> records = Cli.records(l);
    String r = records.get(5);
    int sig = r.indexOf("\"signature\":\"") + "\"signature\":\"".length();
    // Same length, still a well-formed record: only its hash no longer matches the one indexed.
    records.set(5, r.substring(0, sig) + (r.charAt(sig) == 'A' ? 'B' : 'A') + r.substring(sig + 1));
    Cli.writeRecords(l, records);

    Cli.Result res = Cli.run("log", "--ledger", l);
    assertThat(res.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(res.out().split(System.lineSeparator())).containsExactlyElementsOf(before);
    assertThat(res.err()).contains("log index 5").contains("custody verify");
  }
}
