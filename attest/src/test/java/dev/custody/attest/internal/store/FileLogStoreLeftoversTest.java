package dev.custody.attest.internal.store;

import static dev.custody.attest.TestFixtures.maker;
import static dev.custody.attest.internal.store.LogStoreContract.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.Ledger;
import dev.custody.core.FormatException;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.checkpoint.LogConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Crash leftovers (issue 7, item 7): what a kill at each point of creating a ledger or of storing a
 * checkpoint leaves, created here exactly. An interrupted creation is "not a ledger yet" and can be
 * run again; a ledger whose log identity is incomplete (left by versions that wrote the marker first)
 * is refused with what to do; the store's temporary files are removed by the next writer.
 */
class FileLogStoreLeftoversTest {
  private static final LogConfig CONFIG = new LogConfig("example.org/leftovers", Optional.of(0L));

  @TempDir Path dir;
  @TempDir Path elsewhere;

  /** The points at which {@code custody init} can be interrupted, and what each leaves behind. */
  enum InitInterrupted {
    DIRECTORY_MADE,
    SEGMENTS_MADE,
    LOG_DIRECTORY_MADE,
    KEY_CREATED_EMPTY,
    KEY_HALF_WRITTEN,
    KEY_WRITTEN,
    VKEY_TEMPORARY,
    VKEY_WRITTEN,
    CONFIG_TEMPORARY,
    CONFIG_WRITTEN,
    MARKER_TEMPORARY
  }

  /** Creates what a kill at {@code point} leaves, from a complete ledger made elsewhere. */
  private void leave(InitInterrupted point) throws Exception {
    Path complete = elsewhere.resolve("complete");
    Ledger.create(complete, CONFIG, new SecureRandom());
    Files.createDirectories(dir);
    int step = point.ordinal();
    if (step >= InitInterrupted.SEGMENTS_MADE.ordinal()) {
      Files.createDirectories(dir.resolve(LedgerLayout.SEGMENTS));
    }
    if (step >= InitInterrupted.LOG_DIRECTORY_MADE.ordinal()) {
      Files.createDirectories(dir.resolve(LedgerLayout.LOG_DIR));
    }
    byte[] key = Files.readAllBytes(complete.resolve(LedgerLayout.LOG_KEY));
    byte[] vkey = Files.readAllBytes(complete.resolve(LedgerLayout.LOG_VKEY));
    byte[] config = Files.readAllBytes(complete.resolve(LedgerLayout.LOG_CONFIG));
    if (step == InitInterrupted.KEY_CREATED_EMPTY.ordinal()) {
      Files.write(dir.resolve(LedgerLayout.LOG_KEY), new byte[0]);
    } else if (step == InitInterrupted.KEY_HALF_WRITTEN.ordinal()) {
      Files.write(dir.resolve(LedgerLayout.LOG_KEY), Arrays.copyOf(key, key.length / 2)); // disk full
    } else if (step >= InitInterrupted.KEY_WRITTEN.ordinal()) {
      Files.write(dir.resolve(LedgerLayout.LOG_KEY), key);
    }
    if (step == InitInterrupted.VKEY_TEMPORARY.ordinal()) {
      Files.write(dir.resolve("log").resolve(LedgerLayout.temporaryName("vkey", 42)), Arrays.copyOf(vkey, 10));
    } else if (step >= InitInterrupted.VKEY_WRITTEN.ordinal()) {
      Files.write(dir.resolve(LedgerLayout.LOG_VKEY), vkey);
    }
    if (step == InitInterrupted.CONFIG_TEMPORARY.ordinal()) {
      Files.write(dir.resolve("log").resolve(LedgerLayout.temporaryName("config.json", 43)), config);
    } else if (step >= InitInterrupted.CONFIG_WRITTEN.ordinal()) {
      Files.write(dir.resolve(LedgerLayout.LOG_CONFIG), config);
    }
    if (step == InitInterrupted.MARKER_TEMPORARY.ordinal()) {
      Files.writeString(dir.resolve(LedgerLayout.temporaryName(LedgerLayout.MARKER, 44)), "{\"format\"");
    }
  }

