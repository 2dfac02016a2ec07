package dev.custody.cli;

import dev.custody.core.digest.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Parses {@code --input}/{@code --output} values: {@code NAME[:KIND]=DIGEST_OR_PATH}. A value that is
 * a digest ({@code sha256:<hex>}) is taken as is; otherwise it names a file, which is hashed.
 * Without {@code :KIND} the kind is guessed from the name (model, base, weights → model; data… → dataset; …).
 */
final class Artifacts {
  private static final int BUFFER = 1 << 20;

  private Artifacts() {}

  static ArtifactRef parse(String spec, String option) throws IOException {
    int eq = spec.indexOf('=');
    if (eq <= 0 || eq == spec.length() - 1) {
      throw new IllegalArgumentException(option + " '" + spec + "': expected NAME=DIGEST_OR_PATH"
          + " (e.g. model=sha256:<hex> or train-data:dataset=./data.jsonl)");
    }
    String name = spec.substring(0, eq);
    String value = spec.substring(eq + 1);
    ArtifactKind kind = null;
    int colon = name.lastIndexOf(':');
    if (colon > 0) {
      try {
        kind = ArtifactKind.fromJson(name.substring(colon + 1));
        name = name.substring(0, colon);
      } catch (IllegalArgumentException notAKind) {
        // The colon is part of the name.
      }
    }
    if (kind == null) {
      kind = guessKind(name);
    }
    Digest digest;
    if (value.startsWith("sha256:")) {
      digest = Digest.parse(value);
    } else {
      Path p = Path.of(value);
      if (Files.isDirectory(p)) {
        throw new IllegalArgumentException(option + " " + name + ": " + p + " is a directory; pass a file or a digest"
            + " (directory manifests come with model manifest support)");
      }
      if (!Files.isRegularFile(p)) {
        throw new IllegalArgumentException(option + " " + name + ": '" + value + "' is neither a sha256:<hex> digest"
            + " nor an existing file");
      }
      digest = hashFile(p);
    }
    try {
      return ArtifactRef.of(name, kind, digest);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " '" + spec + "': " + e.getMessage(), e);
    }
  }

  static ArtifactKind guessKind(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.equals("model") || n.equals("base") || n.contains("weights") || n.contains("checkpoint")
        || n.startsWith("model") || n.endsWith("model")) {
      return ArtifactKind.MODEL;
    }
    if (n.contains("data") || n.contains("shard") || n.contains("corpus")) {
      return ArtifactKind.DATASET;
    }
    if (n.contains("code") || n.contains("script") || n.contains("source")) {
      return ArtifactKind.CODE;
    }
    if (n.contains("config") || n.contains("params") || n.contains("hyper")) {
      return ArtifactKind.CONFIG;
    }
    if (n.contains("report") || n.contains("eval") || n.contains("result")) {
      return ArtifactKind.REPORT;
    }
    return ArtifactKind.OTHER;
  }

  /** SHA-256 of a file's content, streamed. */
  static Digest hashFile(Path p) throws IOException {
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[BUFFER];
    try (InputStream in = Files.newInputStream(p)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return Digest.ofSha256(md.digest());
  }
}
