package dev.custody.cli;

import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.manifest.ResourceNames;
import dev.custody.core.manifest.Serialization;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * How model directories and files are hashed into manifests: the options of {@code hash}, shared by
 * every command that hashes a model it records ({@code record}, {@code run}). The manifest records
 * them (OMS {@code serialization}), so a verifier re-hashes the model the same way.
 */
final class ModelHashOptions {
  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--serialization", paramLabel = "files|shards",
      description = "Model manifests: one resource per file (default) or per shard of --shard-size bytes.")
  String serialization;

  @Option(names = "--shard-size", paramLabel = "N",
      description = "Shard size in bytes (implies --serialization shards; default 1000000000).")
  Long shardSize;

  @Option(names = "--ignore-paths", paramLabel = "P", arity = "1..*",
      description = "Paths to leave out of a model directory: absolute or relative to the current directory when that"
          + " lies inside the model, else relative to the model root. A directory is left out with everything below"
          + " it.")
  List<String> ignorePaths = new ArrayList<>();

  @Option(names = "--allow-symlinks", description = "Follow symbolic links and hash their targets (default: refuse"
      + " them).")
  boolean allowSymlinks;

  @Option(names = "--threads", paramLabel = "N", description = "Hashing threads (default: available processors).")
  Integer threads;

  /** Whether any of these options was given. */
  boolean given() {
    return serialization != null || shardSize != null || !ignorePaths.isEmpty() || allowSymlinks || threads != null;
  }

  /**
   * A hasher builder for {@code model} with these options: {@code --ignore-paths} resolved against
   * it when it is a directory.
   *
   * @throws CommandLine.ParameterException for a bad value or combination
   */
  ModelHasher.Builder builder(Path model) {
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
    b.ignorePaths(ignorePathsIn(model));
    return b;
  }

  /** {@code --ignore-paths} relative to {@code model} if it is a directory (see the option); none for a file. */
  List<String> ignorePathsIn(Path model) {
    List<String> out = new ArrayList<>();
    if (Files.isDirectory(model, LinkOption.NOFOLLOW_LINKS)) {
      Path root = model.toAbsolutePath().normalize();
      for (String p : ignorePaths) {
        out.add(modelRelative(root, p));
      }
    }
    return out;
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
}
