package dev.custody.core.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelHasherTest {
  private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @TempDir Path tmp;
  Path model;

  @BeforeEach
  void makeModel() throws Exception {
    model = tmp.resolve("model");
    Random r = new Random(42);
    NaiveManifest.write(model.resolve("config.json"), "{\"layers\": 2}".getBytes());
    NaiveManifest.write(model.resolve("weights.bin"), random(r, 100)); // 15 shards of 7: 0,7,...,98
    NaiveManifest.write(model.resolve("a/b"), random(r, 21)); // exactly three 7-byte shards
    NaiveManifest.write(model.resolve("a-b"), random(r, 3)); // "a/b" sorts before "a-b"
    NaiveManifest.write(model.resolve("empty.txt"), new byte[0]);
    NaiveManifest.write(model.resolve("sub/dir/x:1:2"), random(r, 9)); // a colon in a file name
  }

  private static byte[] random(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  private static List<String> hexes(ModelManifest m) {
    return m.resources().stream().map(x -> x.digest().value().hex()).toList();
  }

  private static void assertEqualsNaive(ModelManifest m, List<NaiveManifest.Entry> naive) throws Exception {
    assertThat(m.resources()).extracting(Resource::name)
        .containsExactlyElementsOf(naive.stream().map(NaiveManifest.Entry::name).toList());
    assertThat(hexes(m)).containsExactlyElementsOf(naive.stream().map(e -> NaiveManifest.hex(e.digest())).toList());
    assertThat(m.rootDigest().value().hex()).isEqualTo(NaiveManifest.rootHex(naive));
  }

  @Test
  void hash_filesMethod_equalsNaiveComputation() throws Exception {
    ModelManifest m = ModelHasher.builder().build().hash(model);

    assertEqualsNaive(m, NaiveManifest.of(model, 0, ModelHasher.DEFAULT_IGNORE_PATHS));
    assertThat(m.resources()).extracting(Resource::name)
        .containsExactly("a/b", "a-b", "config.json", "empty.txt", "sub/dir/x:1:2", "weights.bin");
    assertThat(m.digestOf("empty.txt").orElseThrow().value().hex()).isEqualTo(EMPTY_SHA256);
  }

  @Test
  void hash_sevenByteShards_equalsNaiveComputationInNumericOffsetOrder() throws Exception {
    ModelManifest m = ModelHasher.builder().shards(7).build().hash(model);

    assertEqualsNaive(m, NaiveManifest.of(model, 7, ModelHasher.DEFAULT_IGNORE_PATHS));
    List<String> names = m.resources().stream().map(Resource::name).toList();
    assertThat(names).containsSubsequence("weights.bin:0:7", "weights.bin:7:14", "weights.bin:14:21",
        "weights.bin:98:100");
    assertThat(names).contains("a/b:14:21", "sub/dir/x:1:2:7:9").noneMatch(n -> n.startsWith("empty.txt"));
    assertThat(m.serialization().resourceAlgorithm()).isEqualTo("sha256-sharded-7");
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 21, 99, 100, 101, 1_000_000_000L})
  void hash_anyShardSize_equalsNaiveComputation(long shardSize) throws Exception {
    ModelManifest m = ModelHasher.builder().shards(shardSize).threads(2).build().hash(model);

    assertEqualsNaive(m, NaiveManifest.of(model, shardSize, ModelHasher.DEFAULT_IGNORE_PATHS));
  }

  @Test
  void hash_fileLargerThanBuffers_equalsNaiveComputation() throws Exception {
    Path big = tmp.resolve("big");
    NaiveManifest.write(big.resolve("w.bin"), random(new Random(7), 3 * 4096 * 5 + 123));

    ModelManifest files = ModelHasher.builder().bufferSize(4096).build().hash(big);
    ModelManifest shards = ModelHasher.builder().bufferSize(4096).shards(10_000).build().hash(big);

    assertEqualsNaive(files, NaiveManifest.of(big, 0, List.of()));
    assertEqualsNaive(shards, NaiveManifest.of(big, 10_000, List.of()));
    assertThat(shards.resources()).hasSize(7);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 8, 64})
  void hash_differentThreadCounts_sameManifest(int threads) throws Exception {
    ModelManifest expected = ModelHasher.builder().shards(5).threads(1).bufferSize(4096).build().hash(model);

    ModelManifest m = ModelHasher.builder().shards(5).threads(threads).build().hash(model);

    assertThat(m).isEqualTo(expected);
    assertThat(m.toJson()).isEqualTo(expected.toJson());
  }

  @ParameterizedTest
  @EnumSource(Sha256Engine.class)
  void hash_eachSha256Engine_sameManifest(Sha256Engine engine) throws Exception {
    ModelManifest m = ModelHasher.builder().engine(engine).shards(7).build().hash(model);

    assertEqualsNaive(m, NaiveManifest.of(model, 7, ModelHasher.DEFAULT_IGNORE_PATHS));
  }

  @Test
  void hash_gitPathsAndUserPaths_ignoredAndRecorded() throws Exception {
    NaiveManifest.write(model.resolve(".git/HEAD"), "ref".getBytes());
    NaiveManifest.write(model.resolve(".gitignore"), "x".getBytes());
    NaiveManifest.write(model.resolve("sub/.git"), "nested git is not a default exclusion".getBytes());
    NaiveManifest.write(model.resolve(".custody/segments/0.jsonl"), "ledger".getBytes());
    NaiveManifest.write(model.resolve("cache/tmp.bin"), "c".getBytes());
    NaiveManifest.write(model.resolve("sub/cache"), "not the top-level cache".getBytes());

    ModelManifest m = ModelHasher.builder().ignorePath(".custody").ignorePath("cache").build().hash(model);

    List<String> names = m.resources().stream().map(Resource::name).toList();
    assertThat(names).contains("sub/.git", "sub/cache")
        .noneMatch(n -> n.startsWith(".git") || n.startsWith(".custody") || n.startsWith("cache/"));
    assertThat(m.serialization().ignorePaths())
        .containsExactly(".custody", ".git", ".gitattributes", ".github", ".gitignore", "cache");
  }

  @Test
  void hash_gitPathsNotIgnored_includesThem() throws Exception {
    NaiveManifest.write(model.resolve(".git/HEAD"), "ref".getBytes());

    ModelManifest m = ModelHasher.builder().ignoreGitPaths(false).build().hash(model);

    assertThat(m.digestOf(".git/HEAD")).isPresent();
    assertThat(m.serialization().ignorePaths()).isEmpty();
  }

  @Test
  void hash_fileSymlink_refusedNamingTheLink() throws Exception {
    Path link = model.resolve("sub/link.bin");
    Files.createSymbolicLink(link, model.resolve("weights.bin"));

    assertThatThrownBy(() -> ModelHasher.builder().build().hash(model))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("refusing symbolic link " + link)
        .hasMessageContaining("weights.bin")
        .satisfies(e -> assertThat(((ManifestException) e).path()).contains(link));
  }

  @Test
  void hash_directorySymlink_refused() throws Exception {
    Files.createSymbolicLink(model.resolve("linked-dir"), model.resolve("sub"));

    assertThatThrownBy(() -> ModelHasher.builder().build().hash(model))
        .isInstanceOf(ManifestException.class).hasMessageContaining("linked-dir");
  }

  @Test
  void hash_modelPathIsSymlink_refused() throws Exception {
    Path link = tmp.resolve("model-link");
    Files.createSymbolicLink(link, model);

    assertThatThrownBy(() -> ModelHasher.builder().build().hash(link))
        .isInstanceOf(ManifestException.class).hasMessageContaining("refusing symbolic link " + link);
  }

  @Test
  void hash_symlinkUnderIgnorePath_notRefused() throws Exception {
    Files.createDirectories(model.resolve("cache"));
    Files.createSymbolicLink(model.resolve("cache/link"), model.resolve("weights.bin"));

    ModelManifest m = ModelHasher.builder().ignorePath("cache").build().hash(model);

    assertThat(m.resources()).noneMatch(r -> r.name().startsWith("cache"));
  }

  @Test
  void hash_symlinksAllowed_hashesTargetUnderLinkName() throws Exception {
    Files.createSymbolicLink(model.resolve("alias.bin"), model.resolve("weights.bin"));

    ModelManifest m = ModelHasher.builder().allowSymlinks(true).build().hash(model);

    assertThat(m.digestOf("alias.bin")).isEqualTo(m.digestOf("weights.bin")).isPresent();
    assertThat(m.serialization().allowSymlinks()).isTrue();
  }

  @Test
  void hash_symlinkCycleAllowed_reportsCycle() throws Exception {
    Files.createSymbolicLink(model.resolve("sub/loop"), model.resolve("sub"));

    assertThatThrownBy(() -> ModelHasher.builder().allowSymlinks(true).build().hash(model))
        .isInstanceOf(ManifestException.class).hasMessageContaining("cycle");
  }

  @Test
  void hash_emptyDirectory_rejected() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty/sub"));

    assertThatThrownBy(() -> ModelHasher.builder().build().hash(empty.getParent()))
        .isInstanceOf(ManifestException.class).hasMessageContaining("contains no regular file");
  }

  @Test
  void hash_onlyIgnoredFiles_rejected() throws Exception {
    Path m = tmp.resolve("git-only");
    NaiveManifest.write(m.resolve(".git/HEAD"), "x".getBytes());

    assertThatThrownBy(() -> ModelHasher.builder().build().hash(m))
        .isInstanceOf(ManifestException.class).hasMessageContaining("after ignoring");
  }

  @Test
  void hash_onlyEmptyFilesAsShards_rejectedWithAdvice() throws Exception {
    Path m = tmp.resolve("empties");
    NaiveManifest.write(m.resolve("a"), new byte[0]);

    assertThatThrownBy(() -> ModelHasher.builder().shards(7).build().hash(m))
        .isInstanceOf(ManifestException.class).hasMessageContaining("files method");
    assertThat(ModelHasher.builder().build().hash(m).digestOf("a").orElseThrow().value().hex())
        .isEqualTo(EMPTY_SHA256);
  }

  @Test
  void hash_singleFile_namedByFileNameWithNoIgnorePaths() throws Exception {
    ModelManifest m = ModelHasher.builder().ignorePath("x").build().hash(model.resolve("weights.bin"));

    assertThat(m.resources()).extracting(Resource::name).containsExactly("weights.bin");
    assertThat(m.serialization().ignorePaths()).isEmpty();
    assertThat(m.rootDigest().value().hex()).isEqualTo(NaiveManifest.hex(NaiveManifest.sha256(
        NaiveManifest.sha256(Files.readAllBytes(model.resolve("weights.bin")), 0, 100), 0, 32)));
  }

  @Test
  void hash_missingPath_noSuchFile() {
    assertThatThrownBy(() -> ModelHasher.builder().build().hash(tmp.resolve("nope")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void hash_namedPipe_refused() throws Exception {
    Path fifo = model.resolve("pipe");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(p.waitFor()).isZero();

    assertThatThrownBy(() -> ModelHasher.builder().build().hash(model))
        .isInstanceOf(ManifestException.class).hasMessageContaining("not a regular file").hasMessageContaining("pipe");
  }

  @Test
  void hash_progress_startsAtZeroEndsAtTotalNeverDecreases() throws Exception {
    List<long[]> calls = new ArrayList<>();
    AtomicLong concurrent = new AtomicLong();
    HashProgress listener = (done, total) -> {
      if (concurrent.incrementAndGet() != 1) {
        throw new AssertionError("concurrent progress call");
      }
      calls.add(new long[] {done, total});
      concurrent.decrementAndGet();
    };

    ModelHasher.builder().shards(7).threads(4).progress(listener).build().hash(model);

    long total = 13 + 100 + 21 + 3 + 9;
    assertThat(calls.get(0)).containsExactly(0, total);
    assertThat(calls.get(calls.size() - 1)).containsExactly(total, total);
    for (int i = 1; i < calls.size(); i++) {
      assertThat(calls.get(i)[0]).isGreaterThanOrEqualTo(calls.get(i - 1)[0]);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"grow", "truncate"})
  void hash_fileChangesWhileHashed_rejectedNamingTheFile(String change) throws Exception {
    Path m = tmp.resolve("changing");
    Path file = m.resolve("w.bin");
    NaiveManifest.write(file, new byte[3 * 4096]);
    HashProgress mutate = (done, total) -> {
      if (done == 4096) { // after the first buffer of the only file
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
          if (change.equals("grow")) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}), 3 * 4096);
          } else {
            ch.truncate(100);
          }
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };

    assertThatThrownBy(() -> ModelHasher.builder().bufferSize(4096).threads(1).progress(mutate).build().hash(m))
        .isInstanceOf(ManifestException.class).hasMessageContaining("changed while it was hashed")
        .hasMessageContaining(file.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"grow", "truncate", "truncateToZero"})
  void hash_mappedFileChangesWhileHashed_rejectedNamingTheFile(String change) throws Exception {
    // At least FileRangeHasher.MAP_MIN bytes: memory-mapped, where a shrunk file faults instead of reading short.
    Path m = tmp.resolve("changing-big");
    Path file = m.resolve("w.bin");
    int size = 3 << 20;
    NaiveManifest.write(file, new byte[size]);
    HashProgress mutate = (done, total) -> {
      if (done == 4096) { // after the first slice of the first window
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
          if (change.equals("grow")) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}), size);
          } else {
            ch.truncate(change.equals("truncate") ? 100 : 0);
          }
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };

    for (String method : List.of("files", "shards")) {
      NaiveManifest.write(file, new byte[size]);
      ModelHasher.Builder b = ModelHasher.builder().bufferSize(4096).threads(1).progress(mutate);
      ModelHasher h = (method.equals("files") ? b : b.shards(1 << 20)).build();

      assertThatThrownBy(() -> h.hash(m)).as(method)
          .isInstanceOf(ManifestException.class).hasMessageContaining("changed while it was hashed")
          .hasMessageContaining(file.toString());
    }
  }

  @Test
  void hash_filesAboveMappingThreshold_equalNaiveComputation() throws Exception {
    // Mapped items (>= 1 MiB): sizes around the threshold and a 64 MiB window boundary, shards not page-aligned.
    Path big = tmp.resolve("mapped");
    java.util.SplittableRandom r = new java.util.SplittableRandom(9);
    long[] sizes = {FileRangeHasher.MAP_MIN - 1, FileRangeHasher.MAP_MIN, FileRangeHasher.MAP_MIN + 1,
        FileRangeHasher.WINDOW + 4097};
    for (int i = 0; i < sizes.length; i++) {
      byte[] data = new byte[(int) sizes[i]];
      r.nextBytes(data);
      NaiveManifest.write(big.resolve("w" + i + ".bin"), data);
    }

    assertEqualsNaive(ModelHasher.builder().build().hash(big), NaiveManifest.of(big, 0, List.of()));
    assertEqualsNaive(ModelHasher.builder().shards(1_000_003).build().hash(big), NaiveManifest.of(big, 1_000_003,
        List.of()));
    assertEqualsNaive(ModelHasher.builder().shards(FileRangeHasher.MAP_MIN).threads(3).build().hash(big),
        NaiveManifest.of(big, FileRangeHasher.MAP_MIN, List.of()));
  }

  @Test
  void hash_fileSwappedForSymlinkAfterListing_refusedNotFollowed() throws Exception {
    // An insider replaces a listed file with a link to a secret while an earlier (larger) file is hashed.
    Path m = tmp.resolve("swapped");
    Path big = m.resolve("big.bin");
    Path small = m.resolve("small.bin");
    Path secret = tmp.resolve("secret.key");
    NaiveManifest.write(big, new byte[3 * 4096]);
    NaiveManifest.write(small, new byte[] {1, 2, 3});
    NaiveManifest.write(secret, "key".getBytes(java.nio.charset.StandardCharsets.UTF_8)); // as long as small.bin
    HashProgress swap = (done, total) -> {
      if (done == 4096) { // hashing big.bin (largest first); small.bin is listed and not yet opened
        try {
          Files.delete(small);
          Files.createSymbolicLink(small, secret);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };

    assertThatThrownBy(() -> ModelHasher.builder().bufferSize(4096).threads(1).progress(swap).build().hash(m))
        .isInstanceOf(ManifestException.class).hasMessageContaining("refusing symbolic link " + small)
        .hasMessageContaining(secret.toString());
  }

  @Test
  void builder_invalidOptions_rejected() {
    assertThatThrownBy(() -> ModelHasher.builder().shards(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ModelHasher.builder().threads(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ModelHasher.builder().bufferSize(100)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ModelHasher.builder().ignorePath("../x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ModelHasher.builder().ignorePath("/abs")).isInstanceOf(IllegalArgumentException.class);
  }
}
