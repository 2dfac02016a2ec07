package dev.custody.core.event;

import dev.custody.core.internal.text.Untrusted;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What an artifact is; its JSON form is the lowercase name. */
public enum ArtifactKind {
  MODEL,
  DATASET,
  CODE,
  CONFIG,
  REPORT,
  OTHER;

  /** The JSON name, e.g. {@code model}. */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The kind an artifact's name suggests, for callers that do not say: {@code model}, {@code base}, names
   * starting or ending in {@code model}, or containing {@code weights} or {@code checkpoint} are
   * {@link #MODEL}; names containing {@code data}, {@code shard} or {@code corpus} {@link #DATASET};
   * {@code code}, {@code script}, {@code source} {@link #CODE}; {@code config}, {@code params},
   * {@code hyper} {@link #CONFIG}; {@code report}, {@code eval}, {@code result} {@link #REPORT}; anything
   * else {@link #OTHER}. Case-insensitive, first match in that order.
   */
  public static ArtifactKind guess(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.equals("model") || n.equals("base") || n.contains("weights") || n.contains("checkpoint")
        || n.startsWith("model") || n.endsWith("model")) {
      return MODEL;
    }
    if (n.contains("data") || n.contains("shard") || n.contains("corpus")) {
      return DATASET;
    }
    if (n.contains("code") || n.contains("script") || n.contains("source")) {
      return CODE;
    }
    if (n.contains("config") || n.contains("params") || n.contains("hyper")) {
      return CONFIG;
    }
    if (n.contains("report") || n.contains("eval") || n.contains("result")) {
      return REPORT;
    }
    return OTHER;
  }

  /** Parses a JSON name; throws {@link IllegalArgumentException} listing the accepted names. */
  public static ArtifactKind fromJson(String name) {
    for (ArtifactKind k : values()) {
      if (k.jsonName().equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown artifact kind " + Untrusted.quote(name) + " (expected one of "
        + Arrays.stream(values()).map(ArtifactKind::jsonName).collect(Collectors.joining(", ")) + ")");
  }
}
