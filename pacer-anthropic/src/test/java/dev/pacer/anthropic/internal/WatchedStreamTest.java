package dev.pacer.anthropic.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.Usage;
import dev.pacer.http.ApiError;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatchedStreamTest {

  private static final String START = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
      + "\"usage\":{\"input_tokens\":25,\"cache_creation_input_tokens\":10,\"cache_read_input_tokens\":5,"
      + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":4,\"ephemeral_1h_input_tokens\":6},\"output_tokens\":1}}}\n\n";
  private static final String DELTA = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
      + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + "words ".repeat(100) + "\"}}\n\n";
  private static final String PING = "event: ping\ndata: {\"type\": \"ping\"}\n\n";
  private static final String MESSAGE_DELTA = "event: message_delta\ndata: {\"type\":\"message_delta\","
      + "\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":42}}\n\n";
  private static final String STOP = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  private static final String ERROR = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
      + "\"message\":\"Overloaded\"}}\n\n";

  private final List<String> ends = new ArrayList<>();
  private Usage usage;
  private ApiError error;

  private final StreamEnd end = new StreamEnd() {
    @Override
    public void completed(Usage u) {
      ends.add("completed");
      usage = u;
    }

    @Override
    public void failed(Usage u, boolean started, ApiError e) {
      ends.add("failed started=" + started);
      usage = u;
      error = e;
    }

    @Override
    public void closedEarly(Usage u, boolean started) {
      ends.add("closedEarly started=" + started);
      usage = u;
    }
  };

  @Test
  void aCompleteStreamSettlesAtMessageStopWithTheCumulativeUsage() throws IOException {
    try (InputStream in = watch(START + PING + DELTA + DELTA + MESSAGE_DELTA + STOP)) {
      readInChunksOf(in, 7);
    }
    assertThat(ends).containsExactly("completed");
    assertThat(usage).isEqualTo(new Usage(25, 10, 6, 5, 42));
  }

  @Test
  void crLfLinesAndByteByByteReadsAreUnderstood() throws IOException {
    String text = (START + MESSAGE_DELTA + STOP).replace("\n", "\r\n");
    try (InputStream in = watch(text)) {
      while (in.read() >= 0) {
        // byte by byte
      }
    }
    assertThat(ends).containsExactly("completed");
    assertThat(usage.outputTokens()).isEqualTo(42);
  }

  @Test
  void anErrorEventFailsTheStream() throws IOException {
    try (InputStream in = watch(START + DELTA + ERROR)) {
      readInChunksOf(in, 4096);
    }
    assertThat(ends).containsExactly("failed started=true");
    assertThat(error.type()).isEqualTo("overloaded_error");
    assertThat(usage.inputTokens()).isEqualTo(25);
  }

  @Test
  void bytesThatEndWithoutMessageStopAreABrokenStream() throws IOException {
    try (InputStream in = watch(START + DELTA)) {
      readInChunksOf(in, 100);
    }
    assertThat(ends).containsExactly("failed started=true");
  }

  @Test
  void closingBeforeTheEndIsAnEarlyClose() throws IOException {
    InputStream in = watch(START + DELTA + MESSAGE_DELTA + STOP);
    in.readNBytes(START.length() + 10);
    in.close();
    in.close();
    assertThat(ends).containsExactly("closedEarly started=true");
    assertThat(usage.inputTokens()).isEqualTo(25);
  }

  private InputStream watch(String text) {
    return new WatchedStream(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), end);
  }

  private static void readInChunksOf(InputStream in, int size) throws IOException {
    byte[] buffer = new byte[size];
    while (in.read(buffer, 0, size) >= 0) {
      // keep reading
    }
  }
}
