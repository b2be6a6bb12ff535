package dev.pacer.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Connections kept alive stay open however many a client holds: the JDK's HTTP server would close
 * every idle one beyond 200, and a client with more in flight would meet "unexpected end of
 * stream" on its next request, a failure the API's front end does not cause.
 */
class KeepAliveTest {

  private static final int CONNECTIONS = 300;

  @Test
  void everyIdleConnectionAnswersItsNextRequest() throws IOException {
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().port(0).build())) {
      List<Socket> sockets = new ArrayList<>();
      try {
        for (int i = 0; i < CONNECTIONS; i++) {
          Socket socket = new Socket(InetAddress.getLoopbackAddress(), sim.port());
          socket.setSoTimeout(5000);
          sockets.add(socket);
        }
        for (Socket socket : sockets) { // all idle together once these are answered
          assertThat(exchange(socket)).startsWith("HTTP/1.1 200");
        }
        int answered = 0;
        for (Socket socket : sockets) {
          try {
            if (exchange(socket).startsWith("HTTP/1.1 200")) {
              answered++;
            }
          } catch (IOException closed) {
            // counted as not answered
          }
        }
        assertThat(answered).as("second requests answered on %d kept-alive connections", CONNECTIONS)
            .isEqualTo(CONNECTIONS);
      } finally {
        for (Socket socket : sockets) {
          socket.close();
        }
      }
    }
  }

  /** Sends GET /v1/models and reads the whole answer (headers and a Content-Length body). */
  private static String exchange(Socket socket) throws IOException {
    socket.getOutputStream().write(("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: k\r\n"
        + "anthropic-version: 2023-06-01\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before an answer");
      }
      head.write(b);
    }
    String headers = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : headers.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    assertThat(in.readNBytes(length)).hasSize(length);
    return headers;
  }
}
