package dev.pacer.simulator.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.models.messages.batches.BatchCreateParams;
import com.anthropic.models.messages.batches.BatchListParams;
import com.anthropic.models.messages.batches.DeletedMessageBatch;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import com.anthropic.models.messages.batches.MessageBatchResult;
import dev.pacer.simulator.ManualClock;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorClock;
import dev.pacer.simulator.SimulatorConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official Java SDK's batch methods end to end: create, retrieve, list (auto-paging), cancel,
 * delete, results streaming. The simulator runs on a {@link ManualClock}, so the batches move only
 * when the test says so.
 */
class JavaSdkBatchesTest {

  private static final Instant START = Instant.parse("2026-07-01T09:00:00Z");
  private static final String MODEL = "claude-haiku-4-5";

  private final ManualClock clock = SimulatorClock.manual(START);
  private Simulator sim;
  private AnthropicClient client;

  @BeforeEach
  void start() {
    sim = Simulator.start(SimulatorConfig.builder().clock(clock).seed(4).batchRate(2)
        .batchExpiry(Duration.ofHours(1)).build());
    client = AnthropicOkHttpClient.builder().baseUrl(sim.baseUrl()).apiKey("sk-ant-test")
        .maxRetries(0).timeout(Duration.ofSeconds(20)).build();
  }

  @AfterEach
  void stop() {
    client.close();
    sim.close();
  }

  private static BatchCreateParams.Request request(String customId, String prompt) {
    return BatchCreateParams.Request.builder().customId(customId)
        .params(BatchCreateParams.Request.Params.builder().model(MODEL).maxTokens(64).addUserMessage(prompt).build())
        .build();
  }

  private MessageBatch create(BatchCreateParams.Request... requests) {
    return client.messages().batches().create(BatchCreateParams.builder().requests(List.of(requests)).build());
  }

  private Map<String, MessageBatchResult> results(String id) {
    try (StreamResponse<MessageBatchIndividualResponse> stream = client.messages().batches().resultsStreaming(id)) {
      return stream.stream().collect(Collectors.toMap(MessageBatchIndividualResponse::customId,
          MessageBatchIndividualResponse::result));
    }
  }

  @Test
  void createRetrieveAndStreamTheResults() {
    MessageBatch created = create(request("first", "What is a token bucket?"), request("second", "And a leaky one?"),
        BatchCreateParams.Request.builder().customId("broken")
            .params(BatchCreateParams.Request.Params.builder().model(MODEL).maxTokens(64).messages(List.of()).build())
            .build());
    created.validate();
    assertThat(created.id()).startsWith("msgbatch_");
    assertThat(created.processingStatus()).isEqualTo(MessageBatch.ProcessingStatus.IN_PROGRESS);
    assertThat(created.createdAt()).isEqualTo(OffsetDateTime.ofInstant(START, ZoneOffset.UTC));
    assertThat(created.expiresAt()).isEqualTo(created.createdAt().plusHours(1));
    assertThat(created.requestCounts().processing()).isEqualTo(3);
    assertThat(created.endedAt()).isEmpty();
    assertThat(created.resultsUrl()).isEmpty();

    clock.advance(Duration.ofMillis(1500)); // three requests at 2 per second
    MessageBatch ended = client.messages().batches().retrieve(created.id());
    ended.validate();
    assertThat(ended.processingStatus()).isEqualTo(MessageBatch.ProcessingStatus.ENDED);
    assertThat(ended.endedAt()).contains(created.createdAt().plus(Duration.ofMillis(1500)));
    assertThat(ended.requestCounts().succeeded()).isEqualTo(2);
    assertThat(ended.requestCounts().errored()).isEqualTo(1);
    assertThat(ended.resultsUrl()).hasValueSatisfying(u -> assertThat(u).endsWith("/" + created.id() + "/results"));

    Map<String, MessageBatchResult> results = results(created.id());
    assertThat(results).containsOnlyKeys("first", "second", "broken");
    results.values().forEach(MessageBatchResult::validate);
    assertThat(results.get("first").isSucceeded()).isTrue();
    assertThat(results.get("first").asSucceeded().message().content().get(0).asText().text()).isNotBlank();
    assertThat(results.get("first").asSucceeded().message().usage().outputTokens()).isBetween(1L, 64L);
    assertThat(results.get("broken").isErrored()).isTrue();
    assertThat(results.get("broken").asErrored().error().error().asInvalidRequestError().message())
        .contains("at least one message is required");
    assertThat(sim.stats().batches().processed()).isEqualTo(3);
  }

