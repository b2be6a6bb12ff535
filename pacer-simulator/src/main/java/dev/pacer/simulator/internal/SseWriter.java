package dev.pacer.simulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Server-sent events: {@code event: <type>\ndata: <json>\n\n}, buffered until flushed. */
final class SseWriter implements AutoCloseable {

  private final OutputStream out;

  SseWriter(OutputStream out) {
    this.out = new BufferedOutputStream(out, 8 * 1024);
  }

  void event(String type, JsonNode data) throws IOException {
    out.write(("event: " + type + "\ndata: ").getBytes(StandardCharsets.UTF_8));
    out.write(Json.bytes(data));
    out.write('\n');
    out.write('\n');
  }

  void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
