package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.attest.Ledger;
import dev.custody.attest.LedgerEntry;
import dev.custody.attest.SigningKey;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.Event;
import dev.custody.core.jws.KeyAlgorithm;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code record --batch} signs entries ahead on worker threads (chains in parallel) and appends them in
 * input order: the ledger it writes must be the one appending line by line writes — same entries, same
 * chain links, same log order — also when another writer appends to a chain in the middle of the batch,
 * and a batch killed half-way leaves every printed reference recorded and the ledger verifiable.
 */
class BatchSignAheadTest {
  private static final SigningKey KEY = SigningKey.generate(KeyAlgorithm.ED25519);

  @TempDir static Path keys;
  @TempDir Path tmp;

  @BeforeAll
  static void writeKey() throws Exception {
    KEY.writeTo(keys, "k");
  }

  /** {@code n} lines over {@code chains} chains in a seeded random order, of several kinds. */
  private static byte[] lines(int n, int chains, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String chain = "acme/c" + r.nextInt(chains);
      b.append(switch (i % 3) {
        case 0 -> "{\"chain\":\"" + chain + "\",\"kind\":\"dataset-ingest\",\"outputs\":[{\"name\":\"shard-" + i
            + "\",\"kind\":\"dataset\",\"digest\":\"sha256:" + String.format("%064x", i) + "\"}]}";
        case 1 -> "{\"chain\":\"" + chain + "\",\"kind\":\"evaluation\",\"metrics\":{\"acc\":0." + i + "}}";
        default -> "{\"chain\":\"" + chain + "\",\"type\":\"annotation\",\"text\":\"line " + i + "\"}";
      }).append('\n');
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static Path ledgerWithOneEntry(Path dir) throws Exception {
    Ledger.create(dir);
    try (Ledger l = Ledger.open(dir)) {
      l.append("acme/c0", Event.builder(dev.custody.core.event.EventType.ANNOTATION)
          .details(new dev.custody.core.event.EventDetails.Annotation("before")).build(), KEY);
    }
    return dir;
  }

  private static List<LedgerEntry> entries(Path dir) throws Exception {
    try (Ledger l = Ledger.openReadOnly(dir)) {
      List<LedgerEntry> all = new ArrayList<>();
      l.entries(0, l.size(), all::add);
      return all;
    }
  }

  /** Every entry's prev is the hash of the entry before it in its chain, and sequences count from 0. */
  private static void assertChainsLinked(List<LedgerEntry> entries) {
    Map<String, LedgerEntry> heads = new HashMap<>();
    for (LedgerEntry e : entries) {
      EntryPayload p = e.payload();
      LedgerEntry before = heads.put(p.chain(), e);
      assertThat(p.sequence()).as("sequence of log index %d", e.ref().logIndex())
          .isEqualTo(before == null ? 0 : before.payload().sequence() + 1);
      assertThat(p.prev()).as("prev of log index %d", e.ref().logIndex())
          .isEqualTo(before == null ? Optional.<Digest>empty() : Optional.of(before.record().hash()));
    }
  }

  private static void assertVerifies(Path dir) {
    Cli.Result v = Cli.run("verify", "--ledger", dir, "--trust", keys.resolve("k.pub"));
    assertThat(v.code()).as("%s", v).isZero();
  }

  @Test
  void record_manyChainsSignedAhead_sameLedgerAsAppendingLineByLine() throws Exception {
    byte[] input = lines(3000, 40, 7);
    Path fast = ledgerWithOneEntry(tmp.resolve("fast"));
    Path slow = ledgerWithOneEntry(tmp.resolve("slow"));
    Batch b = new Batch("'batch.jsonl'", KEY);
    Batch.Checked checked = b.check(new ByteArrayInputStream(input), null);
    StringWriter out = new StringWriter();
    try (Ledger l = Ledger.open(fast)) {
      b.record(new ByteArrayInputStream(input), checked, l, new PrintWriter(out));
    }
    List<Batch.Line> parsed = new ArrayList<>();
    String[] raw = new String(input, StandardCharsets.UTF_8).lines().toArray(String[]::new);
    for (int i = 0; i < raw.length; i++) {
      parsed.add(b.parse(raw[i].getBytes(StandardCharsets.UTF_8), i + 1));
    }
    try (Ledger l = Ledger.open(slow)) {
      for (Batch.Line line : parsed) {
        l.append(line.chain(), line.event(), KEY);
      }
    }
    List<LedgerEntry> f = entries(fast);
    List<LedgerEntry> s = entries(slow);
    assertThat(f).hasSize(3001).hasSameSizeAs(s);
    for (int i = 0; i < f.size(); i++) {
      EntryPayload pf = f.get(i).payload();
      EntryPayload ps = s.get(i).payload();
      assertThat(pf.chain()).as("chain at log index %d", i).isEqualTo(ps.chain());
      assertThat(pf.sequence()).as("sequence at log index %d", i).isEqualTo(ps.sequence());
      assertThat(pf.event()).as("event at log index %d", i).isEqualTo(ps.event());
      assertThat(pf.keyId()).isEqualTo(ps.keyId());
    }
    assertChainsLinked(f);
    // Each printed reference is the entry at its log index, in input order.
    String[] refs = out.toString().split("\n");
    assertThat(refs).hasSize(3000);
    for (int i = 0; i < refs.length; i++) {
      JsonNode r = Cli.MAPPER.readTree(refs[i]);
      assertThat(r.get("logIndex").asLong()).isEqualTo(i + 1);
      assertThat(r.get("hash").asText()).isEqualTo(f.get(i + 1).record().hash().toString());
    }
    assertVerifies(fast);
  }

  /**
   * Another writer appends to a chain while the batch's later entries of that chain are already
   * signed for the positions after the old head: those entries are signed again for their true
   * positions, so the chain stays linked and nothing is lost or duplicated.
   */
  @Test
  void record_anotherWriterAppendsToAChainMidBatch_laterEntriesLinkToItAndTheLedgerVerifies() throws Exception {
    byte[] input = lines(3000, 2, 11);
    Path dir = ledgerWithOneEntry(tmp.resolve("ledger"));
    Batch b = new Batch("'batch.jsonl'", KEY);
    Batch.Checked checked = b.check(new ByteArrayInputStream(input), null);
    Event interloper = Event.builder(dev.custody.core.event.EventType.ANNOTATION)
        .details(new dev.custody.core.event.EventDetails.Annotation("another writer")).build();
    StringBuilder printed = new StringBuilder();
    try (Ledger l = Ledger.open(dir)) {
      Writer w = new Writer() {
        boolean appended;

        @Override
        public void write(char[] cbuf, int off, int len) {
          printed.append(cbuf, off, len);
          if (!appended) {
            appended = true;
            try {
              // On the printer thread, when the first reference is printed: the batch is mid-way.
              l.append("acme/c1", interloper, KEY);
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
      b.record(new ByteArrayInputStream(input), checked, l, new PrintWriter(w));
    }
    List<LedgerEntry> all = entries(dir);
    assertThat(all).hasSize(3002);
    assertChainsLinked(all);
    long at = -1;
    for (LedgerEntry e : all) {
      if (e.payload().event().equals(interloper)) {
        at = e.payload().sequence();
      }
    }
    long last = all.stream().filter(e -> e.payload().chain().equals("acme/c1"))
        .mapToLong(e -> e.payload().sequence()).max().orElseThrow();
    assertThat(at).as("the other writer's entry is in the middle of chain acme/c1, not after the batch")
        .isBetween(0L, last - 100);
    // Every line recorded once, in input order, whatever was signed again.
    List<LedgerEntry> batchEntries = all.subList(1, all.size()).stream()
        .filter(e -> !e.payload().event().equals(interloper)).toList();
    String[] raw = new String(input, StandardCharsets.UTF_8).lines().toArray(String[]::new);
    assertThat(batchEntries).hasSize(raw.length);
    for (int i = 0; i < raw.length; i++) {
      Batch.Line line = b.parse(raw[i].getBytes(StandardCharsets.UTF_8), i + 1);
      assertThat(batchEntries.get(i).payload().event()).as("line %d", i + 1).isEqualTo(line.event());
      assertThat(batchEntries.get(i).payload().chain()).isEqualTo(line.chain());
    }
    assertThat(printed.toString().split("\n")).hasSize(3000);
    assertVerifies(dir);
  }

  /**
   * A batch killed (SIGKILL) half-way: every reference it printed is in the ledger with that hash at
   * that log index, what follows is a prefix of the batch, and the ledger verifies.
   */
  @Test
  void recordBatch_killedHalfWay_everyPrintedReferenceRecordedAndTheLedgerVerifies() throws Exception {
    Path dir = tmp.resolve("ledger");
    Cli.ok("init", "--ledger", dir);
    Path file = Files.write(tmp.resolve("batch.jsonl"), lines(40_000, 16, 3));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "record", "--batch",
        file.toString(), "--key", keys.resolve("k.key").toString(), "--ledger", dir.toString(), "-q"));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<String> refs = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (refs.size() < 2000 && (line = r.readLine()) != null) {
        refs.add(line);
      }
      p.toHandle().destroyForcibly(); // SIGKILL, without closing our end of its standard output
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      // What it printed before it died counts too: those entries were durable.
      while ((line = r.readLine()) != null) {
        refs.add(line);
      }
    }
    assertThat(refs).as("references printed before the kill").hasSizeGreaterThanOrEqualTo(2000);
    assertThat(p.exitValue()).as("killed, not finished").isNotZero();
    try (Ledger l = Ledger.open(dir)) {
      assertThat(l.size()).isGreaterThanOrEqualTo(refs.size()); // opening repairs a torn tail, if the kill left one
    }
    assertVerifies(dir);
    List<LedgerEntry> all = entries(dir);
    assertThat(all.size()).isLessThan(40_000).isGreaterThanOrEqualTo(refs.size());
    for (String ref : refs) {
      JsonNode r = Cli.MAPPER.readTree(ref);
      LedgerEntry e = all.get((int) r.get("logIndex").asLong());
      assertThat(e.record().hash().toString()).isEqualTo(r.get("hash").asText());
    }
    assertChainsLinked(all);
    Batch b = new Batch("'batch.jsonl'", KEY);
    List<String> raw = Files.readAllLines(file);
    for (int i = 0; i < all.size(); i++) {
      Batch.Line line = b.parse(raw.get(i).getBytes(StandardCharsets.UTF_8), i + 1);
      assertThat(all.get(i).payload().event()).as("log index %d is line %d", i, i + 1).isEqualTo(line.event());
    }
  }
}
