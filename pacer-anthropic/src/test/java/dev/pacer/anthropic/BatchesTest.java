package dev.pacer.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.batches.BatchCreateParams;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pacer.Pacer;
import dev.pacer.anthropic.testing.Sim;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import com.anthropic.models.messages.Base64ImageSource;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.ImageBlockParam;

/**
 * The Message Batches endpoints through the paced client, against a small scripted server (the
 * simulator has no batch endpoints): paced on their own pool, a batch's worst case held against
 * the budget until its results are read, results priced at half.
 */
class BatchesTest {

  private static final String BATCH = "{\"id\":\"msgbatch_01\",\"type\":\"message_batch\",\"processing_status\":\"ended\","
      + "\"request_counts\":{\"processing\":0,\"succeeded\":1,\"errored\":1,\"canceled\":0,\"expired\":0},"
      + "\"created_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":\"2026-01-02T00:00:00Z\",\"ended_at\":null,"
      + "\"cancel_initiated_at\":null,\"archived_at\":null,\"results_url\":null}";
  private static final String RESULTS = "{\"custom_id\":\"a\",\"result\":{\"type\":\"succeeded\",\"message\":{\"id\":\"msg_1\","
      + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],"
      + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":1000,\"output_tokens\":2000}}}}\n"
      + "{\"custom_id\":\"b\",\"result\":{\"type\":\"errored\",\"error\":{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
      + "\"message\":\"bad\"}}}}\n";

  private HttpServer server;
  private final List<String> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::answer);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    seen.add(exchange.getRequestMethod() + " " + path);
    exchange.getRequestBody().readAllBytes();
    boolean results = path.endsWith("/results");
    byte[] body = (results ? RESULTS : BATCH).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("content-type", results ? "application/binary" : "application/json");
    exchange.getResponseHeaders().add("request-id", "req_test");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Test
  void batchesArePacedHeldAgainstTheBudgetAndPricedAtHalf() throws Exception {
    try (Pacer pacer = Pacer.builder().build();
        PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).maxCostUsd(1.0)
            .clientBuilder(AnthropicOkHttpClient.builder().apiKey(Sim.KEY)
                .baseUrl("http://127.0.0.1:" + server.getAddress().getPort())).build()) {
      AnthropicClient client = paced.client();
      MessageBatch batch = client.messages().batches().create(BatchCreateParams.builder()
          .addRequest(request("a", 4_000)).addRequest(request("b", 4_000)).build());
      assertThat(batch.id()).isEqualTo("msgbatch_01");
      // Two requests of 4,000 output tokens at half of Haiku 4.5's $5 per million, and their input.
      double held = paced.costs().reservedUsd();
      assertThat(held).isGreaterThan(2 * 4_000 * 2.5 / 1e6).isLessThan(0.05);

      try (StreamResponse<MessageBatchIndividualResponse> results =
          client.messages().batches().resultsStreaming(batch.id())) {
        assertThat(results.stream().count()).isEqualTo(2);
      }

      ModelCost cost = paced.costs().model("claude-haiku-4-5").orElseThrow();
      assertThat(cost.batchResponses()).isEqualTo(1);
      assertThat(cost.usd()).isCloseTo((1_000 * 1.0 + 2_000 * 5.0) * 0.5 / 1e6, within(1e-12));
      assertThat(paced.costs().reservedUsd()).isZero();
      assertThat(pacer.governor().snapshot("batches")).isPresent();
      assertThat(seen).containsExactly("POST /v1/messages/batches", "GET /v1/messages/batches/msgbatch_01/results");
    }
  }

  @Test
  void aBatchRequestsImageCountsAsAnImageNotAsMillionsOfCharacters() throws Exception {
    // 4 MB of base64: measured as text, 2 million tokens, a dollar at batch prices; an image is ~1,600.
    String image = "iVBORw0KGgo".repeat(400_000);
    try (Pacer pacer = Pacer.builder().build();
        PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).maxCostUsd(0.5)
            .clientBuilder(AnthropicOkHttpClient.builder().apiKey(Sim.KEY)
                .baseUrl("http://127.0.0.1:" + server.getAddress().getPort())).build()) {
      BatchCreateParams.Request withImage = BatchCreateParams.Request.builder().customId("img")
          .params(BatchCreateParams.Request.Params.builder().model(Sim.MODEL).maxTokens(100)
              .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofImage(ImageBlockParam.builder()
                  .source(Base64ImageSource.builder().data(image).mediaType(Base64ImageSource.MediaType.IMAGE_PNG).build())
                  .build())))
              .build())
          .build();
      MessageBatch batch = paced.client().messages().batches().create(BatchCreateParams.builder().addRequest(withImage).build());
      assertThat(batch.id()).isEqualTo("msgbatch_01");
      assertThat(paced.costs().reservedUsd()).isLessThan(0.01);
    }
  }

  private static BatchCreateParams.Request request(String id, long maxTokens) {
    return BatchCreateParams.Request.builder().customId(id).params(BatchCreateParams.Request.Params.builder()
        .model(Sim.MODEL).maxTokens(maxTokens).addUserMessage("Batch request " + id).build()).build();
  }
}
