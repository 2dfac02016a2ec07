/**
 * Reading files custody is handed: {@link dev.custody.core.internal.io.SmallFiles} reads a key, an event,
 * a checkpoint, a proof or a trust file with a size bound, after checking that it is a regular
 * file (a FIFO or a device such as {@code /dev/zero} must neither hang nor exhaust memory), and
 * names the file and what it was expected to be in every error.
 */
package dev.custody.core.internal.io;
