package dev.custody.attest;

import dev.custody.attest.SigningKey;
import dev.custody.attest.EntrySigner;
import dev.custody.attest.internal.store.LogStore;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Shared test material: keys generated once per JVM, sample events, record makers, directory snapshots. */
public final class TestFixtures {
  /** Generating keys from the strong random source is slowish; every test shares these. */
  public static final SigningKey ED25519 = SigningKey.generate(dev.custody.core.jws.KeyAlgorithm.ED25519);

  public static final Instant TIME = Instant.parse("2026-11-28T12:00:00Z");

  private TestFixtures() {}

  /** A training event whose output digest depends on {@code n}, so every entry differs. */
  public static Event event(String label, long n) {
    return Event.builder(EventType.TRAINING)
        .output(ArtifactRef.of("model", ArtifactKind.MODEL,
            Digest.sha256((label + "#" + n).getBytes(StandardCharsets.UTF_8))))
        .parameter("step", label + "#" + n)
        .build();
  }

  /** A maker that signs a sample event with the shared Ed25519 key at whatever position the store assigns. */
  public static LogStore.RecordMaker maker(String chain, String label) {
    return (seq, prev) -> EntrySigner.sign(
        new EntryPayload(chain, seq, prev, ED25519.keyId(), TIME, event(label, seq)), ED25519);
  }

  /** Every regular file under {@code dir} with its bytes, by relative path. */
  public static Map<String, String> snapshot(Path dir) {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p)) {
          out.put(dir.relativize(p).toString(), new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
        } else if (Files.isDirectory(p)) {
          out.put(dir.relativize(p) + "/", "");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