  @ParameterizedTest
  @EnumSource(InitInterrupted.class)
  void create_afterAnInterruptedCreate_notALedgerYetThenCreatedAgain(InitInterrupted point) throws Exception {
    leave(point);
    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("is not a custody ledger").hasMessageContaining("can simply be run again");

    Ledger.create(dir, CONFIG, new SecureRandom());

    try (Ledger ledger = Ledger.open(dir)) {
      assertThat(ledger.identity()).isPresent();
      ledger.append("acme/a", dev.custody.attest.TestFixtures.event("after", 0), dev.custody.attest.TestFixtures.ED25519);
    }
    LogIdentity id = LogIdentity.load(dir, true).orElseThrow();
    assertThat(CheckpointVerifier.forLog(id.origin(), id.verifierKey())
        .verify(Files.readAllBytes(dir.resolve(LedgerLayout.CHECKPOINT))).checkpoint().size()).isEqualTo(1);
    try (Stream<Path> s = Files.list(dir.resolve(LedgerLayout.LOG_DIR))) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("key", "vkey", "config.json");
    }
  }

  @Test
  void create_directoryHoldingSomethingElse_refusedAndNothingChanged() throws Exception {
    Files.createDirectories(dir.resolve(LedgerLayout.LOG_DIR));
    Files.writeString(dir.resolve("log/key"), "a key from an interrupted init");
    Files.writeString(dir.resolve("notes.txt"), "someone's notes");

    assertThatThrownBy(() -> Ledger.create(dir, CONFIG, new SecureRandom())).isInstanceOf(FormatException.class)
        .hasMessageContaining("is not empty (it holds 'notes.txt')");
    assertThat(Files.readString(dir.resolve("log/key"))).isEqualTo("a key from an interrupted init");
    assertThat(dir.resolve(LedgerLayout.MARKER)).doesNotExist();
  }

  /** A ledger of an earlier version whose init was interrupted after its marker: identity files missing or empty. */
  enum PartialIdentity {
    KEY_EMPTY("log/key is empty"),
    KEY_ONLY("log/config.json is missing but log/key exists"),
    VKEY_MISSING("log/vkey is missing"),
    KEY_MISSING("log/key is missing");

    final String says;

    PartialIdentity(String says) {
      this.says = says;
    }
  }

  @ParameterizedTest
  @EnumSource(PartialIdentity.class)
  void open_markerWrittenButIdentityIncomplete_refusedWithTheRepair(PartialIdentity partial) throws Exception {
    Ledger.create(dir, CONFIG, new SecureRandom());
    switch (partial) {
      case KEY_EMPTY -> Files.write(dir.resolve(LedgerLayout.LOG_KEY), new byte[0]);
      case KEY_ONLY -> {
        Files.delete(dir.resolve(LedgerLayout.LOG_VKEY));
        Files.delete(dir.resolve(LedgerLayout.LOG_CONFIG));
      }
      case VKEY_MISSING -> Files.delete(dir.resolve(LedgerLayout.LOG_VKEY));
      case KEY_MISSING -> Files.delete(dir.resolve(LedgerLayout.LOG_KEY));
      default -> throw new AssertionError(partial);
    }
    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("log identity of ledger " + dir + " is incomplete: " + partial.says)
        .hasMessageContaining("If the ledger holds no entries, delete " + dir + " and run 'custody init' again")
        .hasMessageContaining("restore " + dir.resolve("log") + " from a backup");
    assertThat(dir.resolve(LedgerLayout.SEGMENTS).resolve(LedgerLayout.segmentName(0))).doesNotExist();
  }

  /** The points at which storing a checkpoint can be interrupted (StoredCheckpoints.store), and what each leaves. */
  enum CheckpointInterrupted {
    NUMBERED_TEMPORARY,
    NUMBERED_TEMPORARY_OLD_NAME,
    NUMBERED_WRITTEN_LATEST_OLD,
    LATEST_TEMPORARY
  }

  @ParameterizedTest
  @EnumSource(CheckpointInterrupted.class)
  void open_afterAnInterruptedCheckpoint_removesTheTemporaryAndSignsOn(CheckpointInterrupted point) throws Exception {
    Ledger.create(dir, CONFIG, new SecureRandom());
    try (FileLogStore s = FileLogStore.open(dir)) {
      for (int i = 0; i < 5; i++) {
        await(s.append("x", maker("x", "t")));
      }
    }
    byte[] latest = Files.readAllBytes(dir.resolve(LedgerLayout.CHECKPOINT));
    Path leftover = leaveCheckpoint(point, latest);

    try (FileLogStore s = FileLogStore.open(dir)) {
      if (leftover != null) {
        assertThat(leftover).doesNotExist();
        assertThat(s.repairs()).anyMatch(r -> r.contains("removed") && r.contains(leftover.getFileName().toString())
            && r.contains("temporary file left by an interrupted write"));
      }
      await(s.append("x", maker("x", "t")));
      assertThat(new String(s.signCheckpoint().encoded(), StandardCharsets.UTF_8)).startsWith(CONFIG.origin() + "\n6\n");
    }
    assertThat(LedgerLayout.checkpointFiles(dir).temporaries()).isEmpty();
    assertThat(LedgerLayout.checkpointFiles(dir).stray()).isEmpty();
  }

  /**
   * Creates in the ledger what a kill while storing the checkpoint after {@code latest} leaves.
   *
   * @return the temporary file left, or null
   */
  Path leaveCheckpoint(CheckpointInterrupted point, byte[] latest) throws Exception {
    Path cps = dir.resolve(LedgerLayout.CHECKPOINTS);
    byte[] half = Arrays.copyOf(latest, latest.length / 2);
    return switch (point) {
      case NUMBERED_TEMPORARY -> Files.write(cps.resolve(LedgerLayout.temporaryName("6", 7)), half);
      case NUMBERED_TEMPORARY_OLD_NAME -> Files.write(cps.resolve(".6" + "8123456789012345678" + ".tmp"), half);
      case NUMBERED_WRITTEN_LATEST_OLD -> {
        // checkpoints/5 stored, checkpoint still the previous one (size 4 or earlier): a stale copy
        List<Long> sizes = List.copyOf(LedgerLayout.checkpointFiles(dir).bySize().keySet());
        Files.copy(cps.resolve(Long.toString(sizes.get(0))), dir.resolve(LedgerLayout.CHECKPOINT),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        yield null;
      }
      case LATEST_TEMPORARY -> Files.write(dir.resolve(LedgerLayout.temporaryName(LedgerLayout.CHECKPOINT, 9)), half);
    };
  }
}
