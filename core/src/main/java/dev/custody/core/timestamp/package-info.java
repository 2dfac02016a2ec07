/**
 * API. RFC 3161 timestamp tokens over checkpoints: parsing ({@link
 * dev.custody.core.timestamp.TimestampToken}) and verifying against trusted TSA roots ({@link
 * dev.custody.core.timestamp.TimestampVerifier}).
 */
package dev.custody.core.timestamp;
