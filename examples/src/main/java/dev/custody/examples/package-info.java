/**
 * The README's Java example ({@link dev.custody.examples.Pipeline}), compiled and run by every build.
 * Not published.
 */
package dev.custody.examples;
