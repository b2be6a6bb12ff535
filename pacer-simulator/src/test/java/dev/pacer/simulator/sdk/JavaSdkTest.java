package dev.pacer.simulator.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.AnthropicException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.errors.SseException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.models.ModelInfo;
import dev.pacer.simulator.RequestRecord;
import dev.pacer.simulator.SimulatorConfig;
import dev.pacer.simulator.junit.SimulatorExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The official Java SDK, which nobody here wrote, against the simulator. */
class JavaSdkTest {

  private static final String MODEL = "claude-haiku-4-5";

  @RegisterExtension
  static final SimulatorExtension SIM = SimulatorExtension.with(SimulatorConfig.builder().tier("tier1").seed(42).build());

  private static AnthropicClient client;

  @BeforeAll
  static void client() {
    client = AnthropicOkHttpClient.builder()
        .baseUrl(SIM.baseUrl())
        .apiKey("sk-ant-test")
        .maxRetries(2)
        .timeout(Duration.ofSeconds(20))
        .build();
  }

  @AfterAll
  static void closeClient() {
    client.close();
  }

  @BeforeEach
  void clean() {
    SIM.faults().clear();
    SIM.resetStats();
  }

  private static MessageCreateParams params(String prompt, long maxTokens) {
    return MessageCreateParams.builder().model(MODEL).maxTokens(maxTokens).addUserMessage(prompt).build();
  }

  @Test
  void plainCreate() {
    Message m = client.messages().create(params("Say something about pacing.", 1024));
    m.validate();
    assertThat(m.id()).startsWith("msg_");
    assertThat(m.model().asString()).isEqualTo(MODEL);
    assertThat(m.content()).hasSize(1);
    assertThat(m.content().get(0).asText().text()).isNotBlank();
    assertThat(m.stopReason()).contains(StopReason.END_TURN);
    assertThat(m.usage().inputTokens()).isPositive();
    assertThat(m.usage().outputTokens()).isBetween(20L, 400L);
    assertThat(SIM.stats().succeeded()).isEqualTo(1);
    assertThat(SIM.stats().records()).extracting(RequestRecord::pool).containsExactly("haiku-4-5");
  }

  @Test
  void maxTokensCapsTheAnswer() {
    Message m = client.messages().create(params("Say something about pacing.", 5));
    assertThat(m.stopReason()).contains(StopReason.MAX_TOKENS);
    assertThat(m.usage().outputTokens()).isEqualTo(5);
  }