  @Test
  void cancelThenDelete() {
    MessageBatch b = create(request("a", "one"), request("b", "two"), request("c", "three"), request("d", "four"));
    clock.advance(Duration.ofMillis(700)); // one done at 0.5 s, the second in flight
    MessageBatch canceling = client.messages().batches().cancel(b.id());
    assertThat(canceling.processingStatus()).isEqualTo(MessageBatch.ProcessingStatus.CANCELING);
    assertThat(canceling.cancelInitiatedAt()).contains(b.createdAt().plus(Duration.ofMillis(700)));
    assertThatThrownBy(() -> client.messages().batches().delete(b.id()))
        .isInstanceOf(BadRequestException.class).hasMessageContaining("only a batch that has ended can be deleted");

    clock.advance(Duration.ofMillis(500));
    MessageBatch ended = client.messages().batches().retrieve(b.id());
    assertThat(ended.processingStatus()).isEqualTo(MessageBatch.ProcessingStatus.ENDED);
    assertThat(ended.requestCounts().succeeded()).isEqualTo(2);
    assertThat(ended.requestCounts().canceled()).isEqualTo(2);
    assertThat(results(b.id()).values()).filteredOn(MessageBatchResult::isCanceled).hasSize(2);

    DeletedMessageBatch deleted = client.messages().batches().delete(b.id());
    deleted.validate();
    assertThat(deleted.id()).isEqualTo(b.id());
    assertThatThrownBy(() -> client.messages().batches().retrieve(b.id())).isInstanceOf(NotFoundException.class);
  }

  @Test
  void whatIsLeftAtTheExpiryExpires() {
    // one per second, expiring after 5 s: 5 of 8 are processed, 3 expire
    try (Simulator slow = Simulator.start(SimulatorConfig.builder().clock(clock).batchRate(1)
        .batchExpiry(Duration.ofSeconds(5)).build())) {
      AnthropicClient c = client.withOptions(o -> o.baseUrl(slow.baseUrl()));
      BatchCreateParams.Builder params = BatchCreateParams.builder();
      for (int i = 0; i < 8; i++) {
        params.addRequest(request("r" + i, "Question " + i));
      }
      MessageBatch b = c.messages().batches().create(params.build());
      clock.advance(Duration.ofMillis(4999));
      assertThat(c.messages().batches().retrieve(b.id()).processingStatus())
          .isEqualTo(MessageBatch.ProcessingStatus.IN_PROGRESS);
      clock.advance(Duration.ofMillis(1));
      MessageBatch expired = c.messages().batches().retrieve(b.id());
      assertThat(expired.processingStatus()).isEqualTo(MessageBatch.ProcessingStatus.ENDED);
      assertThat(expired.endedAt()).contains(expired.expiresAt());
      assertThat(expired.requestCounts().succeeded()).isEqualTo(5);
      assertThat(expired.requestCounts().expired()).isEqualTo(3);
      try (StreamResponse<MessageBatchIndividualResponse> stream = c.messages().batches().resultsStreaming(b.id())) {
        assertThat(stream.stream().map(MessageBatchIndividualResponse::result).toList())
            .hasSize(8).filteredOn(MessageBatchResult::isExpired).hasSize(3);
      }
      assertThat(slow.stats().batches().expired()).isEqualTo(3);
    }
  }

  @Test
  void listPagesThroughEveryBatchNewestFirst() {
    List<String> ids = java.util.stream.IntStream.range(0, 7)
        .mapToObj(i -> create(request("only", "batch " + i)).id()).toList();
    List<String> listed = client.messages().batches().list(BatchListParams.builder().limit(3).build())
        .autoPager().stream().map(MessageBatch::id).toList();
    assertThat(listed).containsExactlyElementsOf(ids.reversed());
    var firstPage = client.messages().batches().list(BatchListParams.builder().limit(3).build());
    assertThat(firstPage.hasMore()).contains(true);
    assertThat(firstPage.data()).extracting(MessageBatch::id).containsExactly(ids.get(6), ids.get(5), ids.get(4));
    Map<String, MessageBatch> byId = firstPage.data().stream()
        .collect(Collectors.toMap(MessageBatch::id, Function.identity()));
    assertThat(byId.get(ids.get(6)).processingStatus()).isEqualTo(MessageBatch.ProcessingStatus.IN_PROGRESS);
  }
}
