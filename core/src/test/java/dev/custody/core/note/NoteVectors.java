package dev.custody.core.note;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the shared note/checkpoint vectors (surefire sets {@code custody.vectors}). Test helper. */
public final class NoteVectors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private NoteVectors() {}

  public static Path dir() {
    String dir = System.getProperty("custody.vectors");
    if (dir == null) {
      throw new IllegalStateException("system property custody.vectors is not set (run through maven)");
    }
    return Path.of(dir);
  }

  public static JsonNode json(String relative) {
    try {
      return JSON.readTree(Files.readAllBytes(dir().resolve(relative)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] bytes(String relative) {
    try {
      return Files.readAllBytes(dir().resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonNode c2sp() {
    return json("c2sp/c2sp-examples.json");
  }

  public static JsonNode goNote() {
    return json("golang-mod-sumdb/note-vectors.json");
  }

  public static JsonNode formats() {
    return json("transparency-dev-formats/formats-vectors.json");
  }

  public static JsonNode sigsum() {
    return json("sigsum-go/sigsum-vectors.json");
  }

  public static JsonNode sumdbLookup() {
    return json("sigsum-proposals-sumdb/sumdb-lookup-49189689.json");
  }

  public static JsonNode tessera() {
    return json("tessera-testdata/tessera-log.json");
  }

  public static byte[] utf8(JsonNode n) {
    return n.asText().getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
