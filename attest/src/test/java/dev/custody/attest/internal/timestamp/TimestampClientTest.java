package dev.custody.attest.internal.timestamp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.custody.core.timestamp.TimestampException;
import dev.custody.core.timestamp.TimestampException.Reason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 7 item 11: {@link TimestampClient} against real local servers that misbehave. Every call
 * ends within its total deadline (connect, send and read together) and the error names the URL and
 * what happened.
 */
class TimestampClientTest {
  private static final byte[] DATA = "checkpoint text".getBytes(StandardCharsets.UTF_8);
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  /** Generous: the deadline plus the time a loaded machine needs to notice it. */
  private static final Duration TEST_LIMIT = Duration.ofSeconds(20);
  private final TimestampClient client = TimestampClient.create(TIMEOUT);
  private final List<AutoCloseable> servers = new ArrayList<>();

  private URI server(RawHttpServer.Behaviour behaviour) throws IOException {
    RawHttpServer server = RawHttpServer.start(behaviour);
    servers.add(server);
    return server.uri();
  }

  private static byte[] head(String status, String... headers) {
    return RawHttpServer.head(status, headers);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable s : servers) {
      s.close();
    }
  }

  @Test
  void timestamp_serverStallsAfterHeaders_failsAtTheDeadlineNamingUrlAndTimeout() throws Exception {
    URI uri = server((in, out) -> {
      out.write(head("200 OK", "Content-Type: application/timestamp-reply", "Content-Length: 1000"));
      out.flush();
      RawHttpServer.stall();
    });
    assertTimeoutPreemptively(TEST_LIMIT, () -> assertThatThrownBy(() -> client.timestamp(uri, DATA))
        .isInstanceOf(IOException.class).hasMessageContaining(uri.toString()).hasMessageContaining("2 s"));
  }

  @Test
  void timestamp_serverStallsBeforeHeaders_failsAtTheDeadline() throws Exception {
    URI uri = server((in, out) -> RawHttpServer.stall());
    assertTimeoutPreemptively(TEST_LIMIT, () -> assertThatThrownBy(() -> client.timestamp(uri, DATA))
        .isInstanceOf(IOException.class).hasMessageContaining(uri.toString()).hasMessageContaining("2 s"));
  }

  @Test
  void timestamp_serverDripsOneByteASecond_failsAtTheTotalDeadline() throws Exception {
    URI uri = server((in, out) -> {
      out.write(head("200 OK", "Content-Type: application/timestamp-reply", "Content-Length: 100000"));
      while (true) {
        out.write(0x30);
        out.flush();
        Thread.sleep(500);
      }
    });
    long start = System.nanoTime();
    assertTimeoutPreemptively(TEST_LIMIT, () -> assertThatThrownBy(() -> client.timestamp(uri, DATA))
        .isInstanceOf(IOException.class).hasMessageContaining("2 s"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TEST_LIMIT);
  }

  @Test
  void timestamp_serverClosesMidBody_failsNamingUrlAndTheCut() throws Exception {
    URI uri = server((in, out) -> {
      out.write(head("200 OK", "Content-Type: application/timestamp-reply", "Content-Length: 1000"));
      out.write(new byte[10]);
      out.flush();
    });
    assertTimeoutPreemptively(TEST_LIMIT, () -> assertThatThrownBy(() -> client.timestamp(uri, DATA))
        .isInstanceOf(IOException.class).hasMessageContaining(uri.toString())
        .hasMessageContaining("closed the connection"));
  }

  @Test
  void timestamp_serverSendsTenMegabytes_refusedAsOversize() throws Exception {
    URI uri = server((in, out) -> {
      out.write(head("200 OK", "Content-Type: application/timestamp-reply", "Content-Length: " + (10 << 20)));
      byte[] chunk = new byte[1 << 16];
      for (int i = 0; i < 160; i++) {
        out.write(chunk);
      }
      out.flush();
    });
    assertTimeoutPreemptively(TEST_LIMIT, () -> assertThatThrownBy(() -> client.timestamp(uri, DATA))
        .isInstanceOfSatisfying(TimestampException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining(uri.toString()).hasMessageContaining("larger than"));
  }

  @Test
  void timestamp_serverStreamsTenMegabytesChunked_refusedAsOversize() throws Exception {
    URI uri = server((in, out) -> {
      out.write(head("200 OK", "Content-Type: application/timestamp-reply", "Transfer-Encoding: chunked"));
      byte[] chunk = new byte[1 << 16];
      for (int i = 0; i < 160; i++) {
        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(chunk);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    });
    assertTimeoutPreemptively(TEST_LIMIT, () -> assertThatThrownBy(() -> client.timestamp(uri, DATA))
        .isInstanceOfSatisfying(TimestampException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("larger than"));
  }

  @Test
  void timestamp_connectionRefused_failsNamingUrlAndRefusal() throws Exception {
    int port;
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = ss.getLocalPort();
    }
    URI uri = URI.create("http://127.0.0.1:" + port + "/tsa");
    assertTimeoutPreemptively(TEST_LIMIT, () -> assertThatThrownBy(() -> client.timestamp(uri, DATA))
        .isInstanceOf(IOException.class).hasMessageContaining(uri.toString()).hasMessageContaining("refused")
        .hasMessageNotContaining("null"));
  }

  @Test
  void timestamp_unknownHost_failsNamingTheHost() {
    URI uri = URI.create("http://custody-test-tsa.invalid/tsa"); // .invalid never resolves (RFC 6761)
    assertTimeoutPreemptively(TEST_LIMIT, () -> assertThatThrownBy(() -> client.timestamp(uri, DATA))
        .isInstanceOf(IOException.class).hasMessageContaining("custody-test-tsa.invalid")
        .hasMessageNotContaining("null"));
  }

  @Test
  void timestamp_httpError_failsNamingStatusWithoutReadingTheBody() throws Exception {
    URI uri = server((in, out) -> {
      out.write(head("503 Service Unavailable", "Content-Type: text/html", "Content-Length: " + (10 << 20)));
      out.flush();
      RawHttpServer.stall(); // a client that waited for the body would hit the deadline instead
    });
    assertTimeoutPreemptively(TEST_LIMIT, () -> assertThatThrownBy(() -> client.timestamp(uri, DATA))
        .isInstanceOfSatisfying(TimestampException.class, e -> assertThat(e.reason()).isEqualTo(Reason.HTTP_ERROR))
        .hasMessageContaining("HTTP 503").hasMessageContaining(uri.toString()));
  }

  @Test
  void timestamp_wrongContentType_failsNamingIt() throws Exception {
    URI uri = server((in, out) -> {
      byte[] page = "<html>hello</html>".getBytes(StandardCharsets.US_ASCII);
      out.write(head("200 OK", "Content-Type: text/html", "Content-Length: " + page.length));
      out.write(page);
      out.flush();
    });
    assertTimeoutPreemptively(TEST_LIMIT, () -> assertThatThrownBy(() -> client.timestamp(uri, DATA))
        .isInstanceOfSatisfying(TimestampException.class, e -> assertThat(e.reason()).isEqualTo(Reason.HTTP_ERROR))
        .hasMessageContaining("text/html"));
  }

  @Test
  void timestamp_garbageBody_malformedNamingUrl() throws Exception {
    URI uri = server((in, out) -> {
      byte[] junk = "not DER at all".getBytes(StandardCharsets.US_ASCII);
      out.write(head("200 OK", "Content-Type: application/timestamp-reply", "Content-Length: " + junk.length));
      out.write(junk);
      out.flush();
    });
    assertTimeoutPreemptively(TEST_LIMIT, () -> assertThatThrownBy(() -> client.timestamp(uri, DATA))
        .isInstanceOfSatisfying(TimestampException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining(uri.toString()));
  }

  @Test
  void create_nonPositiveTimeout_refused() {
    assertThatThrownBy(() -> TimestampClient.create(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
