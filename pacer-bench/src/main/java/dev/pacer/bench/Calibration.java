package dev.pacer.bench;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.Message;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What a scenario's job asks of the server, measured once: the job is sent to a simulator with the
 * same answers and prompt cache but no limits and no latency, and its usage summed as the server
 * counts it. Answers depend only on the seed and the prompt, so every contender's job needs the same.
 *
 * @param demand the servable requests' needs, per bucket
 * @param medianOutput the median answer length, in tokens
 * @param meanOutput the mean answer length, in tokens
 * @param perRequest each servable request's {@code [counted input tokens, output tokens]}, in job order
 */
public record Calibration(LowerBound.Demand demand, long medianOutput, double meanOutput, List<long[]> perRequest) {

  private static final dev.pacer.simulator.Limits UNLIMITED = dev.pacer.simulator.Limits.of(1_000_000_000L,
      1_000_000_000_000L, 1_000_000_000_000L);

  public static Calibration of(Scenario scenario, long seed) throws Exception {
    List<JobRequest> servable = scenario.servable();
    SimulatorConfig config = simulatorConfig(scenario, seed).toBuilder()
        .limits(UNLIMITED).latency(Latency.off()).build();
    long[] outputs = new long[servable.size()];
    List<long[]> perRequest = new ArrayList<>();
    long input = 0;
    long output = 0;
    try (Simulator sim = Simulator.start(config);
        ExecutorService pool = Executors.newFixedThreadPool(8)) {
      AnthropicClient client = SharedTls.apply(AnthropicOkHttpClient.builder())
          .baseUrl(sim.baseUrl()).apiKey("calibration")
          .maxRetries(2).timeout(Duration.ofSeconds(60)).build();
      try {
        List<Future<Message>> answers = new ArrayList<>();
        for (int i = 0; i < servable.size(); i++) {
          JobRequest request = servable.get(i);
          Future<Message> answer = pool.submit(() -> client.messages().create(request.params()));
          if (i == 0) {
            answer.get(); // the first writes the prompt cache, as it does for every contender
          }
          answers.add(answer);
        }
        for (int i = 0; i < answers.size(); i++) {
          Message message = answers.get(i).get();
          long counted = message.usage().inputTokens() + message.usage().cacheCreationInputTokens().orElse(0L);
          input += counted;
          outputs[i] = message.usage().outputTokens();
          perRequest.add(new long[] {counted, outputs[i]});
          output += outputs[i];
        }
      } finally {
        client.close();
      }
    }
    long[] sorted = outputs.clone();
    java.util.Arrays.sort(sorted);
    long median = sorted.length == 0 ? 0 : sorted[sorted.length / 2];
    double mean = servable.isEmpty() ? 0 : output / (double) servable.size();
    return new Calibration(new LowerBound.Demand(servable.size(), input, output), median, mean,
        List.copyOf(perRequest));
  }

  /** The simulator a scenario runs on. */
  public static SimulatorConfig simulatorConfig(Scenario scenario, long seed) {
    SimulatorConfig.Builder builder = SimulatorConfig.builder()
        .limits(scenario.limits().forSimulator())
        .window(scenario.window())
        .outputRule(scenario.outputRule())
        .latency(scenario.latency())
        .outputTokens(scenario.minOutput(), scenario.maxOutput())
        .seed(seed)
        .recordLimit(200_000);
    scenario.burst().ifPresent(builder::burst);
    return builder.build();
  }

  /** One request's latency: the median answer's. */
  public Duration medianLatency(Scenario scenario) {
    return Duration.ofNanos(scenario.latency().nanosUntilToken(medianOutput));
  }

  /** The job's lower bound and attempts floor on {@code scenario}'s server. */
  public LowerBound lowerBound(Scenario scenario) {
    if (scenario.outputRule() == dev.pacer.simulator.OutputRule.LIVE) {
      return LowerBound.live(scenario, demand, perRequest);
    }
    return LowerBound.of(scenario, demand, medianLatency(scenario));
  }
}
