package dev.pacer.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.pacer.Pacer;
import dev.pacer.anthropic.testing.Sim;
import dev.pacer.events.PacerEvent;
import dev.pacer.limits.Limits;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.OutputRule;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A Pacer told the limits but not the output rule, over HTTP with the SDK, against a simulator
 * counting output either way: it learns the live rule from the headers, and never mistakes the
 * reserve rule for it, with a whole job of long answers handed over at once (the case where
 * requests granted together reach the server in any order). And under the live rule, streams,
 * whose output the server charges as it is generated: a burst sent against the level before it
 * reaches the server before its first tokens, so it draws no 429.
 */
class OutputRuleLearningTest {

  @Test
  void aBurstOfStreamsUnderTheLiveRuleDrawsNo429() throws Exception {
    try (Simulator sim = Simulator.start(config(OutputRule.LIVE));
        Pacer pacer = Pacer.builder().limits(Limits.of(50, 30_000, 8_000)).window(Sim.WINDOW)
            .outputRule(dev.pacer.limits.OutputRule.LIVE).build();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      AnthropicClient client = Sim.paced(sim, pacer);
      List<Future<Long>> streams = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        int n = i;
        streams.add(threads.submit(() -> {
          try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(Sim.params(n, 400))) {
            return stream.stream().filter(RawMessageStreamEvent::isContentBlockDelta).count();
          }
        }));
      }
      for (Future<Long> stream : streams) {
        assertThat(stream.get(60, TimeUnit.SECONDS)).as("text deltas").isPositive();
      }

      assertThat(sim.stats().rateLimited()).as("429s by bucket: %s", sim.stats().rateLimitedByBucket()).isZero();
      assertThat(sim.stats().attempts()).as("attempts").isEqualTo(64);
      client.close();
    }
  }

  @ParameterizedTest
  @EnumSource(OutputRule.class)
  void theOutputRuleIsLearnedFromTheHeadersWithoutA429(OutputRule rule) throws Exception {
    SimulatorConfig config = config(rule);
    Sim.Events events = new Sim.Events();
    try (Simulator sim = Simulator.start(config);
        Pacer pacer = Pacer.builder().limits(Limits.of(50, 30_000, 8_000)).window(Sim.WINDOW)
            .listener(events).build()) {
      AnthropicClientAsync client = PacedAnthropic.wrap(Sim.sdk(sim), pacer).async();
      List<CompletableFuture<Message>> answers = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        answers.add(client.messages().create(Sim.params(i, 400)));
      }
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

      assertThat(sim.stats().rateLimited()).as("429s by bucket: %s", sim.stats().rateLimitedByBucket()).isZero();
      assertThat(sim.stats().attempts()).as("attempts").isEqualTo(64);
      List<String> learned = events.of(PacerEvent.LimitsLearned.class).stream()
          .map(PacerEvent.LimitsLearned::what).filter(what -> what.contains("output rule")).toList();
      if (rule == OutputRule.LIVE) {
        assertThat(learned).containsExactly("output rule live (max_tokens is not held at admission)");
      } else {
        assertThat(learned).isEmpty();
      }
      client.close();
    }
  }

  /** 50 / 30,000 / 8,000 per 6 s, a whole window of burst, answers of 150-350 tokens at 800 a second. */
  private static SimulatorConfig config(OutputRule rule) {
    return SimulatorConfig.builder()
        .rpm(50).itpm(30_000).otpm(8_000)
        .window(Sim.WINDOW)
        .outputRule(rule)
        .outputTokens(150, 350)
        .latency(Latency.of(Duration.ofMillis(60), 800))
        .seed(3)
        .build();
  }
}
