package dev.custody.core.merkle;

import dev.custody.core.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Deterministic test logs. */
final class TestTrees {
  private TestTrees() {}

  /** Leaf hashes of the entries "entry-0" .. "entry-(n-1)", via the reference hash. */
  static List<byte[]> leafHashes(int n) {
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(RfcReference.leafHash(("entry-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  static List<Bytes> wrap(List<byte[]> hashes) {
    List<Bytes> out = new ArrayList<>(hashes.size());
    hashes.forEach(h -> out.add(Bytes.copyOf(h)));
    return out;
  }

  static InMemoryNodeHashes inMemory(List<byte[]> leafHashes) {
    InMemoryNodeHashes nodes = new InMemoryNodeHashes();
    leafHashes.forEach(h -> nodes.append(Bytes.copyOf(h)));
    return nodes;
  }

  /** {@code hash} with bit {@code bit} (0 = lowest bit of byte 0) flipped. */
  static Bytes flipBit(Bytes hash, int bit) {
    byte[] b = hash.toByteArray();
    b[bit / 8] ^= (byte) (1 << (bit % 8));
    return Bytes.copyOf(b);
  }
}
