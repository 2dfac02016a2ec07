package dev.custody.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.attest.internal.artifacts.ModelArtifacts;
import dev.custody.core.FormatException;
import dev.custody.core.internal.json.StrictJson;
import dev.custody.core.manifest.ManifestException;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.manifest.ModelManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
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
  @Mixin ModelHashOptions hashing;

  @Parameters(index = "0", paramLabel = "PATH", description = "Model directory or single model file.")
  Path path;

  @Option(names = "--json", description = "Print {rootDigest, serialization, resources} as JSON (the last two"
      + " are the OMS predicate).")
  boolean json;

  @Override
  public Integer call() throws IOException, ManifestException, FormatException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(path.toString());
    }
    ModelHasher.Builder b = hashing.builder(path);
    ModelManifest manifest;
    try (HashBar bar = HashBar.start("hash", quiet.quiet || json)) {
      manifest = ModelArtifacts.hash(path, b.progress(bar), ledger.isUrl() ? null : ledger.resolve()); // a ledger inside is ignored
    }
    spec.commandLine().getOut().println(json ? toJson(manifest) : manifest.rootDigest().toString());
    return Main.VERIFIED;
  }

  /**
   * {@code {"rootDigest": ..., "serialization": ..., "resources": ...}}: the OMS predicate plus
   * rootDigest, written by {@link Json} (resource names are file names, escaped as JSON needs).
   */
  private static String toJson(ModelManifest manifest) throws FormatException {
    JsonNode predicate = StrictJson.parse(manifest.toJson(), Integer.MAX_VALUE, "manifest");
    return Json.object(g -> {
      g.writeStringField("rootDigest", manifest.rootDigest().toString());
      for (Iterator<Map.Entry<String, JsonNode>> it = predicate.properties().iterator(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> member = it.next();
        g.writeFieldName(member.getKey());
        g.writeTree(member.getValue());
      }
    });
  }
}
