/**
 * API. The values every part of custody shares: {@link dev.custody.core.Digest} (a SHA-256 digest),
 * {@link dev.custody.core.Bytes} (an immutable byte string) and the checked exceptions {@link
 * dev.custody.core.CustodyException} and {@link dev.custody.core.FormatException}.
 */
package dev.custody.core;
