package dev.custody.core.merkle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.core.Bytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Reads the shared test vectors (surefire sets {@code custody.vectors}). */
final class Vectors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Vectors() {}

  static Path dir() {
    String dir = System.getProperty("custody.vectors");
    if (dir == null) {
      throw new IllegalStateException("system property custody.vectors is not set (run through maven)");
    }
    return Path.of(dir);
  }

  static Path merkle() {
    return dir().resolve("transparency-dev-merkle");
  }

  static JsonNode read(Path file) {
    try {
      return JSON.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** All JSON files under {@code dir}, sorted, relative names kept for test display. */
  static List<Path> jsonFiles(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Bytes b64(JsonNode node) {
    return Bytes.copyOf(Base64.getDecoder().decode(node.asText()));
  }

  static Bytes hex(JsonNode node) {
    return Bytes.fromHex(node.asText());
  }

  /** A base64 list; JSON null is the empty list (Go's nil slice). */
  static List<Bytes> b64List(JsonNode node) {
    List<Bytes> out = new ArrayList<>();
    if (node != null && !node.isNull()) {
      node.forEach(n -> out.add(b64(n)));
    }
    return out;
  }

  static byte[] unhex(String hex) {
    return HexFormat.of().parseHex(hex);
  }
}
