package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.AttestException;
import dev.custody.attest.SigningKey;
import dev.custody.attest.Ledger;
import dev.custody.core.FormatException;
import dev.custody.core.jws.KeyAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Batch} against a real ledger: what an insider can do to a batch between its two passes,
 * and a caller that stops reading the references.
 */
class BatchTest {
  private static final SigningKey KEY = SigningKey.generate(KeyAlgorithm.ED25519);

  @TempDir Path tmp;
  Path dir;

  @BeforeEach
  void ledger() throws Exception {
    dir = tmp.resolve("ledger");
    Ledger.create(dir);
  }

  private static byte[] lines(int n, String text) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append("{\"chain\":\"acme/a\",\"kind\":\"annotation\",\"text\":\"").append(text).append(i).append("\"}\n");
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private long size() throws Exception {
    try (Ledger l = Ledger.openReadOnly(dir)) {
      return l.size();
    }
  }

  @Test
  void record_lineBrokenBetweenThePasses_stopsThereNamingTheChangeAndPrintsWhatWasRecorded() throws Exception {
    Batch b = new Batch("'batch.jsonl'", KEY);
    Batch.Checked checked = b.check(new ByteArrayInputStream(lines(5, "ok ")), null);
    byte[] changed = new String(lines(5, "ok "), StandardCharsets.UTF_8)
        .replace("\"text\":\"ok 3\"", "\"text\":3").getBytes(StandardCharsets.UTF_8);
    StringWriter out = new StringWriter();
    try (Ledger l = Ledger.open(dir)) {
      assertThatThrownBy(() -> b.record(new ByteArrayInputStream(changed), checked, l, new PrintWriter(out)))
          .isInstanceOf(FormatException.class)
          .hasMessageContaining("'batch.jsonl' changed while it was being recorded")
          .hasMessageContaining("line 4");
    }
    assertThat(out.toString().split("\n")).hasSize(3);
    assertThat(size()).isEqualTo(3);
  }

  @Test
  void record_validButDifferentContent_recordsItAndReportsTheChange() throws Exception {
    Batch b = new Batch("'batch.jsonl'", KEY);
    Batch.Checked checked = b.check(new ByteArrayInputStream(lines(5, "checked ")), null);
    StringWriter out = new StringWriter();
    try (Ledger l = Ledger.open(dir)) {
      assertThatThrownBy(() -> b.record(new ByteArrayInputStream(lines(5, "swapped ")), checked, l,
          new PrintWriter(out)))
          .isInstanceOf(FormatException.class).hasMessageContaining("changed while it was being recorded")
          .hasMessageContaining("SHA-256");
    }
    assertThat(out.toString().split("\n")).as("what was recorded is what was printed").hasSize(5);
    assertThat(size()).isEqualTo(5);
  }

  @Test
  void check_copiesEveryByteSoTheSecondPassReadsWhatWasChecked() throws Exception {
    Batch b = new Batch("stdin", KEY);
    byte[] in = ("\n" + new String(lines(3, "x"), StandardCharsets.UTF_8) + "  \n").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    Batch.Checked checked = b.check(new ByteArrayInputStream(in), copy);
    assertThat(checked.events()).isEqualTo(3);
    assertThat(copy.toByteArray()).isEqualTo(in);
  }

  @Test
  void record_standardOutputClosed_stopsAppendingWithinTheWindow() throws Exception {
    int n = 3 * Batch.WINDOW_ENTRIES;
    Batch b = new Batch("stdin", KEY);
    Batch.Checked checked = b.check(new ByteArrayInputStream(lines(n, "")), null);
    Writer closed = new Writer() {
      @Override
      public void write(char[] cbuf, int off, int len) throws java.io.IOException {
        throw new java.io.IOException("Broken pipe");
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    try (Ledger l = Ledger.open(dir)) {
      assertThatThrownBy(() -> b.record(new ByteArrayInputStream(lines(n, "")), checked, l, new PrintWriter(closed)))
          .isInstanceOf(AttestException.class).hasMessageContaining("standard output is closed");
    }
    assertThat(size()).as("a caller that is gone gets no more appends").isLessThan(n).isPositive();
  }

  @Test
  void check_noEvents_refusedNamingTheInput() {
    Batch b = new Batch("'empty.jsonl'", KEY);
    assertThatThrownBy(() -> b.check(new ByteArrayInputStream("\n \n\t\n".getBytes(StandardCharsets.UTF_8)), null))
        .isInstanceOf(FormatException.class).hasMessageContaining("'empty.jsonl': no events");
  }

  @Test
  void check_lastLineWithoutNewline_isALine() throws Exception {
    List<String> l = new ArrayList<>(List.of(new String(lines(2, "a"), StandardCharsets.UTF_8).split("\n")));
    byte[] in = String.join("\n", l).getBytes(StandardCharsets.UTF_8); // no final '\n'
    assertThat(new Batch("stdin", KEY).check(new ByteArrayInputStream(in), null).events()).isEqualTo(2);
  }
}
