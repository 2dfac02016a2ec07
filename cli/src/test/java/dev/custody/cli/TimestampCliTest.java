package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.attest.internal.timestamp.RawHttpServer;
import dev.custody.attest.internal.timestamp.TestTsa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trusted time through the real CLI: {@code custody checkpoint --tsa URL} against a real RFC 3161
 * TSA on loopback (attest's {@link TestTsa}), and {@code custody verify --tsa-root}.
 */
class TimestampCliTest {
  private static final String ORIGIN = "example.org/models";
  @AutoClose
  static final TestTsa tsa = TestTsa.started();

  @TempDir Path tmp;
  Path ledger;
  Path keys;
  Path rootPem;


  @BeforeEach
  void setUp() throws Exception {
    ledger = tmp.resolve("ledger");
    keys = tmp.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    Cli.ok("init", "--ledger", ledger, "--origin", ORIGIN);
    rootPem = pem(tmp.resolve("tsa-root.pem"), tsa.root.cert());
    record(3);
  }

  private void record(int n) {
    for (int i = 0; i < n; i++) {
      Cli.ok("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key", keys.resolve("alice.key"),
          "--text", "entry " + i);
    }
  }

  static Path pem(Path file, X509Certificate cert) throws Exception {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded());
    return Files.writeString(file, "-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n");
  }

  private Cli.Result verify(Object... more) {
    List<Object> args = new ArrayList<>(List.of("verify", "--ledger", ledger, "--trust", keys, "--log-key",
        ledger.resolve("log/vkey")));
    args.addAll(List.of(more));
    return Cli.run(args.toArray());
  }

  private String described(String name, int size) throws Exception {
    return "checkpoint " + name + " (size " + size + ", root " + Files.readAllLines(ledger.resolve("checkpoints/" + size))
        .get(2) + ")";
  }

  @Test
  void checkpointWithTsa_storesTokenBesideBothFiles_verifyReportsTheTime() throws Exception {
    Cli.Result cp = Cli.ok("checkpoint", "--ledger", ledger, "--tsa", tsa.uri());
    assertThat(cp.out()).isEqualTo(Files.readString(ledger.resolve("checkpoints/3")));
    assertThat(cp.err()).startsWith("custody: timestamped by " + tsa.uri() + " at ");
    byte[] token = Files.readAllBytes(ledger.resolve("checkpoints/3.tsr"));
    assertThat(Files.readAllBytes(ledger.resolve("checkpoint.tsr"))).isEqualTo(token);

    Cli.Result r = verify("--tsa-root", rootPem);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.VERIFIED);
    assertThat(r.unwrapped()).containsPattern(Pattern.quote("INFO TIMESTAMP_VERIFIED: " + described("checkpoints/3", 3)
        + " existed at ") + "\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z" + Pattern.quote(": its timestamp checkpoints/3.tsr"
        + " verifies (TSA '" + tsa.tsa.cert().getSubjectX500Principal().getName() + "', serial "))
        .doesNotContain("WARNING").doesNotContain("checkpoint.tsr");
    // Without trusted TSA roots the token is not read.
    assertThat(verify().out()).doesNotContain("TIMESTAMP");

    // The auditor's copy, with its token beside it, is checked too.
    Path copy = Files.writeString(tmp.resolve("release-3"), cp.out());
    Files.write(tmp.resolve("release-3.tsr"), token);
    Cli.Result auditor = verify("--checkpoint", copy, "--tsa-root", rootPem);
    assertThat(auditor.code()).as("%s", auditor).isEqualTo(Main.VERIFIED);
    assertThat(auditor.unwrapped()).contains("INFO TIMESTAMP_VERIFIED: the auditor's checkpoint " + copy + " (size 3, root ")
        .contains(": its timestamp " + copy + ".tsr verifies (TSA '");
  }

  @Test
  void verify_tokenFromAnUntrustedTsa_timestampInvalidUntrustedChain() throws Exception {
    Cli.ok("checkpoint", "--ledger", ledger, "--tsa", tsa.uri());
    Path otherRoot = pem(tmp.resolve("other.pem"), TestTsa.root("CN=another TSA root").cert());
    Cli.Result r = verify("--tsa-root", otherRoot);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(r.unwrapped()).contains("ERROR TIMESTAMP_INVALID: " + described("checkpoints/3", 3) + ": its timestamp"
        + " checkpoints/3.tsr does not verify (UNTRUSTED_CHAIN): the TSA certificate '");
  }

  @Test
  void verify_tokenOfAnotherCheckpoint_timestampInvalidImprintMismatch() throws Exception {
    Cli.ok("checkpoint", "--ledger", ledger, "--tsa", tsa.uri());
    record(2);
    Cli.ok("checkpoint", "--ledger", ledger, "--tsa", tsa.uri());
    // Someone moves the newer token onto the older checkpoint to make it look younger.
    Files.copy(ledger.resolve("checkpoints/5.tsr"), ledger.resolve("checkpoints/3.tsr"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Cli.Result r = verify("--tsa-root", rootPem);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(r.unwrapped()).contains("ERROR TIMESTAMP_INVALID: " + described("checkpoints/3", 3) + ": its timestamp"
        + " checkpoints/3.tsr does not verify (IMPRINT_MISMATCH): the timestamp is for other data")
        .contains("INFO TIMESTAMP_VERIFIED: " + described("checkpoints/5", 5));
  }

  @Test
  void verify_newestCheckpointUntimed_warningNamesTheNewestTimestamped() throws Exception {
    Cli.ok("checkpoint", "--ledger", ledger, "--tsa", tsa.uri());
    record(1); // an automatic checkpoint of size 4, without a timestamp
    assertThat(ledger.resolve("checkpoints/4")).exists();
    Cli.Result r = verify("--tsa-root", rootPem);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.VERIFIED);
    assertThat(r.unwrapped()).contains("WARNING TIMESTAMP_MISSING: " + described("checkpoints/4", 4) + " has no RFC 3161"
        + " timestamp (checkpoints/4.tsr), so nothing dates it; the newest timestamped checkpoint is checkpoints/3"
        + " (size 3). Timestamp checkpoints with 'custody checkpoint --tsa URL'")
        .contains("INFO TIMESTAMP_VERIFIED: " + described("checkpoints/3", 3));
    // The stale checkpoint.tsr beside the replaced DIR/checkpoint is not read.
    assertThat(r.out()).doesNotContain("ERROR");
  }

  @Test
  void checkpointWithTsa_tsaRefuses_checkpointStoredAndPrintedExitTwo() throws Exception {
    tsa.mode.set(TestTsa.Mode.REJECT);
    try {
      Cli.Result r = Cli.run("checkpoint", "--ledger", ledger, "--tsa", tsa.uri());
      assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
      assertThat(r.out()).isEqualTo(Files.readString(ledger.resolve("checkpoints/3")));
      assertThat(r.err()).contains("the checkpoint was stored, but the TSA " + tsa.uri() + " did not timestamp it")
          .contains("test TSA says no");
      assertThat(ledger.resolve("checkpoints/3.tsr")).doesNotExist();
    } finally {
      tsa.mode.set(TestTsa.Mode.GRANT);
    }
    // Retrying re-signs the same tree head (same bytes) and timestamps it.
    Cli.ok("checkpoint", "--ledger", ledger, "--tsa", tsa.uri());
    assertThat(ledger.resolve("checkpoints/3.tsr")).exists();
    assertThat(Cli.run("checkpoint", "--ledger", ledger, "--tsa", "ftp://x").code()).isEqualTo(Main.BAD_INPUT);
  }

  @Test
  void checkpointJsonWithTsa_printsCheckpointAndTimestampAsOneObject() throws Exception {
    Cli.Result r = Cli.ok("checkpoint", "--ledger", ledger, "--tsa", tsa.uri(), "--json");
    com.fasterxml.jackson.databind.JsonNode cp = r.json();
    assertThat(cp.get("size").asLong()).isEqualTo(3);
    assertThat(cp.get("note").asText()).isEqualTo(Files.readString(ledger.resolve("checkpoints/3")));
    assertThat(cp.get("rootHash").asText()).matches("sha256:[0-9a-f]{64}");
    assertThat(cp.get("timestamp").get("tsa").asText()).isEqualTo(tsa.uri().toString());
    assertThat(cp.get("timestamp").get("files")).extracting(f -> Path.of(f.asText()).getFileName().toString())
        .contains("3.tsr");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void checkpointJsonWithTsa_tsaRefuses_checkpointObjectOnStdoutAndJsonErrorExitTwo() throws Exception {
    tsa.mode.set(TestTsa.Mode.REJECT);
    try {
      Cli.Result r = Cli.run("checkpoint", "--ledger", ledger, "--tsa", tsa.uri(), "--json");
      assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
      assertThat(r.json().get("note").asText()).isEqualTo(Files.readString(ledger.resolve("checkpoints/3")));
      assertThat(r.json().has("timestamp")).isFalse();
      com.fasterxml.jackson.databind.JsonNode e = Cli.MAPPER.readTree(r.err()).get("error");
      assertThat(e.get("code").asText()).isEqualTo("FAILED");
      assertThat(e.get("message").asText()).contains("the checkpoint was stored");
    } finally {
      tsa.mode.set(TestTsa.Mode.GRANT);
    }
  }

  @Test
  void verify_entryDatedAfterTheTimestampOfTheCheckpointCoveringIt_timeInFutureWarning() throws Exception {
    // Issue 7, item 9: the signer dates an entry an hour ahead; a checkpoint timestamped now covers it,
    // so the TSA's time shows the date is in the future of the entry's own inclusion.
    List<String> lines = new ArrayList<>(Cli.records(ledger));
    dev.custody.attest.SigningKey alice = dev.custody.attest.SigningKey.load(keys.resolve("alice.key"));
    dev.custody.core.Digest prev = dev.custody.core.Digest.sha256(
        lines.get(2).getBytes(StandardCharsets.US_ASCII));
    java.time.Instant later = java.time.Instant.now().plus(java.time.Duration.ofHours(1));
    byte[] entry = dev.custody.attest.EntrySigner.sign(new dev.custody.core.entry.EntryPayload("acme/a", 3,
        java.util.Optional.of(prev), alice.keyId(), later, dev.custody.core.event.Event.builder(
            dev.custody.core.event.EventType.ANNOTATION).details(new dev.custody.core.event.EventDetails.Annotation(
                "from the future")).build()), alice);
    lines.add(new String(entry, StandardCharsets.US_ASCII));
    Cli.writeRecords(ledger, lines);
    Cli.ok("checkpoint", "--ledger", ledger, "--tsa", tsa.uri());

    Cli.Result r = verify("--tsa-root", rootPem);

    assertThat(r.code()).as("%s", r).isEqualTo(Main.VERIFIED);
    assertThat(r.unwrapped()).contains("WARNING TIME_IN_FUTURE acme/a:3, log index 3, ").contains("timestamped checkpoint")
        .contains("size 4 or larger").contains("TIMESTAMP_VERIFIED");
  }

  // ---------------------------------------------------------------- issue 7 item 11

  @Test
  void checkpointWithTsa_tsaStallsAfterHeaders_exitsTwoAtTheTimeoutNamingUrlAndKeepsTheCheckpoint() throws Exception {
    try (RawHttpServer stalling = RawHttpServer.start((in, out) -> {
      out.write(RawHttpServer.head("200 OK", "Content-Type: application/timestamp-reply", "Content-Length: 1000"));
      out.flush();
      RawHttpServer.stall();
    })) {
      long start = System.nanoTime();
      Cli.Result r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
          () -> Cli.run("checkpoint", "--ledger", ledger, "--tsa", stalling.uri(), "--tsa-timeout", "2"));
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(2));
      assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
      assertThat(r.out()).isEqualTo(Files.readString(ledger.resolve("checkpoints/3")));
      assertThat(r.err()).contains("the checkpoint was stored").contains(stalling.uri().toString())
          .contains("did not answer within 2 s");
      assertThat(ledger.resolve("checkpoints/3.tsr")).doesNotExist();
    }
  }

  @Test
  void checkpointWithTsa_nothingListening_exitsTwoSayingRefusedNotNull() throws Exception {
    java.net.URI uri;
    try (RawHttpServer gone = RawHttpServer.start((in, out) -> { })) {
      uri = gone.uri();
    }
    Cli.Result r = Cli.run("checkpoint", "--ledger", ledger, "--tsa", uri);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains(uri.toString()).contains("refused the connection").doesNotContain("null");
  }

  @Test
  void checkpoint_tsaTimeoutOutOfRange_exitsTwoNamingTheOption() {
    for (String bad : new String[] {"0", "-1", "3601", "soon"}) {
      Cli.Result r = Cli.run("checkpoint", "--ledger", ledger, "--tsa", tsa.uri(), "--tsa-timeout", bad);
      assertThat(r.code()).as("%s: %s", bad, r).isEqualTo(Main.BAD_INPUT);
      assertThat(r.err()).as(bad).contains("--tsa-timeout");
    }
  }
}
