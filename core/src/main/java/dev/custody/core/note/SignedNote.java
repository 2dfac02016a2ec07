package dev.custody.core.note;

import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A C2SP signed note (c2sp.org/signed-note): text signed by one or more keys. Immutable and
 * thread-safe.
 *
 * <h2>Grammar (checked in full by {@link #parse})</h2>
 *
 * <pre>
 *   note      = text "\n" 1*sigline                 ; the blank line separates text and signatures
 *   text      = 1*line                              ; ends in "\n"; may contain empty lines
 *   sigline   = "— " keyname " " base64 "\n"        ; U+2014 EM DASH, see {@link NoteSignature}
 * </pre>
 *
 * <ul>
 *   <li>The whole note is valid UTF-8 and has no control character below U+0020 except
 *       {@code "\n"}.
 *   <li>Text and signatures are split at the <em>last</em> blank line ({@code "\n\n"}).
 *   <li>At most {@value #MAX_SIGNATURES} signature lines and {@value #MAX_NOTE_BYTES} bytes.
 * </ul>
 *
 * <h2>Reading a note</h2>
 *
 * {@link #open} parses, then verifies every signature by a trusted key against the exact text
 * bytes received, and only then hands out the text in a {@link VerifiedNote}. {@link #parse}
 * alone authenticates nothing; its text accessors are named {@code unverified…} for that reason.
 *
 * <h2>Writing a note</h2>
 *
 * {@link #sign} signs text with {@link NoteSigner}s; {@link #encoded} gives the exact bytes, which
 * for deterministic signers (Ed25519) are identical to Go's {@code sumdb/note.Sign}.
 */
public final class SignedNote {
  /**
   * Most signature lines in a note. C2SP requires accepting at least 16; Go's sumdb/note stops at
   * 100, which bounds the work an attacker can cause with one note.
   */
  public static final int MAX_SIGNATURES = 100;

  /**
   * Largest note accepted, in bytes: 100 post-quantum signatures of ~5 kB (the largest the spec
   * anticipates) plus text fit well below it; anything larger is not a checkpoint.
   */
  public static final int MAX_NOTE_BYTES = 1 << 20;

  private static final byte NEWLINE = '\n';

  private final Bytes text;
  private final String textString;
  private final List<NoteSignature> signatures;

  private SignedNote(byte[] text, String textString, List<NoteSignature> signatures) {
    this.text = Bytes.copyOf(text);
    this.textString = textString;
    this.signatures = List.copyOf(signatures);
  }

  /**
   * Parses a note strictly, without verifying any signature.
   *
   * @throws FormatException naming the first violation of the grammar
   */
  public static SignedNote parse(byte[] note) throws FormatException {
    Objects.requireNonNull(note, "note");
    if (note.length > MAX_NOTE_BYTES) {
      throw new FormatException("malformed note: " + note.length + " bytes, above the limit of " + MAX_NOTE_BYTES);
    }
    String all = decodeUtf8(note, "note");
    checkNoControlCharacters(all, "note");
    int split = lastBlankLine(note);
    if (split < 0) {
      throw new FormatException("malformed note: no blank line separating the text from the signature lines");
    }
    byte[] text = java.util.Arrays.copyOfRange(note, 0, split + 1);
    byte[] block = java.util.Arrays.copyOfRange(note, split + 2, note.length);
    if (block.length == 0) {
      throw new FormatException("malformed note: no signature lines after the blank line");
    }
    if (block[block.length - 1] != NEWLINE) {
      throw new FormatException("malformed note: the last signature line does not end with a newline");
    }
    String sigs = new String(block, StandardCharsets.UTF_8); // valid: a suffix at a line boundary
    List<NoteSignature> parsed = new ArrayList<>();
    int start = 0;
    while (start < sigs.length()) {
      int end = sigs.indexOf('\n', start);
      if (parsed.size() == MAX_SIGNATURES) {
        throw new FormatException("malformed note: more than " + MAX_SIGNATURES + " signature lines");
      }
      try {
        parsed.add(NoteSignature.parseLine(sigs.substring(start, end)));
      } catch (FormatException e) {
        throw new FormatException("malformed note: signature line " + (parsed.size() + 1) + ": " + e.getMessage(), e);
      }
      start = end + 1;
    }
    return new SignedNote(text, new String(text, StandardCharsets.UTF_8), parsed);
  }

  /** {@link #parse(byte[])} of the UTF-8 encoding of {@code note}. */
  public static SignedNote parse(String note) throws FormatException {
    return parse(encodeUtf8(note, "note"));
  }

  /**
   * Parses {@code note} and verifies it against {@code trusted} (C2SP signed-note §Signatures):
   *
   * <ul>
   *   <li>a signature whose (key name, key ID) matches no trusted key is kept, unchecked, in
   *       {@link VerifiedNote#unverified} (identical lines once);
   *   <li>every signature that matches a trusted key is verified, and one that fails rejects the
   *       whole note, even if another signature by that key verified;
   *   <li>at least one signature must verify.
   * </ul>
   *
   * @throws FormatException if the note is malformed
   * @throws InvalidNoteSignatureException if a signature by a trusted key does not verify
   * @throws UnverifiedNoteException if no signature is by a trusted key
   */
  public static VerifiedNote open(byte[] note, NoteVerifiers trusted) throws FormatException, NoteVerificationException {
    return parse(note).verify(trusted);
  }

  /**
   * Verifies this parsed note against {@code trusted}; the rules of {@link #open}.
   *
   * @throws InvalidNoteSignatureException if a signature by a trusted key does not verify
   * @throws UnverifiedNoteException if no signature is by a trusted key
   */
  public VerifiedNote verify(NoteVerifiers trusted) throws NoteVerificationException {
    Objects.requireNonNull(trusted, "trusted");
    byte[] signed = text.toByteArray();
    Map<String, VerifiedSignature> verified = new LinkedHashMap<>();
    Set<String> seenUnverified = new HashSet<>();
    List<NoteSignature> unverified = new ArrayList<>();
    for (NoteSignature sig : signatures) {
      VerifierKey key = trusted.find(sig.keyName(), sig.keyId()).orElse(null);
      if (key == null) {
        if (seenUnverified.add(sig.line())) {
          unverified.add(sig);
        }
        continue;
      }
      // Every signature by a known key is checked (the spec's MUST), including repeats: Go skips
      // repeats of an already verified key, which would let a bad second line pass unnoticed.
      if (sig.signature().length() != key.type().signatureLength()) {
        throw new InvalidNoteSignatureException(key, sig, "it is " + sig.signature().length()
            + " bytes after the key ID, a " + key.type() + " signature is " + key.type().signatureLength());
      }
      if (!key.verifies(signed, sig.signature())) {
        throw new InvalidNoteSignatureException(key, sig,
            "it does not verify over the note text: the text or the signature was altered, or the signer is faulty");
      }
      verified.putIfAbsent(sig.signer(), new VerifiedSignature(key, sig));
    }
    if (verified.isEmpty()) {
      throw new UnverifiedNoteException(this, trusted);
    }
    return new VerifiedNote(this, new ArrayList<>(verified.values()), unverified);
  }

  /**
   * Signs {@code text} with each signer, in order, and returns the note. Signers with the same key
   * name and ID as an earlier one are skipped (one signature per key, as a reader keeps only one).
   *
   * @throws FormatException if {@code text} is empty, does not end in a newline, contains a control
   *     character other than newline or is not valid Unicode; or a signer's key name is invalid
   * @throws NoteSigningException if a signer fails or returns a signature of the wrong length
   */
  public static SignedNote sign(String text, List<? extends NoteSigner> signers)
      throws FormatException, NoteSigningException {
    Objects.requireNonNull(text, "text");
    byte[] bytes = checkText(text);
    return new SignedNote(bytes, text, List.of()).addSignatures(signers);
  }

  /**
   * This note with signatures by {@code signers} over the same text appended. Existing signatures
   * by the same keys (name and ID) are replaced, as Go's {@code note.Sign} does; other existing
   * signatures are kept as they are, unverified.
   *
   * @throws FormatException if a signer's name is invalid, or the note would exceed
   *     {@value #MAX_SIGNATURES} signatures
   * @throws NoteSigningException if a signer fails or returns a signature of the wrong length
   */
  public SignedNote addSignatures(List<? extends NoteSigner> signers) throws FormatException, NoteSigningException {
    Objects.requireNonNull(signers, "signers");
    Map<String, NoteSignature> fresh = new LinkedHashMap<>();
    byte[] message = text.toByteArray();
    for (NoteSigner s : signers) {
      Objects.requireNonNull(s, "signer");
      KeyNames.check(s.keyName(), "note signer");
      String id = s.keyName() + "+" + s.keyId().hex();
      if (fresh.containsKey(id)) {
        continue;
      }
      byte[] sig = s.sign(message.clone());
      if (sig == null || sig.length != s.type().signatureLength()) {
        throw new NoteSigningException("signer " + id + " returned " + (sig == null ? "no signature" : sig.length + " bytes")
            + ", expected a " + s.type().signatureLength() + "-byte " + s.type() + " signature");
      }
      fresh.put(id, new NoteSignature(s.keyName(), s.keyId(), Bytes.copyOf(sig)));
    }
    List<NoteSignature> all = new ArrayList<>();
    for (NoteSignature old : signatures) {
      if (!fresh.containsKey(old.signer())) {
        all.add(old);
      }
    }
    all.addAll(fresh.values());
    if (all.isEmpty()) {
      throw new IllegalArgumentException("a signed note needs at least one signer");
    }
    if (all.size() > MAX_SIGNATURES) {
      throw new FormatException("note would carry " + all.size() + " signatures, above the limit of " + MAX_SIGNATURES);
    }
    return new SignedNote(message, textString, all);
  }

  /**
   * This note with {@code signature} appended (e.g. a cosignature a witness returned). Not
   * verified here; readers verify with {@link #verify}. An identical line already present is not
   * added twice.
   *
   * @throws FormatException if the note would exceed {@value #MAX_SIGNATURES} signatures
   */
  public SignedNote withSignature(NoteSignature signature) throws FormatException {
    Objects.requireNonNull(signature, "signature");
    if (signatures.contains(signature)) {
      return this;
    }
    if (signatures.size() >= MAX_SIGNATURES) {
      throw new FormatException("note already carries " + MAX_SIGNATURES + " signatures, the limit");
    }
    List<NoteSignature> all = new ArrayList<>(signatures);
    all.add(signature);
    return new SignedNote(text.toByteArray(), textString, all);
  }

  /** The exact bytes of the note: text, blank line, signature lines. */
  public byte[] encoded() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(text.toByteArray());
    out.write(NEWLINE);
    for (NoteSignature s : signatures) {
      out.writeBytes(s.lineBytes());
    }
    return out.toByteArray();
  }

  /** The note text, including its final newline. <b>Not authenticated</b>: see {@link #open}. */
  public String unverifiedText() {
    return textString;
  }

  /** The note text as the exact UTF-8 bytes. <b>Not authenticated</b>: see {@link #open}. */
  public Bytes unverifiedTextBytes() {
    return text;
  }

  /** The signature lines in note order, none verified. */
  public List<NoteSignature> signatures() {
    return signatures;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedNote n && n.text.equals(text) && n.signatures.equals(signatures);
  }

  @Override
  public int hashCode() {
    return Objects.hash(text, signatures);
  }

  /** The note as text. */
  @Override
  public String toString() {
    return new String(encoded(), StandardCharsets.UTF_8);
  }

  private static byte[] checkText(String text) throws FormatException {
    if (text.isEmpty() || text.charAt(text.length() - 1) != '\n') {
      throw new FormatException("note text must be non-empty and end with a newline");
    }
    checkNoControlCharacters(text, "note text");
    return encodeUtf8(text, "note text");
  }

  private static void checkNoControlCharacters(String s, String what) throws FormatException {
    int line = 1;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n') {
        line++;
      } else if (c < 0x20) {
        throw new FormatException("malformed " + what + ": control character " + String.format("U+%04X", (int) c)
            + " on line " + line + " (only newline is allowed)");
      }
    }
  }

  /** Index of the first byte of the last "\n\n", or -1. */
  private static int lastBlankLine(byte[] b) {
    for (int i = b.length - 2; i >= 0; i--) {
      if (b[i] == NEWLINE && b[i + 1] == NEWLINE) {
        return i;
      }
    }
    return -1;
  }

  static String decodeUtf8(byte[] b, String what) throws FormatException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw new FormatException("malformed " + what + ": not valid UTF-8 (" + e.getMessage() + ")", e);
    }
  }

  static byte[] encodeUtf8(String s, String what) throws FormatException {
    try {
      ByteBuffer bb = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(s));
      byte[] out = new byte[bb.remaining()];
      bb.get(out);
      return out;
    } catch (CharacterCodingException e) {
      throw new FormatException(what + " is not valid Unicode (unpaired surrogate)", e);
    }
  }
}
