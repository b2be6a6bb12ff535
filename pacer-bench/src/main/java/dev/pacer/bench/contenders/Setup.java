package dev.pacer.bench.contenders;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import dev.pacer.bench.AttemptLog;
import dev.pacer.bench.JobRequest;
import dev.pacer.bench.Scenario;
import dev.pacer.bench.SharedTls;
import java.time.Duration;
import java.util.List;

/**
 * What a contender gets for one run: the scenario (its told limits, window, output rule), the
 * simulator's address, the attempt log to put under its retries, and the worker count a
 * competent user would choose.
 *
 * @param scenario the scenario
 * @param baseUrl the simulator
 * @param log the attempt log (an SDK interceptor)
 * @param workers threads for contenders that send from a fixed pool: twice the requests in flight
 *     the told limits allow at the expected latency (Little's law), at least 4
 * @param seed for the contenders' own jitter
 */
public record Setup(Scenario scenario, String baseUrl, AttemptLog log, int workers, long seed) {

  static final String API_KEY = "sk-ant-bench-not-a-secret";

  /** The SDK's builder pointed at the simulator, with the attempt log under its retries. */
  AnthropicOkHttpClient.Builder sdk() {
    return SharedTls.apply(AnthropicOkHttpClient.builder())
        .baseUrl(baseUrl).apiKey(API_KEY).timeout(Duration.ofSeconds(60));
  }

  /** A plain SDK client with {@code maxRetries} retries, every attempt logged. */
  AnthropicClient client(int maxRetries) {
    return sdk().maxRetries(maxRetries).addInterceptor(log).build();
  }

  /** A real-world duration in the scenario's compressed time. */
  Duration compressed(Duration real) {
    return scenario.compressed(real);
  }

  List<JobRequest> job() {
    return scenario.job();
  }

  /**
   * The steady requests per second the told limits allow for this job, as a user computes it from
   * per-request averages of estimated input (cache reads left out) and {@code max_tokens}.
   */
  public double requestsPerSecond() {
    double window = scenario.window().toNanos() / 1e9;
    double input = job().stream().mapToLong(JobRequest::estimatedCountedInputTokens).average().orElse(1);
    double output = job().stream().mapToLong(JobRequest::maxTokens).average().orElse(1);
    var told = scenario.told();
    return Math.min(told.requests() / window,
        Math.min(told.inputTokens() / window / input, told.outputTokens() / window / output));
  }
}
