package dev.custody.core.event;

import dev.custody.core.text.Untrusted;
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
