/**
 * API. C2SP signed notes (c2sp.org/signed-note): parsing, verification and framing of signatures.
 *
 * <ul>
 *   <li>{@link dev.custody.core.note.SignedNote}: the note grammar; {@code parse}, {@code open}
 *       (parse + verify against trusted keys), {@code sign} (with {@link
 *       dev.custody.core.note.NoteSigner}s implemented in custody-attest), {@code encoded}.
 *   <li>{@link dev.custody.core.note.VerifierKey}: vkey strings {@code name+hex(keyID)+base64(type||key)}.
 *   <li>{@link dev.custody.core.note.SignatureType}: the closed allow-list, Ed25519 (0x01) and
 *       Ed25519 {@code cosignature/v1} (0x04, see {@link dev.custody.core.note.CosignatureV1}).
 * </ul>
 *
 * <p>Checkpoint bodies (c2sp.org/tlog-checkpoint) live in {@code dev.custody.core.checkpoint}.
 */
package dev.custody.core.note;
