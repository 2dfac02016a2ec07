package dev.custody.core.note;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The set of verifier keys a reader trusts for a note, looked up by (key name, key ID).
 * Immutable and thread-safe.
 *
 * <p>Two different keys with the same name and key ID are refused at construction: a lookup could
 * not tell which one a signature line means (Go's sumdb/note reports "ambiguous key" at lookup
 * time; custody reports it when the configuration is built).
 */
public final class NoteVerifiers {
  private final Map<String, VerifierKey> byNameAndId;
  private final List<VerifierKey> keys;

  private NoteVerifiers(Map<String, VerifierKey> byNameAndId, List<VerifierKey> keys) {
    this.byNameAndId = byNameAndId;
    this.keys = keys;
  }

  /**
   * @throws IllegalArgumentException if two different keys share a name and key ID
   */
  public static NoteVerifiers of(Collection<VerifierKey> keys) {
    Map<String, VerifierKey> map = new HashMap<>();
    List<VerifierKey> list = new ArrayList<>();
    for (VerifierKey k : keys) {
      String id = k.name() + "+" + k.keyId().hex();
      VerifierKey prev = map.putIfAbsent(id, k);
      if (prev == null) {
        list.add(k);
      } else if (!prev.equals(k)) {
        throw new IllegalArgumentException("ambiguous key " + id + ": two different trusted keys " + prev + " and "
            + k + " share a name and key ID; remove one");
      }
    }
    return new NoteVerifiers(Map.copyOf(map), List.copyOf(list));
  }

  /** See {@link #of(Collection)}. */
  public static NoteVerifiers of(VerifierKey... keys) {
    return of(List.of(keys));
  }

  /** The trusted key a signature line names, if any. */
  public Optional<VerifierKey> find(String keyName, KeyId keyId) {
    return Optional.ofNullable(byNameAndId.get(keyName + "+" + keyId.hex()));
  }

  public List<VerifierKey> keys() {
    return keys;
  }

  /** The trusted keys as {@code name+keyID}, comma separated. */
  @Override
  public String toString() {
    return keys.stream().map(k -> k.name() + "+" + k.keyId().hex()).collect(Collectors.joining(", "));
  }
}
