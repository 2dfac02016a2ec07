package dev.custody.core.entry;

import dev.custody.core.digest.Digest;
import dev.custody.core.text.Untrusted;
import java.util.Objects;

/**
 * An entry as a user names it: {@code CHAIN:SEQ} (its chain and sequence number, e.g.
 * {@code acme/falcon-7b:3}) or {@code sha256:<64 hex>} (its entry hash). The one parser of that text,
 * used by every command and API that takes it ({@code show}, {@code prove inclusion},
 * {@code record --subject}, {@code lineage}, {@code verify --model --entry}).
 *
 * <p>Grammar: {@code locator = hash / chain ":" seq}; {@code hash} is {@link Digest#parse}'s text;
 * {@code chain} is a chain id ({@link EntryPayload#requireChainId}); {@code seq} is a decimal from 0 to
 * {@value #MAX_SEQUENCE_TEXT} ({@link Long#MAX_VALUE}, the largest sequence a record can hold), without
 * sign or leading zeros. Text that is not a hash is split at its last {@code ':'}. Immutable.
 */
public sealed interface EntryLocator permits EntryLocator.Position, EntryLocator.Hash {
  /** The largest {@code SEQ}: {@link Long#MAX_VALUE}, as the grammar's one documented limit. */
  String MAX_SEQUENCE_TEXT = "9223372036854775807";

  /**
   * Parses {@code CHAIN:SEQ} or {@code sha256:<64 hex>}.
   *
   * @throws IllegalArgumentException naming the text and both accepted forms
   */
  static EntryLocator parse(String text) {
    Objects.requireNonNull(text, "text");
    if (Digest.isDigestText(text)) {
      return new Hash(Digest.parse(text));
    }
    int colon = text.lastIndexOf(':');
    String seq = colon < 0 ? "" : text.substring(colon + 1);
    if (colon <= 0 || !isSequenceText(seq)) {
      throw invalid(text, "");
    }
    String chain = text.substring(0, colon);
    try {
      EntryPayload.requireChainId(chain);
    } catch (IllegalArgumentException e) {
      throw invalid(text, " (" + e.getMessage() + ")");
    }
    return new Position(chain, Long.parseLong(seq));
  }

  /**
   * {@code CHAIN:SEQ}.
   *
   * @param chain a valid chain id
   * @param sequence the entry's sequence number in its chain, from 0
   */
  record Position(String chain, long sequence) implements EntryLocator {
    public Position {
      EntryPayload.requireChainId(chain);
      if (sequence < 0) {
        throw new IllegalArgumentException("sequence must be >= 0, got " + sequence);
      }
    }

    @Override
    public String toString() {
      return chain + ":" + sequence;
    }
  }

  /**
   * {@code sha256:<64 hex>}: an entry hash.
   *
   * @param hash the entry hash
   */
  record Hash(Digest hash) implements EntryLocator {
    public Hash {
      Objects.requireNonNull(hash, "hash");
    }

    @Override
    public String toString() {
      return hash.toString();
    }
  }

  /** {@code 0 / [1-9][0-9]*} and at most {@link #MAX_SEQUENCE_TEXT}: fits a {@code long}, one spelling per number. */
  private static boolean isSequenceText(String seq) {
    int n = seq.length();
    if (n == 0 || n > MAX_SEQUENCE_TEXT.length() || (seq.charAt(0) == '0' && n > 1)) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (seq.charAt(i) < '0' || seq.charAt(i) > '9') {
        return false;
      }
    }
    return n < MAX_SEQUENCE_TEXT.length() || seq.compareTo(MAX_SEQUENCE_TEXT) <= 0;
  }

  private static IllegalArgumentException invalid(String text, String why) {
    return new IllegalArgumentException(Untrusted.quote(text) + " is neither CHAIN:SEQ (e.g. acme/falcon-7b:3; SEQ"
        + " from 0 to " + MAX_SEQUENCE_TEXT + ", no sign or leading zeros) nor an entry hash (sha256:<64 hex>)" + why);
  }
}
