package dev.custody.core.note;

import dev.custody.core.internal.text.Untrusted;
import dev.custody.core.FormatException;

/** The key-name rule of C2SP signed-note §Format, shared by signature lines, vkeys and signers. */
final class KeyNames {
  private KeyNames() {}

  /**
   * Non-empty, no Unicode white space (the {@code White_Space} property, as Go's
   * {@code unicode.IsSpace}), no {@code '+'}, and no control characters (a note may hold none).
   */
  static void check(String name, String where) throws FormatException {
    if (name.isEmpty()) {
      throw new FormatException(where + ": key name is empty");
    }
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      if (cp == '+' || isUnicodeSpace(cp) || cp < 0x20) {
        throw new FormatException(where + ": key name " + Untrusted.quote(name) + " contains "
            + String.format("U+%04X", cp) + " (names must be non-empty, with no spaces, '+' or control characters)");
      }
      if (Character.isSurrogate(name.charAt(i)) && !Character.isSupplementaryCodePoint(cp)) {
        throw new FormatException(where + ": key name " + Untrusted.quote(name) + " is not valid Unicode (unpaired surrogate)");
      }
      i += Character.charCount(cp);
    }
  }

  static boolean isUnicodeSpace(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85;
  }
}
