package dev.pacer.simulator.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.TextBlockParam;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When one request's cache write can be read by another: at its admission (default) or its first token. */
class CacheReadyTest {

  private static final String SYSTEM = "You are a careful assistant who explains rate limits. ".repeat(50);

  @Test
  void withCacheReadyAtTheFirstTokenRequestsSentTogetherEachWriteThePrefix() throws Exception {
    try (Simulator sim = Simulator.start(config(true))) {
      AnthropicClient client = client(sim);
      List<Message> together = together(sim, client, "one", "two");
      assertThat(together).allSatisfy(message -> {
        assertThat(message.usage().cacheCreationInputTokens()).hasValueSatisfying(v -> assertThat(v).isPositive());
        assertThat(message.usage().cacheReadInputTokens()).contains(0L);
      });
      Message after = client.messages().create(question("three"));
      assertThat(after.usage().cacheReadInputTokens()).isEqualTo(together.get(0).usage().cacheCreationInputTokens());
      assertThat(sim.stats().cacheCreationInputTokensServed())
          .isEqualTo(2 * together.get(0).usage().cacheCreationInputTokens().orElseThrow());
      client.close();
    }
  }

  @Test
  void byDefaultAWriteIsReadableFromItsAdmission() throws Exception {
    try (Simulator sim = Simulator.start(config(false))) {
      AnthropicClient client = client(sim);
      List<Message> together = together(sim, client, "one", "two");
      long written = together.stream().mapToLong(m -> m.usage().cacheCreationInputTokens().orElse(0L)).sum();
      long read = together.stream().mapToLong(m -> m.usage().cacheReadInputTokens().orElse(0L)).sum();
      assertThat(written).isPositive().isEqualTo(read); // the first wrote it, the second read it
      client.close();
    }
  }

  private static SimulatorConfig config(boolean atFirstToken) {
    return SimulatorConfig.builder().tier("tier1").seed(3).outputTokens(5, 10)
        .latency(Latency.of(Duration.ofMillis(400), 1_000)).cacheReadyAtFirstToken(atFirstToken).build();
  }

  /** The second request sent once the first has been admitted, well before its first token. */
  private static List<Message> together(Simulator sim, AnthropicClient client, String first, String second)
      throws Exception {
    CompletableFuture<Message> a = client.async().messages().create(question(first));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (sim.stats().inFlight() < 1 && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertThat(sim.stats().inFlight()).isEqualTo(1);
    CompletableFuture<Message> b = client.async().messages().create(question(second));
    return List.of(a.get(20, TimeUnit.SECONDS), b.get(20, TimeUnit.SECONDS));
  }

  private static AnthropicClient client(Simulator sim) {
    return AnthropicOkHttpClient.builder().baseUrl(sim.baseUrl()).apiKey("test").maxRetries(0).build();
  }

  private static MessageCreateParams question(String which) {
    return MessageCreateParams.builder().model("claude-haiku-4-5").maxTokens(10)
        .systemOfTextBlockParams(List.of(TextBlockParam.builder().text(SYSTEM)
            .cacheControl(CacheControlEphemeral.builder().build()).build()))
        .addUserMessage("Question " + which + "?").build();
  }
}
