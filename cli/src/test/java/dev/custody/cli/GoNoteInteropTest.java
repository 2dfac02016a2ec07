package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Splitter;
import dev.custody.attest.CheckpointSigner;
import dev.custody.attest.CosignatureV1Signer;
import dev.custody.attest.Ed25519NoteSigner;
import dev.custody.core.Bytes;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.merkle.InMemoryNodeHashes;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.MerkleTree;
import dev.custody.core.note.SignedNote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party client checks custody's checkpoints: {@code src/test/go/notecheck}, built with
 * Debian's {@code golang-go} against {@code golang-golang-x-mod-dev}, opens each note with
 * {@code golang.org/x/mod/sumdb/note} and verifies witness cosignatures (cosignature/v1) with a
 * verifier written from the C2SP spec. The Go toolchain is required: without it this test
 * <b>fails</b> (it is the interoperability guarantee; {@code ./test} installs Go).
 */
class GoNoteInteropTest {
  static final Path SOURCE = Path.of("src/test/go/notecheck");
  static final Path TARGET = Path.of("target/go");
  static Path binary;

  @TempDir Path dir;

  @BeforeAll
  static void buildOnce() throws Exception {
    Path go = findGo();
    Files.createDirectories(TARGET);
    binary = TARGET.resolve("notecheck").toAbsolutePath();
    ProcessBuilder pb = new ProcessBuilder(go.toString(), "build", "-o", binary.toString(), ".")
        .directory(SOURCE.toFile()).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("GOFLAGS", "-mod=mod");
    env.put("GOPROXY", "off");
    env.put("GOTOOLCHAIN", "local");
    env.put("GOCACHE", TARGET.resolve("cache").toAbsolutePath().toString());
    env.put("GOPATH", TARGET.resolve("path").toAbsolutePath().toString());
    Result r = run(pb, 300);
    if (r.code != 0) {
      throw new AssertionError("building the Go note checker failed (are golang-go and golang-golang-x-mod-dev"
          + " installed? ./test installs them):\n" + r.out);
    }
  }

  private static Path findGo() {
    for (String d : Splitter.on(':').split(System.getenv().getOrDefault("PATH", "") + ":/usr/lib/go/bin:/usr/bin")) {
      Path p = Path.of(d.isEmpty() ? "." : d, "go");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new AssertionError("the Go toolchain is missing: this interoperability test needs it (not skipped on"
        + " purpose). Install it with: apt-get install -y golang-go golang-golang-x-mod-dev (./test does that when run as root)");
  }

  record Result(int code, String out) {}

  private static Result run(ProcessBuilder pb, int seconds) throws IOException, InterruptedException {
    Process p = pb.redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + pb.command());
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  Result check(SignedNote note, String logKey, String origin, long size, List<String> witnesses) throws Exception {
    Path file = Files.write(dir.resolve("note-" + System.nanoTime()), note.encoded());
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-note", file.toString(), "-key", logKey,
        "-origin", origin, "-size", Long.toString(size)));
    for (String w : witnesses) {
      cmd.add("-witness");
      cmd.add(w);
    }
    return run(new ProcessBuilder(cmd), 60);
  }

  static Bytes seed(int b) {
    byte[] s = new byte[32];
    s[31] = (byte) b;
    return Bytes.copyOf(s);
  }

  static MerkleTree tree(int size) {
    InMemoryNodeHashes nodes = new InMemoryNodeHashes();
    for (int i = 0; i < size; i++) {
      nodes.append(MerkleHash.leafHash(("entry " + i).getBytes(StandardCharsets.UTF_8)));
    }
    return new MerkleTree(nodes);
  }

  @Test
  void goSumdbNote_custodyCheckpointsOfManySizesWithAndWithoutExtensionsAndCosignatures_allVerify() throws Exception {
    String origin = "example.com/custody/log";
    Ed25519NoteSigner logKey = Ed25519NoteSigner.fromSeed(origin, seed(1));
    CheckpointSigner log = new CheckpointSigner(origin, logKey);
    CosignatureV1Signer w1 = Ed25519NoteSigner.fromSeed("witness1.example", seed(2))
        .cosigner(Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC));
    CosignatureV1Signer w2 = Ed25519NoteSigner.fromSeed("witness2.example", seed(3))
        .cosigner(Clock.fixed(Instant.parse("2025-06-01T00:00:01Z"), ZoneOffset.UTC));
    MerkleTree t = tree(300);
    int cases = 0;
    for (long size : new long[] {0, 1, 2, 3, 7, 8, 64, 255, 300}) {
      for (List<String> ext : List.of(List.<String>of(), List.of("custody-ext one"), List.of("a", "b \u2014 c"))) {
        SignedNote plain = log.sign(new Checkpoint(origin, size, t.root(size), ext));
        assertOk(check(plain, logKey.verifierKey().encode(), origin, size, List.of()), plain);
        SignedNote cosigned = plain.addSignatures(List.of(w1, w2));
        Result r = check(cosigned, logKey.verifierKey().encode(), origin, size,
            List.of(w1.verifierKey().encode(), w2.verifierKey().encode()));
        assertOk(r, cosigned);
        assertThat(r.out()).contains("cosigned witness1.example+" + w1.keyId().hex() + " 1748736000")
            .contains("cosigned witness2.example+" + w2.keyId().hex() + " 1748736001");
        cases += 2;
      }
    }
    // A size beyond 2^32 and an origin with spaces (as Go's checksum database has).
    CheckpointSigner spaced = new CheckpointSigner("go.sum database tree", logKey);
    SignedNote big = spaced.sign(Long.MAX_VALUE, t.root(300));
    assertOk(check(big, logKey.verifierKey().encode(), "go.sum database tree", Long.MAX_VALUE, List.of()), big);
    assertThat(cases).isEqualTo(54);
  }

  @Test
  void goSumdbNote_tamperedCheckpointOrForeignCosignature_rejected() throws Exception {
    String origin = "example.com/log";
    Ed25519NoteSigner logKey = Ed25519NoteSigner.fromSeed(origin, seed(1));
    SignedNote note = new CheckpointSigner(origin, logKey).sign(tree(5), 5);
    String tampered = new String(note.encoded(), StandardCharsets.UTF_8).replace("\n5\n", "\n6\n");
    Result r = check(SignedNote.parse(tampered), logKey.verifierKey().encode(), origin, 6, List.of());
    assertThat(r.code).as(r.out).isEqualTo(1);
    assertThat(r.out).contains("note.Open");

    // A witness key that did not cosign: the Go side must say so (the harness can fail).
    CosignatureV1Signer absent = Ed25519NoteSigner.fromSeed("absent.example", seed(9)).cosigner(Clock.systemUTC());
    Result r2 = check(note, logKey.verifierKey().encode(), origin, 5, List.of(absent.verifierKey().encode()));
    assertThat(r2.code).as(r2.out).isEqualTo(1);
    assertThat(r2.out).contains("no verified cosignature");
  }

  private static void assertOk(Result r, SignedNote note) {
    assertThat(r.code).as("Go's sumdb/note rejected custody's note:\n" + note + "\n--- notecheck said:\n" + r.out)
        .isZero();
    assertThat(r.out).endsWith("ok\n").contains("verified ");
  }
}
