package dev.custody.attest.internal.timestamp;

import dev.custody.core.Digest;
import dev.custody.core.note.SignedNote;
import dev.custody.core.timestamp.TimestampException;
import dev.custody.core.timestamp.TimestampException.Reason;
import dev.custody.core.timestamp.TimestampToken;
import dev.custody.core.timestamp.TimestampVerifier;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampTokenInfo;
import org.jspecify.annotations.Nullable;

/**
 * Obtains RFC 3161 timestamps from a timestamp authority over HTTP (RFC 3161 §3.4): POSTs a
 * {@code TimeStampReq} ({@code application/timestamp-query}) with a SHA-256 imprint, a random
 * 64-bit nonce and {@code certReq} set (so the token carries the TSA certificate and verifies
 * offline), and checks that the answer is a granted response to <em>this</em> request (status,
 * nonce, imprint). It does not judge whether the TSA is trusted: verify the token with
 * {@link TimestampVerifier} and the trusted roots. Immutable and thread-safe.
 *
 * <p><b>Bounds.</b> One deadline covers the whole exchange — resolving the host, connecting,
 * sending, waiting for the headers and reading the body — so a server that stalls, or sends a byte
 * now and then forever, costs at most the timeout ({@link #DEFAULT_TIMEOUT} unless given). A body
 * over {@link TimestampToken#MAX_BYTES} is refused as soon as the {@code Content-Length} or the
 * bytes received say so; an error status or a wrong content type is reported without reading the
 * body. Every error names the URL and what happened: refused, unknown host, no answer within the
 * timeout, connection closed before the response was complete ({@link IOException}); HTTP status,
 * content type, oversize or malformed response ({@link TimestampException}).
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
  /** The whole exchange's deadline unless another is given: public TSAs answer within a second or two. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http;
  private final SecureRandom random;
  private final Duration timeout;

  private TimestampClient(HttpClient http, SecureRandom random, Duration timeout) {
    this.http = http;
    this.random = random;
    this.timeout = timeout;
  }

  /** A client whose exchanges end within {@link #DEFAULT_TIMEOUT}. */
  public static TimestampClient create() {
    return create(DEFAULT_TIMEOUT);
  }

  /** A client whose exchanges (connect, send, receive) end within {@code timeout}. */
  public static TimestampClient create(Duration timeout) {
    requirePositive(timeout);
    return create(HttpClient.newBuilder().connectTimeout(timeout).build(), new SecureRandom(), timeout);
  }

  /** A client over {@code http}, whose exchanges end within {@code timeout}. */
  public static TimestampClient create(HttpClient http, SecureRandom random, Duration timeout) {
    return new TimestampClient(Objects.requireNonNull(http, "http"), Objects.requireNonNull(random, "random"),
        requirePositive(timeout));
  }

  private static Duration requirePositive(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("the TSA timeout must be positive, got " + timeout);
    }
    return timeout;
  }

  /** {@link #timestamp} of {@link TimestampVerifier#checkpointData}{@code (checkpoint)}. */
  public TimestampToken timestampCheckpoint(URI tsa, SignedNote checkpoint) throws TimestampException, IOException {
    return timestamp(tsa, TimestampVerifier.checkpointData(checkpoint));
  }

  /**
   * Timestamps the SHA-256 of {@code data} at {@code tsa}, within the client's timeout.
   *
   * @throws TimestampException {@link Reason#HTTP_ERROR} for a non-200 answer or a wrong content
   *     type, {@link Reason#MALFORMED} for an oversize or unreadable response,
   *     {@link Reason#STATUS_NOT_GRANTED} if the TSA refused, {@link Reason#NONCE_MISMATCH} or
   *     {@link Reason#IMPRINT_MISMATCH} if the response answers another request
   * @throws IOException if the TSA cannot be reached or does not answer in time, naming the URL and why
   */
  public TimestampToken timestamp(URI tsa, byte[] data) throws TimestampException, IOException {
    Objects.requireNonNull(tsa, "tsa");
    byte[] imprint = sha256(data);
    BigInteger nonce = new BigInteger(64, random);
    TimeStampRequestGenerator gen = new TimeStampRequestGenerator();
    gen.setCertReq(true);
    TimeStampRequest request = gen.generate(TSPAlgorithms.SHA256, imprint, nonce);

    byte[] body = exchange(tsa, request.getEncoded());
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

  /** POSTs {@code query} and returns the body of a 200 {@value #REPLY_TYPE} answer, all within the timeout. */
  private byte[] exchange(URI tsa, byte[] query) throws TimestampException, IOException {
    HttpRequest post = HttpRequest.newBuilder(tsa)
        .timeout(timeout) // until the headers; the deadline below covers the body too
        .header("Content-Type", QUERY_TYPE)
        .header("Accept", REPLY_TYPE)
        .POST(HttpRequest.BodyPublishers.ofByteArray(query))
        .build();
    java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
    CompletableFuture<HttpResponse<byte[]>> answer = http.sendAsync(post, info -> {
      answered.set(true);
      return accept(tsa, info);
    });
    try {
      return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS).body();
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new HttpTimeoutException(noAnswer(tsa));
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the TSA " + tsa, e);
    } catch (ExecutionException e) {
      throw failure(tsa, Objects.requireNonNull(e.getCause(), "a future that failed carries its cause"),
          answered.get());
    }
  }

  /**
   * Judges the status line and headers before any body is read: an error status or a wrong type
   * fails at once, and a body is collected only up to {@link TimestampToken#MAX_BYTES}.
   */
  private static HttpResponse.BodySubscriber<byte[]> accept(URI tsa, HttpResponse.ResponseInfo info) {
    if (info.statusCode() != 200) {
      return failed(new TimestampException(Reason.HTTP_ERROR, "the TSA " + tsa + " answered HTTP " + info.statusCode()
          + "; is the URL a timestamp authority, and is it up?"));
    }
    String type = info.headers().firstValue("Content-Type").orElse("");
    if (!type.toLowerCase(Locale.ROOT).startsWith(REPLY_TYPE)) {
      return failed(new TimestampException(Reason.HTTP_ERROR, "the TSA " + tsa + " answered with content type '"
          + type + "', expected " + REPLY_TYPE + "; is the URL a timestamp authority?"));
    }
    OptionalLong length = info.headers().firstValueAsLong("Content-Length");
    if (length.isPresent() && length.getAsLong() > TimestampToken.MAX_BYTES) {
      return failed(tooLarge(tsa));
    }
    return new BoundedBody(TimestampToken.MAX_BYTES, () -> tooLarge(tsa));
  }

  private static TimestampException tooLarge(URI tsa) {
    return new TimestampException(Reason.MALFORMED, "the TSA " + tsa + " sent a response larger than "
        + TimestampToken.MAX_BYTES + " bytes; a timestamp response is a few kilobytes, so this is not one");
  }

  /** A body subscriber that reads nothing and fails with {@code e} (the connection is dropped). */
  private static HttpResponse.BodySubscriber<byte[]> failed(TimestampException e) {
    return new BoundedBody(0, () -> e);
  }

  private String noAnswer(URI tsa) {
    return "the TSA " + tsa + " did not answer within " + seconds() + " (--tsa-timeout); it may be down or"
        + " overloaded, try again or another TSA";
  }

  private String seconds() {
    long ms = timeout.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  /** The exception for a failed exchange: the TSA's own answer, or a network failure named plainly. */
  private IOException failure(URI tsa, Throwable t, boolean answered) throws TimestampException {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    for (Throwable x = c; x != null; x = x.getCause()) {
      if (x instanceof TimestampException e) {
        throw e;
      }
    }
    if (c instanceof HttpConnectTimeoutException) {
      return new IOException("could not connect to the TSA " + tsa + " within " + seconds() + " (--tsa-timeout)", c);
    }
    if (c instanceof HttpTimeoutException) {
      return new IOException(noAnswer(tsa), c);
    }
    for (Throwable x = c; x != null; x = x.getCause()) {
      if (x instanceof UnknownHostException || x instanceof java.nio.channels.UnresolvedAddressException) {
        return new IOException("the TSA " + tsa + " cannot be reached: unknown host '" + tsa.getHost() + "' (check the"
            + " URL, and the network and DNS of this machine)", c);
      }
    }
    if (c instanceof ConnectException) {
      // The JDK's client reports a refusal as a ConnectException without a message.
      return new IOException("the TSA " + tsa + " refused the connection (nothing listens at " + tsa.getHost()
          + " port " + port(tsa) + "; is the URL right?)" + (c.getMessage() == null ? "" : ": " + c.getMessage()), c);
    }
    String why = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    if (answered) {
      return new IOException("the TSA " + tsa + " closed the connection before the response was complete (" + why
          + ")", c);
    }
    return new IOException("the TSA " + tsa + " cannot be reached: " + why, c);
  }

  private static int port(URI tsa) {
    return tsa.getPort() != -1 ? tsa.getPort() : "https".equalsIgnoreCase(tsa.getScheme()) ? 443 : 80;
  }

  /** Collects a body of at most {@code max} bytes; more cancels the download and fails. */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int max;
    private final java.util.function.Supplier<TimestampException> tooLarge;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    /** Set by {@link #onSubscribe}, which Flow calls before anything else. */
    private Flow.@Nullable Subscription subscription;

    BoundedBody(int max, java.util.function.Supplier<TimestampException> tooLarge) {
      this.max = max;
      this.tooLarge = tooLarge;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (max == 0) {
        s.cancel();
        result.completeExceptionally(tooLarge.get());
        return;
      }
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      for (ByteBuffer b : items) {
        if (bytes.size() + b.remaining() > max) {
          subscription().cancel();
          result.completeExceptionally(tooLarge.get());
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
      subscription().request(1);
    }

    private Flow.Subscription subscription() {
      return Objects.requireNonNull(subscription, "Flow calls onSubscribe before onNext");
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(bytes.toByteArray());
    }
  }

  private static byte[] sha256(byte[] data) {
    return Digest.newSha256().digest(data);
  }
}
