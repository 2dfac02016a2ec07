package dev.custody.verify;

import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.Event;
import dev.custody.core.jws.VerificationKey;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Test fixture for other packages (the report's tests): a log of arbitrary events, each signed
 * by a real key and linked into its chain as a custody signer does, written as a real ledger
 * directory. Signing is {@link TestLedgers}' (package-private); this class only opens it up.
 */
public final class EventLedger {
  /** A signing key (deterministic Ed25519 from a seed). */
  public static final class Key {
    final TestLedgers.TestKey key;

    private Key(TestLedgers.TestKey key) {
      this.key = key;
    }

    public static Key ed25519(String seed) {
      return new Key(TestLedgers.TestKey.ed25519(seed));
    }

    public VerificationKey publicKey() {
      return key.publicKey();
    }

    public String keyId() {
      return key.keyId();
    }
  }

  private final List<byte[]> records = new ArrayList<>();
  private final Map<String, Digest> heads = new HashMap<>();
  private final Map<String, Long> next = new HashMap<>();

  /**
   * Appends {@code event} as the next entry of {@code chain}, signed by {@code key}, claiming
   * {@code time}; returns the entry hash.
   */
  public Digest append(String chain, Event event, Key key, Instant time) {
    long seq = next.getOrDefault(chain, 0L);
    EntryPayload p = new EntryPayload(chain, seq, Optional.ofNullable(heads.get(chain)), key.keyId(), time, event);
    byte[] rec = TestLedgers.sign(key.key, p);
    records.add(rec);
    Digest hash = Digest.sha256(rec);
    heads.put(chain, hash);
    next.put(chain, seq + 1);
    return hash;
  }

  /** Number of entries so far. */
  public int size() {
    return records.size();
  }

  /** Writes the ledger at {@code dir} (one segment) and returns {@code dir}. */
  public Path write(Path dir) {
    return TestLedgers.write(dir, records);
  }
}