  @Test
  void streamingAccumulatesToTheSameMessage() {
    MessageCreateParams p = params("Tell me about rivers.", 1024);
    Message plain = client.messages().create(p);
    MessageAccumulator accumulator = MessageAccumulator.create();
    int events;
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(p)) {
      List<RawMessageStreamEvent> all = stream.stream().peek(accumulator::accumulate).toList();
      events = all.size();
      assertThat(all.get(0).isMessageStart()).isTrue();
      assertThat(all.get(all.size() - 1).isMessageStop()).isTrue();
      assertThat(all).anyMatch(RawMessageStreamEvent::isContentBlockDelta);
      assertThat(all).anyMatch(RawMessageStreamEvent::isMessageDelta);
    }
    Message streamed = accumulator.message();
    assertThat(events).isGreaterThan(5);
    assertThat(streamed.content().get(0).asText().text())
        .as("deterministic: the same prompt gets the same answer").isEqualTo(plain.content().get(0).asText().text());
    assertThat(streamed.usage().outputTokens()).isEqualTo(plain.usage().outputTokens());
    assertThat(streamed.usage().inputTokens()).isEqualTo(plain.usage().inputTokens());
    assertThat(streamed.stopReason()).isEqualTo(plain.stopReason());
    assertThat(SIM.stats().records()).extracting(RequestRecord::stream).containsExactly(false, true);
  }

  @Test
  void countTokensMatchesTheUsageOfCreate() {
    long counted = client.messages().countTokens(MessageCountTokensParams.builder()
        .model(MODEL).addUserMessage("How many tokens is this, exactly?").build()).inputTokens();
    Message m = client.messages().create(params("How many tokens is this, exactly?", 100));
    assertThat(counted).isEqualTo(m.usage().inputTokens());
    assertThat(SIM.stats().countTokensRequests()).isEqualTo(1);
  }

  @Test
  void rawResponseCarriesTheRateLimitHeaders() {
    try (HttpResponseFor<Message> raw = client.messages().withRawResponse().create(params("Headers, please.", 100))) {
      assertThat(raw.statusCode()).isEqualTo(200);
      assertThat(raw.headers().values("request-id")).singleElement().asString().startsWith("req_");
      assertThat(raw.headers().values("anthropic-ratelimit-requests-limit")).containsExactly("50");
      assertThat(raw.headers().values("anthropic-ratelimit-input-tokens-limit")).containsExactly("50000");
      assertThat(raw.headers().values("anthropic-ratelimit-output-tokens-limit")).containsExactly("10000");
      assertThat(raw.headers().values("anthropic-ratelimit-tokens-limit")).containsExactly("60000");
      assertThat(raw.headers().values("anthropic-ratelimit-input-tokens-reset").get(0)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
      assertThat(raw.headers().values("date")).hasSize(1);
      assertThat(raw.parse().usage().inputTokens()).isPositive();
    }
  }

  @Test
  void theSdkRetriesA429ByItself() {
    SIM.faults().failNext(1, 429);
    Message m = client.messages().create(params("Retry me.", 100));
    assertThat(m.content()).isNotEmpty();
    assertThat(SIM.stats().count(429)).isEqualTo(1);
    assertThat(SIM.stats().succeeded()).isEqualTo(1);
    assertThat(SIM.stats().attempts()).isEqualTo(2);
  }

  @Test
  void faultsReachTheSdkAsItsExceptions() {
    AnthropicClient noRetries = client.withOptions(b -> b.maxRetries(0));
    SIM.faults().failNext(1, 429).failNext(1, 500);
    assertThatThrownBy(() -> noRetries.messages().create(params("x", 10)))
        .isInstanceOfSatisfying(RateLimitException.class, e -> {
          assertThat(e.headers().values("retry-after")).containsExactly("1");
          assertThat(e.headers().values("x-should-retry")).containsExactly("true");
        });
    assertThatThrownBy(() -> noRetries.messages().create(params("x", 10))).isInstanceOf(InternalServerException.class);
    assertThatThrownBy(() -> noRetries.messages().create(
        MessageCreateParams.builder().model(MODEL).maxTokens(10).messages(List.of()).build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("at least one message is required");
  }

  @Test
  void aRealRateLimitNamesTheLimitAndTheSdkWaitsItOut() {
    // tier1 Haiku 4.5: 10,000 OTPM held as max_tokens under the reserve rule
    AnthropicClient noRetries = client.withOptions(b -> b.maxRetries(0));
    assertThatThrownBy(() -> noRetries.messages().create(params("too much output", 20_000)))
        .isInstanceOfSatisfying(RateLimitException.class, e -> {
          assertThat(e.getMessage()).contains("exceeds the rate limit").contains("10,000 output tokens per minute");
          assertThat(e.headers().values("retry-after")).containsExactly("60");
        });
    assertThat(SIM.stats().rateLimitedBy("output_tokens")).isEqualTo(1);
  }

  @Test
  void promptCachingWritesThenReads() {
    String longSystem = "You are a careful assistant who explains rate limits. ".repeat(50);
    MessageCreateParams p = MessageCreateParams.builder().model(MODEL).maxTokens(50)
        .systemOfTextBlockParams(List.of(TextBlockParam.builder().text(longSystem)
            .cacheControl(CacheControlEphemeral.builder().build()).build()))
        .addUserMessage("First question").build();
    Message first = client.messages().create(p);
    assertThat(first.usage().cacheCreationInputTokens()).hasValueSatisfying(v -> assertThat(v).isPositive());
    assertThat(first.usage().cacheReadInputTokens()).contains(0L);
    Message second = client.messages().create(p.toBuilder().messages(List.of())
        .addUserMessage("Second question").build());
    assertThat(second.usage().cacheReadInputTokens()).isEqualTo(first.usage().cacheCreationInputTokens());
    assertThat(second.usage().cacheCreationInputTokens()).contains(0L);
  }

  @Test
  void aStreamEndingWithAnErrorEventReachesTheSdkAsAnSseException() {
    SIM.faults().breakNextStreams(1);
    MessageCreateParams p = params("Break this stream, please.", 100);
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(p)) {
      assertThatThrownBy(() -> stream.stream().toList())
          .isInstanceOf(SseException.class).hasMessageContaining("Overloaded");
    }
    assertThat(SIM.stats().attempts()).as("the SDK does not retry an error event").isEqualTo(1);
    assertThat(SIM.stats().faultsInjected("stream_error")).isEqualTo(1);
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(p)) {
      assertThat(stream.stream().toList().getLast().isMessageStop()).isTrue();
    }
  }

  @Test
  void aConnectionClosedMidResponseReachesTheSdkAndTheNextCallWorks() {
    SIM.faults().dropNextConnections(1);
    assertThatThrownBy(() -> client.messages().create(params("Cut me off.", 100)))
        .isInstanceOf(AnthropicException.class);
    assertThat(client.messages().create(params("Cut me off.", 100)).content()).isNotEmpty();
    assertThat(SIM.stats().faultsInjected("connection_drop")).isEqualTo(1);
  }

  @Test
  void modelsAreListed() {
    List<ModelInfo> models = client.models().list().autoPager().stream().toList();
    assertThat(models).extracting(ModelInfo::id).contains("claude-haiku-4-5", "claude-opus-4");
    assertThat(client.models().retrieve("claude-sonnet-4-5").displayName()).isEqualTo("Claude Sonnet 4.5");
  }
}
