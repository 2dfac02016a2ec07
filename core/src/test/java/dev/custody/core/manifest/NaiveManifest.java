package dev.custody.core.manifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * An independent, slow, obviously-correct model of OMS hashing for cross-checks: whole files read
 * into memory, names compared as lists of code-point arrays (the reference's PurePosixPath order)
 * and shards by numeric offsets, root digest over the concatenated raw digests.
 */
final class NaiveManifest {
  record Entry(List<int[]> pathParts, String path, long start, long end, String name, byte[] digest) {}

  private NaiveManifest() {}

  /** Entries of a directory model, files or (shardSize > 0) shards; ignores top-level names in ignore. */
  static List<Entry> of(Path root, long shardSize, List<String> ignore) throws Exception {
    List<Entry> out = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(Files::isRegularFile).toList();
    }
    for (Path f : files) {
      String rel = root.relativize(f).toString().replace('\\', '/');
      boolean skip = false;
      for (String i : ignore) {
        skip |= rel.equals(i) || rel.startsWith(i + "/");
      }
      if (skip) {
        continue;
      }
      byte[] data = Files.readAllBytes(f);
      List<int[]> parts = Arrays.stream(rel.split("/")).map(p -> p.codePoints().toArray()).toList();
      if (shardSize <= 0) {
        out.add(new Entry(parts, rel, 0, data.length, rel, sha256(data, 0, data.length)));
      } else {
        for (long start = 0; start < data.length; start += shardSize) {
          long end = Math.min(data.length, start + shardSize);
          out.add(new Entry(parts, rel, start, end, rel + ":" + start + ":" + end,
              sha256(data, (int) start, (int) (end - start))));
        }
      }
    }
    out.sort(NaiveManifest::compare);
    return out;
  }

  static String rootHex(List<Entry> entries) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (Entry e : entries) {
      md.update(e.digest());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static int compare(Entry a, Entry b) {
    int n = Math.min(a.pathParts().size(), b.pathParts().size());
    for (int i = 0; i < n; i++) {
      int c = Arrays.compare(a.pathParts().get(i), b.pathParts().get(i));
      if (c != 0) {
        return c;
      }
    }
    int c = Integer.compare(a.pathParts().size(), b.pathParts().size());
    if (c != 0) {
      return c;
    }
    c = Long.compare(a.start(), b.start());
    return c != 0 ? c : Long.compare(a.end(), b.end());
  }

  static byte[] sha256(byte[] data, int off, int len) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(data, off, len);
    return md.digest();
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  static void write(Path file, byte[] data) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, data);
  }
}
