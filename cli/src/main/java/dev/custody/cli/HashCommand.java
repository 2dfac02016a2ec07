package dev.custody.cli;

import dev.custody.attest.artifacts.ModelArtifacts;
import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.FormatException;
import dev.custody.core.json.StrictJson;
import dev.custody.core.manifest.ManifestException;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.manifest.ModelManifest;
import dev.custody.core.manifest.ResourceNames;
import dev.custody.core.manifest.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code custody hash PATH}: the model manifest of a directory or file (OpenSSF model-signing v1.0
 * layout) and its root digest, the digest custody records for a model.
 */
@Command(name = "hash", mixinStandardHelpOptions = true,
    description = {"Hash a model directory or file into an OpenSSF model-signing v1.0 manifest and print its"
        + " root digest (sha256:<hex>), the model's digest in custody events.",
        "Ignored: .git, .gitattributes, .github, .gitignore at the top level, the ledger directory if it lies"
        + " inside the model, and every --ignore-paths. Symbolic links are refused unless --allow-symlinks."})
final class HashCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledger;
  @Mixin QuietOption quiet;

  @Parameters(index = "0", paramLabel = "PATH", description = "Model directory or single model file.")
  Path path;

  @Option(names = "--json", description = "Print {rootDigest, serialization, resources} as JSON (the last two"
      + " are the OMS predicate).")
  boolean json;

  @Option(names = "--serialization", paramLabel = "files|shards",
      description = "One resource per file (default) or per shard of --shard-size bytes.")
  String serialization;

  @Option(names = "--shard-size", paramLabel = "N",
      description = "Shard size in bytes (implies --serialization shards; default 1000000000).")
  Long shardSize;

  @Option(names = "--ignore-paths", paramLabel = "P", arity = "1..*",
      description = "Paths to leave out: absolute or relative to the current directory when that lies inside the"
          + " model, else relative to the model root. A directory is left out with everything below it.")
  List<String> ignorePaths = new ArrayList<>();

  @Option(names = "--allow-symlinks", description = "Follow symbolic links and hash their targets.")
  boolean allowSymlinks;

  @Option(names = "--threads", paramLabel = "N", description = "Hashing threads (default: available processors).")
  Integer threads;

  @Override
  public Integer call() throws IOException, ManifestException, FormatException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(path.toString());
    }
    ModelHasher.Builder b = ModelHasher.builder().allowSymlinks(allowSymlinks);
    Serialization.Method method = serialization == null
        ? (shardSize == null ? Serialization.Method.FILES : Serialization.Method.SHARDS)
        : parseMethod(serialization);
    if (method == Serialization.Method.SHARDS) {
      b.shards(shardSize == null ? Serialization.DEFAULT_SHARD_SIZE : positive(shardSize));
    } else if (shardSize != null) {
      throw usage("--shard-size needs --serialization shards");
    }
    if (threads != null) {
      b.threads(threads);
    }
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      Path root = path.toAbsolutePath().normalize();
      for (String p : ignorePaths) {
        b.ignorePath(modelRelative(root, p));
      }
    }
    ModelManifest manifest;
    try (HashBar bar = HashBar.start("hash", quiet.quiet)) {
      manifest = ModelArtifacts.hash(path, b.progress(bar), ledger.resolve()); // the ledger inside is ignored
    }
    spec.commandLine().getOut().println(json ? toJson(manifest) : manifest.rootDigest().toString());
    return Main.VERIFIED;
  }

  private Serialization.Method parseMethod(String name) {
    try {
      return Serialization.Method.fromJsonName(name);
    } catch (IllegalArgumentException e) {
      throw usage("--serialization: " + e.getMessage());
    }
  }

  private long positive(long n) {
    if (n <= 0) {
      throw usage("--shard-size must be a positive number of bytes, got " + n);
    }
    return n;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /** {@code p} as a path relative to the model root (see the option's description). */
  private String modelRelative(Path root, String p) {
    Path asGiven = Path.of(p).toAbsolutePath().normalize();
    Optional<String> inside = ResourceNames.relativeInside(root, asGiven);
    if (inside.isPresent()) {
      return inside.get();
    }
    String rel = p.replace('\\', '/');
    while (rel.startsWith("./")) {
      rel = rel.substring(2);
    }
    while (rel.endsWith("/") && rel.length() > 1) {
      rel = rel.substring(0, rel.length() - 1);
    }
    try {
      return ResourceNames.checkPath(rel);
    } catch (IllegalArgumentException e) {
      throw usage("--ignore-paths " + p + ": not inside the model " + root + " and not a path relative to it ("
          + e.getMessage() + ")");
    }
  }

  /**
   * {@code {"rootDigest": ..., "serialization": ..., "resources": ...}}: the OMS predicate plus
   * rootDigest, written by {@link Json} (resource names are file names, escaped as JSON needs).
   */
  private static String toJson(ModelManifest manifest) throws FormatException {
    JsonNode predicate = StrictJson.parse(manifest.toJson(), Integer.MAX_VALUE, "manifest");
    return Json.object(g -> {
      g.writeStringField("rootDigest", manifest.rootDigest().toString());
      for (Iterator<Map.Entry<String, JsonNode>> it = predicate.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> member = it.next();
        g.writeFieldName(member.getKey());
        g.writeTree(member.getValue());
      }
    });
  }
}
