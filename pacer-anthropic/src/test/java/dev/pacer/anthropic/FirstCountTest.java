package dev.pacer.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.pacer.Pacer;
import dev.pacer.anthropic.testing.Sim;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Limits not told, prompts the server counts at a token a character (symbols: twice the
 * estimator's cautious first guess), streamed through the SDK: the first answer's headers show
 * the limits and a full bucket, and a burst granted on the first guess overdrew it (14 429s of 40
 * here). The pool waits for that answer's count, which a stream gives at {@code message_start},
 * right after its head. Short answers (max_tokens 50), so that the input bucket is what binds.
 */
class FirstCountTest {

  @Test
  void streamsOfPromptsDearerThanTheFirstGuessDrawNo429WhileTheLimitsAreLearned() throws Exception {
    SimulatorConfig config = SimulatorConfig.builder().rpm(50).itpm(30_000).otpm(8_000).window(Sim.WINDOW)
        .outputTokens(20, 40).latency(Latency.of(Duration.ofMillis(60), 100)).seed(5).build();
    try (Simulator sim = Simulator.start(config);
        Pacer pacer = Pacer.builder().window(Sim.WINDOW).build();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      AnthropicClient client = Sim.paced(sim, pacer);
      List<Future<Long>> streams = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        MessageCreateParams params = MessageCreateParams.builder().model(Sim.MODEL).maxTokens(50)
            .addUserMessage(dense(i, 1_200)).build();
        streams.add(threads.submit(() -> {
          try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
            return stream.stream().filter(RawMessageStreamEvent::isContentBlockDelta).count();
          }
        }));
      }
      for (Future<Long> stream : streams) {
        assertThat(stream.get(120, TimeUnit.SECONDS)).as("text deltas").isPositive();
      }

      assertThat(sim.stats().rateLimited()).as("429s by bucket: %s", sim.stats().rateLimitedByBucket()).isZero();
      assertThat(sim.stats().attempts()).isEqualTo(40);
      client.close();
    }
  }

  /** {@code chars} characters alternating a letter and a symbol: the simulator counts each a token. */
  private static String dense(int seed, int chars) {
    Random random = new Random(seed);
    String symbols = ",.;:!?-+=*/()[]{}<>";
    StringBuilder text = new StringBuilder(chars);
    while (text.length() < chars) {
      text.append((char) ('a' + random.nextInt(10))).append(symbols.charAt(random.nextInt(symbols.length())));
    }
    return text.toString();
  }
}
