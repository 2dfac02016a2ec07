/**
 * Printing untrusted text: {@link dev.custody.core.internal.text.Untrusted} escapes what a terminal or a
 * reader would misread (controls, bidi and other format characters, line separators). Every
 * message or listing that shows text custody did not write goes through it.
 */
package dev.custody.core.internal.text;
