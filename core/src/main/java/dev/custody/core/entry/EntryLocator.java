package dev.custody.core.entry;

import dev.custody.core.Digest;
import dev.custody.core.internal.text.UnsignedDecimal;
import dev.custody.core.internal.text.Untrusted;
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
  String MAX_SEQUENCE_TEXT = UnsignedDecimal.MAX_TEXT;

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
    if (colon <= 0 || !UnsignedDecimal.isCanonical(seq)) {
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

  private static IllegalArgumentException invalid(String text, String why) {
    return new IllegalArgumentException(Untrusted.quote(text) + " is neither CHAIN:SEQ (e.g. acme/falcon-7b:3; SEQ"
        + " from 0 to " + MAX_SEQUENCE_TEXT + ", no sign or leading zeros) nor an entry hash (sha256:<64 hex>)" + why);
  }
}
