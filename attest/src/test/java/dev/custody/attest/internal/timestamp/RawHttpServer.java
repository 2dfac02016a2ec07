package dev.custody.attest.internal.timestamp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A loopback HTTP server on raw sockets for testing clients against misbehaving servers: each
 * connection's request headers are read, then {@link Behaviour} writes whatever it likes (or
 * stalls). Test helper; closing it stops accepting.
 */
public final class RawHttpServer implements AutoCloseable {
  /** What the server does with one connection after reading the request headers. */
  @FunctionalInterface
  public interface Behaviour {
    void serve(InputStream in, OutputStream out) throws Exception;
  }

  private final ServerSocket socket;

  private RawHttpServer(Behaviour behaviour) throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (!socket.isClosed()) {
        try (Socket s = socket.accept()) {
          InputStream in = s.getInputStream();
          readHeaders(in);
          behaviour.serve(in, s.getOutputStream());
        } catch (Exception closed) {
          // the test is over, or the client went away
        }
      }
    }, "raw-http-server");
    t.setDaemon(true);
    t.start();
  }

  public static RawHttpServer start(Behaviour behaviour) throws IOException {
    return new RawHttpServer(behaviour);
  }

  /** http://127.0.0.1:PORT/tsa */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/tsa");
  }

  /** A status line and headers, ending with the empty line. */
  public static byte[] head(String status, String... headers) {
    StringBuilder b = new StringBuilder("HTTP/1.1 " + status + "\r\n");
    for (String h : headers) {
      b.append(h).append("\r\n");
    }
    return b.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Blocks the connection's thread for good (until the server is closed and the client gives up). */
  public static void stall() throws InterruptedException {
    Thread.sleep(Long.MAX_VALUE);
  }

  private static void readHeaders(InputStream in) throws IOException {
    int matched = 0;
    byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        return;
      }
      matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
