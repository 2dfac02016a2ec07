package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared test vectors written by others ({@code ../shared/vectors}, see its README.md).
 * Surefire passes the directory as the system property {@code custody.vectors}; a missing
 * directory fails the test rather than skipping it, so known-answer tests cannot silently vanish.
 */
public final class Vectors {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Vectors() {}

  /** The vectors directory. */
  public static Path dir() {
    String dir = System.getProperty("custody.vectors");
    assertThat(dir).as("system property custody.vectors (set by surefire)").isNotNull();
    Path p = Path.of(dir);
    assertThat(p).as("shared vectors directory").isDirectory();
    return p;
  }

  /** A file under the vectors directory, e.g. {@code wycheproof/ed25519_test.json}; it must exist. */
  public static Path file(String relative) {
    Path p = dir().resolve(relative);
    assertThat(p).as("vector file").isRegularFile();
    return p;
  }

  /** A vector file parsed as JSON (plain Jackson: these are others' files, not custody formats). */
  public static JsonNode json(String relative) {
    try {
      return MAPPER.readTree(file(relative).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a whole vector file as bytes. */
  public static byte[] bytes(String relative) {
    try {
      return Files.readAllBytes(file(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
