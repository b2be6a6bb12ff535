package dev.pacer.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import dev.pacer.DemandTooLargeException;
import dev.pacer.Pacer;
import dev.pacer.anthropic.testing.Sim;
import dev.pacer.limits.Bucket;
import dev.pacer.limits.Limits;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A server that counts a fixed overhead on every request (the API adds its tool-use system prompt)
 * makes short prompts look dear per character, and the estimate learned from them puts a long
 * prompt far over the input limit. Pacer asks count_tokens before it refuses such a prompt: the
 * server's count decides.
 */
class InputRecountTest {

  private static final long HIDDEN_TOKENS = 350;
  private static final long ITPM = 30_000;

  @Test
  void aLongPromptThatFitsIsSentThoughTheEstimateFromShortOnesSaysItNeverCan() throws Exception {
    try (Simulator sim = Simulator.start(server());
        Pacer pacer = pacerFor(sim)) {
      AnthropicClient client = Sim.paced(sim, pacer);
      answerShortPrompts(client);
      MessageCreateParams longPrompt = withPrompt(words(9_000, 1));
      long counted = client.messages().countTokens(countParams(longPrompt)).inputTokens();
      assertThat(counted).isBetween(5_000L, ITPM / 2);
      long countsBefore = sim.stats().countTokensRequests();

      Message message = client.messages().create(longPrompt);
      assertThat(message.usage().inputTokens()).isEqualTo(counted);
      Message async = client.async().messages().create(withPrompt(words(9_000, 2))).get(30, TimeUnit.SECONDS);
      assertThat(async.usage().inputTokens()).isGreaterThan(5_000L);

      assertThat(sim.stats().countTokensRequests() - countsBefore).isEqualTo(2); // one for each long prompt
      assertThat(sim.stats().attempts()).isEqualTo(6);
      assertThat(sim.stats().rateLimited()).isZero();
      assertThat(pacer.stats().countTokensAttempts()).isEqualTo(3);
      client.close();
    }
  }

  @Test
  void aPromptTheServersCountPutsOverTheLimitFailsUnsentWithThatCount() throws Exception {
    try (Simulator sim = Simulator.start(server());
        Pacer pacer = pacerFor(sim)) {
      AnthropicClient client = Sim.paced(sim, pacer);
      answerShortPrompts(client);
      MessageCreateParams tooLong = withPrompt(words(40_000, 3));
      long counted = client.messages().countTokens(countParams(tooLong)).inputTokens();
      assertThat(counted).isGreaterThan(ITPM);

      assertThatThrownBy(() -> client.messages().create(tooLong))
          .isInstanceOfSatisfying(DemandTooLargeException.class, refused -> {
            assertThat(refused.bucket()).isEqualTo(Bucket.INPUT_TOKENS);
            assertThat(refused.needed()).isEqualTo(counted);
          })
          .hasMessageContaining(String.format("%,d input tokens", counted));
      assertThatThrownBy(() -> client.async().messages().create(tooLong).get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(DemandTooLargeException.class);
      assertThat(sim.stats().attempts()).isEqualTo(4); // neither was sent
      client.close();
    }
  }

  /** Four short prompts answered: the estimator learns its ratio from them, and vouches for it. */
  private static void answerShortPrompts(AnthropicClient client) {
    for (int i = 0; i < 4; i++) {
      client.messages().create(Sim.params(i, 20));
    }
  }

  private static SimulatorConfig server() {
    return SimulatorConfig.builder().rpm(300).itpm(ITPM).otpm(30_000).window(Sim.WINDOW)
        .outputTokens(10, 20).hiddenPromptTokens(HIDDEN_TOKENS).seed(11).build();
  }

  private static Pacer pacerFor(Simulator sim) {
    return Pacer.builder().limits(Limits.of(300, ITPM, 30_000)).window(Sim.WINDOW).build();
  }

  private static MessageCreateParams withPrompt(String prompt) {
    return MessageCreateParams.builder().model(Sim.MODEL).maxTokens(20).addUserMessage(prompt).build();
  }

  private static MessageCountTokensParams countParams(MessageCreateParams params) {
    return MessageCountTokensParams.builder().model(params.model()).messages(params.messages()).build();
  }

  /** {@code n} short words, a different text for each seed. */
  private static String words(int n, int seed) {
    String[] vocabulary = {"pace", "limit", "token", "bucket", "refill", "window", "burst", "queue", "retry", "wait"};
    StringBuilder text = new StringBuilder("Summarise:");
    for (int i = 0; i < n; i++) {
      text.append(' ').append(vocabulary[(i * 7 + seed * 3 + i / 10) % vocabulary.length]);
    }
    return text.toString();
  }
}
