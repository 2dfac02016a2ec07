package dev.custody.attest.timestamp;

import dev.custody.core.note.SignedNote;
import dev.custody.core.timestamp.TimestampException;
import dev.custody.core.timestamp.TimestampException.Reason;
import dev.custody.core.timestamp.TimestampToken;
import dev.custody.core.timestamp.TimestampVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampTokenInfo;

/**
 * Obtains RFC 3161 timestamps from a timestamp authority over HTTP (RFC 3161 §3.4): POSTs a
 * {@code TimeStampReq} ({@code application/timestamp-query}) with a SHA-256 imprint, a random
 * 64-bit nonce and {@code certReq} set (so the token carries the TSA certificate and verifies
 * offline), and checks that the answer is a granted response to <em>this</em> request (status,
 * nonce, imprint). It does not judge whether the TSA is trusted: verify the token with
 * {@link TimestampVerifier} and the trusted roots. Immutable and thread-safe.
 *
 * <p>For a checkpoint, timestamp {@link TimestampVerifier#checkpointData} (the note text) with
 * {@link #timestampCheckpoint}, and store {@link TimestampToken#encoded()} in
 * {@link TimestampToken#sidecar}{@code (checkpointFile)}.
 */
public final class TimestampClient {
  /** Content type of a request (RFC 3161 §3.4). */
  public static final String QUERY_TYPE = "application/timestamp-query";
  /** Content type of a response (RFC 3161 §3.4). */
  public static final String REPLY_TYPE = "application/timestamp-reply";

  private final HttpClient http;
  private final SecureRandom random;
  private final Duration timeout;

  private TimestampClient(HttpClient http, SecureRandom random, Duration timeout) {
    this.http = http;
    this.random = random;
    this.timeout = timeout;
  }

  /** A client with a 30 s timeout per request. */
  public static TimestampClient create() {
    return create(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(), new SecureRandom(),
        Duration.ofSeconds(30));
  }

  public static TimestampClient create(HttpClient http, SecureRandom random, Duration timeout) {
    return new TimestampClient(Objects.requireNonNull(http, "http"), Objects.requireNonNull(random, "random"),
        Objects.requireNonNull(timeout, "timeout"));
  }

  /** {@link #timestamp} of {@link TimestampVerifier#checkpointData}{@code (checkpoint)}. */
  public TimestampToken timestampCheckpoint(URI tsa, SignedNote checkpoint) throws TimestampException, IOException {
    return timestamp(tsa, TimestampVerifier.checkpointData(checkpoint));
  }

  /**
   * Timestamps the SHA-256 of {@code data} at {@code tsa}.
   *
   * @throws TimestampException {@link Reason#HTTP_ERROR} for a non-200 answer or a wrong content
   *     type, {@link Reason#MALFORMED} for an unreadable response, {@link Reason#STATUS_NOT_GRANTED}
   *     if the TSA refused, {@link Reason#NONCE_MISMATCH} or {@link Reason#IMPRINT_MISMATCH} if
   *     the response answers another request
   * @throws IOException if the TSA cannot be reached
   */
  public TimestampToken timestamp(URI tsa, byte[] data) throws TimestampException, IOException {
    Objects.requireNonNull(tsa, "tsa");
    byte[] imprint = sha256(data);
    BigInteger nonce = new BigInteger(64, random);
    TimeStampRequestGenerator gen = new TimeStampRequestGenerator();
    gen.setCertReq(true);
    TimeStampRequest request = gen.generate(TSPAlgorithms.SHA256, imprint, nonce);

    HttpResponse<InputStream> answer;
    try {
      answer = http.send(HttpRequest.newBuilder(tsa)
          .timeout(timeout)
          .header("Content-Type", QUERY_TYPE)
          .header("Accept", REPLY_TYPE)
          .POST(HttpRequest.BodyPublishers.ofByteArray(request.getEncoded()))
          .build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the TSA " + tsa, e);
    }
    byte[] body;
    try (InputStream in = answer.body()) {
      body = in.readNBytes(TimestampToken.MAX_BYTES + 1);
    }
    if (answer.statusCode() != 200) {
      throw new TimestampException(Reason.HTTP_ERROR, "the TSA " + tsa + " answered HTTP " + answer.statusCode());
    }
    String type = answer.headers().firstValue("Content-Type").orElse("");
    if (!type.toLowerCase(java.util.Locale.ROOT).startsWith(REPLY_TYPE)) {
      throw new TimestampException(Reason.HTTP_ERROR, "the TSA " + tsa + " answered with content type '" + type
          + "', expected " + REPLY_TYPE + "; is the URL a timestamp authority?");
    }
    TimeStampResponse response;
    try {
      response = new TimeStampResponse(body);
    } catch (TSPException | IOException | RuntimeException e) {
      throw new TimestampException(Reason.MALFORMED, "the TSA " + tsa + " sent an unreadable response: "
          + e.getMessage(), e);
    }
    // Status first, for the clearest message; TimestampToken.parse checks it again with the rest.
    TimestampToken token = TimestampToken.parse(body);
    TimeStampTokenInfo info = response.getTimeStampToken().getTimeStampInfo();
    if (info.getNonce() == null || !info.getNonce().equals(nonce)) {
      throw new TimestampException(Reason.NONCE_MISMATCH, "the TSA " + tsa + " answered with nonce "
          + info.getNonce() + ", the request's was " + nonce + ": a replayed or misrouted response");
    }
    if (!MessageDigest.isEqual(imprint, info.getMessageImprintDigest())
        || !TSPAlgorithms.SHA256.equals(info.getMessageImprintAlgOID())) {
      throw new TimestampException(Reason.IMPRINT_MISMATCH, "the TSA " + tsa
          + " timestamped other data than requested");
    }
    try {
      response.validate(request); // BC's own checks: certReq honoured, policy, status/token consistency
    } catch (TSPException e) {
      throw new TimestampException(Reason.MALFORMED, "the TSA " + tsa + " response does not match the request: "
          + e.getMessage(), e);
    }
    return token;
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
