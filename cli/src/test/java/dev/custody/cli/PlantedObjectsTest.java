package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Nothing outside the ledger is touched (issue 7, item 5): a symbolic link, FIFO or device planted
 * anywhere in a ledger makes the writer ({@code record}: open and append; {@code checkpoint}) and the
 * readers ({@code verify}, {@code log}) refuse with exit 2 and an error naming it, and whatever the
 * link points to is left byte for byte as it was. FIFOs are never opened, so nothing hangs; every
 * test has a timeout in case one would. Hard links: readers accept them (bytes are checked like any
 * others); the writer refuses to write a multiply-linked file in place.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PlantedObjectsTest {
  @TempDir static Path template;
  @TempDir Path tmp;
  Path ledger;
  Path keys;
  Path outside;

  /** What is planted, and where. */
  enum Plant {
    INDEX_DIR("index", true),
    TILE_DIR("tile", true),
    SEGMENTS_DIR("segments", true),
    CHECKPOINTS_DIR("checkpoints", true),
    MANIFESTS_DIR("manifests", true),
    LOG_DIR("log", true),
    NEXT_SEGMENT("segments/00000000000000000004.jsonl", true),
    LOCK("lock", true),
    CHECKPOINT("checkpoint", true),
    MARKER("ledger.json", true),
    FIFO_VKEY("log/vkey", false),
    FIFO_CHECKPOINT("checkpoint", false),
    FIFO_SEGMENT("segments/00000000000000000000.jsonl", false);

    final String path;
    final boolean link;

    Plant(String path, boolean link) {
      this.path = path;
      this.link = link;
    }
  }

  /** A ledger of four entries (one with a model manifest), checkpointed after every batch, and its signer's key. */
  @BeforeAll
  static void buildTemplate() throws Exception {
    Path keys = template.resolve("keys");
    Path ledger = template.resolve("ledger");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    Cli.ok("init", "--ledger", ledger, "--origin", "example.org/planted", "--checkpoint-interval", "0");
    Path model = Files.createDirectories(template.resolve("model"));
    Files.writeString(model.resolve("weights.bin"), "weights");
    Cli.ok("record", "release", "--ledger", ledger, "--chain", "acme/m", "--key", keys.resolve("alice.key"),
        "--version", "1.0", "--output", "model=" + model);
    for (int i = 0; i < 3; i++) {
      Cli.ok("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key", keys.resolve("alice.key"),
          "--text", "entry " + i);
    }
    for (String must : List.of("index", "segments", "checkpoints", "manifests", "log", "lock", "checkpoint")) {
      assertThat(ledger.resolve(must)).as("the template has %s", must).exists();
    }
  }

  @BeforeEach
  void copyTemplate() throws Exception {
    ledger = Cli.copyTree(template.resolve("ledger"), tmp.resolve("ledger"));
    keys = Cli.copyTree(template.resolve("keys"), tmp.resolve("keys"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("precious.txt"), "not the ledger's\n");
  }

  private void plant(Plant p) throws Exception {
    Path at = ledger.resolve(p.path);
    if (!p.link) {
      Files.deleteIfExists(at);
      dev.custody.attest.internal.store.FileLogStorePlantedWhileOpenTest.mkfifo(at);
      return;
    }
    Path target = outside.resolve(at.getFileName().toString());
    if (Files.isDirectory(at)) {
      Files.move(at, target); // the real directory, moved: plausible content behind the link
    } else if (Files.exists(at)) {
      Files.copy(at, target);
      Files.delete(at);
    } else if (p == Plant.TILE_DIR) {
      Files.createDirectories(target.resolve("0"));
      Files.writeString(target.resolve("0/000"), "a tile elsewhere");
    } else {
      Files.writeString(target, "a file elsewhere\n");
    }
    Files.createSymbolicLink(at, target);
  }

  private Cli.Result record() {
    return Cli.run("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key",
        keys.resolve("alice.key"), "--text", "after the plant");
  }

  private Cli.Result checkpoint() {
    return Cli.run("checkpoint", "--ledger", ledger);
  }

  private Cli.Result verify() {
    return Cli.run("verify", "--ledger", ledger, "--trust", keys, "--log-key", vkey());
  }

  private Cli.Result log() {
    return Cli.run("log", "--ledger", ledger);
  }

  private String vkey() {
    try {
      return Files.readString(template.resolve("ledger/log/vkey")).strip();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void assertRefused(Plant p, Cli.Result r) {
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).as("%s", r).contains(Path.of(p.path).getFileName().toString())
        .contains(p.link ? "is a symbolic link" : "is not a regular file or directory (a FIFO");
    assertThat(r.out()).doesNotContain("recorded");
  }

  private void check(Plant p, java.util.function.Supplier<Cli.Result> command) throws Exception {
    plant(p);
    Map<String, String> before = Cli.snapshot(outside);
    List<String> recordsBefore = recordsIfReadable();
    assertRefused(p, command.get());
    assertThat(Cli.snapshot(outside)).as("the files outside the ledger").isEqualTo(before);
    assertThat(recordsIfReadable()).as("the ledger's records").isEqualTo(recordsBefore);
  }

  /** The segment's lines, when the segment is a regular file (read around the plant otherwise). */
  private List<String> recordsIfReadable() throws IOException {
    Path seg = ledger.resolve(Plant.FIFO_SEGMENT.path);
    return Files.isRegularFile(seg) ? Files.readAllLines(seg) : new ArrayList<>();
  }

  @ParameterizedTest
  @EnumSource(Plant.class)
  void record_plantedObject_refusedNamingItAndOutsideUntouched(Plant p) throws Exception {
    check(p, this::record);
  }

  @ParameterizedTest
  @EnumSource(Plant.class)
  void checkpoint_plantedObject_refusedNamingItAndOutsideUntouched(Plant p) throws Exception {
    check(p, this::checkpoint);
  }

  @ParameterizedTest
  @EnumSource(Plant.class)
  void verify_plantedObject_refusedNamingItAndOutsideUntouched(Plant p) throws Exception {
    check(p, this::verify);
  }

  @ParameterizedTest
  @EnumSource(Plant.class)
  void log_plantedObject_refusedNamingItAndOutsideUntouched(Plant p) throws Exception {
    check(p, this::log);
  }

  @Test
  void record_segmentHardLinkedOutside_refusedNamingTheLinksAndOutsideUntouched() throws Exception {
    Path seg = ledger.resolve(Plant.FIFO_SEGMENT.path);
    Files.createLink(outside.resolve("same-inode.jsonl"), seg);
    Map<String, String> before = Cli.snapshot(outside);

    Cli.Result r = record();
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("00000000000000000000.jsonl").contains("has 2 hard links");
    assertThat(Cli.snapshot(outside)).isEqualTo(before);
  }

  @Test
  void verifyAndLog_segmentHardLinked_readAsAnyOtherFile() throws Exception {
    Files.createLink(outside.resolve("same-inode.jsonl"), ledger.resolve(Plant.FIFO_SEGMENT.path));
    assertThat(verify().code()).as("%s", verify()).isEqualTo(Main.VERIFIED);
    assertThat(log().code()).isEqualTo(Main.VERIFIED);
  }

  @Test
  void record_ledgerRootItselfALink_allowed() throws Exception {
    Path link = Files.createSymbolicLink(tmp.resolve("current"), ledger);
    Cli.Result r = Cli.run("record", "annotation", "--ledger", link, "--chain", "acme/a", "--key",
        keys.resolve("alice.key"), "--text", "through the link the user gave");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.VERIFIED);
    assertThat(Cli.run("verify", "--ledger", link, "--trust", keys, "--log-key", vkey()).code())
        .isEqualTo(Main.VERIFIED);
  }
}
