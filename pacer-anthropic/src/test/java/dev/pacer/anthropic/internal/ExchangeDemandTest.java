package dev.pacer.anthropic.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.core.RequestOptions;
import com.anthropic.core.http.HttpMethod;
import com.anthropic.core.http.HttpRequest;
import dev.pacer.Demand;
import dev.pacer.Pacer;
import dev.pacer.Priority;
import dev.pacer.anthropic.CostTracker;
import dev.pacer.time.TimeSource;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The demand each paced endpoint makes, and whether its attempts report when they have left. */
class ExchangeDemandTest {

  private static final String BODY = "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":16,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @Test
  void requestsWithABodyReportTheirSendsAndOthersDoNot() {
    try (Pacer pacer = Pacer.builder().build()) {
      PacingContext context = new PacingContext(pacer, CostTracker.create(), Priority.BATCH, null, TimeSource.system());
      assertThat(demandOf(context, post(BODY, "v1", "messages"))).satisfies(demand -> {
        assertThat(demand.endpoint()).isEqualTo(Demand.Endpoint.MESSAGES);
        assertThat(demand.sendReported()).isTrue();
      });
      assertThat(demandOf(context, post(BODY, "v1", "messages", "count_tokens"))).satisfies(demand -> {
        assertThat(demand.endpoint()).isEqualTo(Demand.Endpoint.COUNT_TOKENS);
        assertThat(demand.sendReported()).isTrue();
      });
      HttpRequest results = HttpRequest.builder().method(HttpMethod.GET).baseUrl("http://127.0.0.1:1")
          .addPathSegments("v1", "messages", "batches", "msgbatch_01", "results").build();
      assertThat(demandOf(context, results)).satisfies(demand -> {
        assertThat(demand.endpoint()).isEqualTo(Demand.Endpoint.BATCHES);
        assertThat(demand.sendReported()).as("no body: nothing would report").isFalse();
      });
    }
  }

  @Test
  void aRequestWaitsForAnotherWritingItsPrefixThenGoesWholeIfTheWriteTakesTooLongOnceSent() throws Exception {
    String marked = "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":16,\"system\":[{\"type\":\"text\","
        + "\"text\":\"A long document.\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Question %d?\"}]}";
    try (Pacer pacer = Pacer.builder().build()) {
      PacingContext context = new PacingContext(pacer, CostTracker.create(), Priority.BATCH, null, TimeSource.system());
      context.longestCacheWait(java.time.Duration.ofMillis(200));
      Exchange writer = open(context, post(marked.formatted(1), "v1", "messages"));
      Exchange waiter = open(context, post(marked.formatted(2), "v1", "messages"));

      assertThat(writer.cacheWarmedUp()).isCompleted();
      java.util.concurrent.CompletableFuture<Void> waiting = waiter.cacheWarmedUp();
      Thread.sleep(400);
      assertThat(waiting).as("the writer waits for capacity: so does the waiter").isNotDone();
      String key = CacheBreakpoints.of(marked.formatted(1).getBytes(StandardCharsets.UTF_8)).all().get(0).key();
      context.promptCache().writeSent(java.util.List.of(key));
      waiting.get(5, java.util.concurrent.TimeUnit.SECONDS); // sent, the writer never answers
      assertThat(waiter.demand().cacheReadAssumed()).isFalse();
      assertThat(waiter.demand().inputText()).contains("A long document.");
      writer.abandon();
    }
  }

  private static Exchange open(PacingContext context, HttpRequest request) {
    return Exchange.open(context, null, request, RequestOptions.none(), Route.of(request)).orElseThrow();
  }

  private static HttpRequest post(String json, String... path) {
    return HttpRequest.builder().method(HttpMethod.POST).baseUrl("http://127.0.0.1:1").addPathSegments(path)
        .body(new BytesBody(json.getBytes(StandardCharsets.UTF_8), "application/json")).build();
  }

  private static Demand demandOf(PacingContext context, HttpRequest request) {
    return Exchange.open(context, null, request, RequestOptions.none(), Route.of(request)).orElseThrow().demand();
  }
}
