package dev.pacer.anthropic.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.Usage;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The JSONL results of a Message Batch as the SDK reads them, priced line by line: each
 * {@code succeeded} result's usage is recorded at batch prices. The end of the bytes, or closing,
 * is reported once.
 */
final class BatchResultsStream extends FilterInputStream {

  /** Receives each succeeded result's usage, and the end. */
  interface Sink {
    void result(String model, Usage usage);

    void ended(boolean complete);
  }

  private final Sink sink;
  private final AtomicBoolean reported = new AtomicBoolean();
  private byte[] line = new byte[4096];
  private int length;

  BatchResultsStream(InputStream in, Sink sink) {
    super(in);
    this.sink = sink;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b < 0) {
      end(true);
    } else {
      feed(b);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int count) throws IOException {
    int n = super.read(buffer, offset, count);
    if (n < 0) {
      end(true);
    }
    for (int i = 0; i < n; i++) {
      feed(buffer[offset + i]);
    }
    return n;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      end(false);
    }
  }

  private void feed(int b) {
    if (b == '\n') {
      endOfLine();
      return;
    }
    if (length == line.length) {
      line = Arrays.copyOf(line, line.length * 2);
    }
    line[length++] = (byte) b;
  }

  private void endOfLine() {
    int end = length;
    length = 0;
    if (end == 0) {
      return;
    }
    Json.tree(line, 0, end).ifPresent(this::onResult);
    if (line.length > 256 * 1024) {
      line = new byte[4096];
    }
  }

  private void onResult(JsonNode root) {
    JsonNode result = root.path("result");
    if (!"succeeded".equals(Json.text(result, "type"))) {
      return; // errored, canceled and expired results are not billed
    }
    JsonNode message = result.path("message");
    String model = Json.text(message, "model");
    if (model != null) {
      sink.result(model, Json.usage(message.path("usage")));
    }
  }

  private void end(boolean complete) {
    if (length > 0 && complete) {
      endOfLine(); // a last line without its newline
    }
    if (reported.compareAndSet(false, true)) {
      sink.ended(complete);
    }
  }
}
