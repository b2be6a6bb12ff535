package dev.pacer.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.sun.net.httpserver.HttpServer;
import dev.pacer.Pacer;
import dev.pacer.anthropic.testing.Sim;
import dev.pacer.events.PacerEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A stream that fails after its 200 ({@code event: error}), from a scripted server: the SDK raises
 * the error to the reader, the permit is released as failed, and the input already counted is billed.
 */
class StreamErrorTest {

  private static final String EVENTS = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
      + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5\",\"content\":[],\"stop_reason\":null,"
      + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":300,\"output_tokens\":1}}}\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n"
      + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";

  private HttpServer server;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().add("content-type", "text/event-stream");
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(EVENTS.getBytes(StandardCharsets.UTF_8));
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void anErrorEventReleasesThePermitAsFailedAndBillsWhatWasCounted() {
    Sim.Events events = new Sim.Events();
    try (Pacer pacer = Pacer.builder().listener(events).build();
        PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).clientBuilder(AnthropicOkHttpClient.builder()
            .apiKey(Sim.KEY).baseUrl("http://127.0.0.1:" + server.getAddress().getPort())).build()) {
      assertThatThrownBy(() -> {
        try (StreamResponse<RawMessageStreamEvent> stream = paced.client().messages().createStreaming(Sim.params(1, 100))) {
          stream.stream().forEach(event -> { });
        }
      }).hasMessageContaining("Overloaded");

      await().atMost(Duration.ofSeconds(20)).until(() -> !events.of(PacerEvent.Released.class).isEmpty());
      assertThat(events.of(PacerEvent.Released.class)).as("events: %s", events.all).extracting(PacerEvent.Released::why).containsExactly("failed");
      assertThat(events.of(PacerEvent.Settled.class)).isEmpty();
      assertThat(pacer.governor().snapshot(Sim.POOL).orElseThrow().inFlight()).isZero();
      assertThat(paced.costs().model(Sim.MODEL).orElseThrow().usage().inputTokens()).isEqualTo(300);
    }
  }
}
