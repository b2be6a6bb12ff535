package dev.pacer.examples;

import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClientAsync;
import dev.pacer.Pacer;
import dev.pacer.limits.Limits;
import dev.pacer.limits.Tier;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.time.Duration;

/**
 * Where the examples send their requests: the API named by {@code ANTHROPIC_API_KEY} and
 * {@code ANTHROPIC_BASE_URL} when either is set, else a simulator started here with small limits
 * on a 10-second window (so that pacing shows within seconds). {@code PACER_MODEL} picks the model
 * (default {@code claude-haiku-4-5}); {@code PACER_TIER} tells Pacer your tier on the real API
 * (start, build, scale, tier1..tier4; without it Pacer learns the limits from the headers).
 */
final class Target implements AutoCloseable {

  /** The embedded simulator's limits: 600 requests, 300,000 input and 60,000 output tokens per 10 s. */
  static final Duration SIMULATED_WINDOW = Duration.ofSeconds(10);

  private final Simulator simulator;
  private final String model;

  private Target(Simulator simulator, String model) {
    this.simulator = simulator;
    this.model = model;
  }

  static Target fromEnvironment() {
    String model = env("PACER_MODEL", "claude-haiku-4-5");
    if (env("ANTHROPIC_API_KEY", "").isEmpty() && env("ANTHROPIC_BASE_URL", "").isEmpty()) {
      Simulator simulator = Simulator.start(SimulatorConfig.builder()
          .rpm(600).itpm(300_000).otpm(60_000)
          .window(SIMULATED_WINDOW).burst(Duration.ofSeconds(1))
          .latency(Latency.of(Duration.ofMillis(300), 400))
          .outputTokens(20, 120)
          .seed(1)
          .build());
      return new Target(simulator, model);
    }
    return new Target(null, model);
  }

  boolean simulated() {
    return simulator != null;
  }

  String model() {
    return model;
  }

  /** A Pacer for this target: the simulator's limits, or your tier's (or none: learned from headers). */
  Pacer.Builder pacer() {
    if (simulator != null) {
      SimulatorConfig config = simulator.config();
      // Half the server's burst: a margin for the varying delay between a permit and the
      // request's arrival (see docs/sdk.md, "Send delay").
      return Pacer.builder()
          .limits(Limits.of(config.rpm().orElseThrow(), config.itpm().orElseThrow(), config.otpm().orElseThrow()))
          .window(config.window())
          .burst(config.burst().orElseThrow().dividedBy(2));
    }
    Pacer.Builder pacer = Pacer.builder();
    String tier = env("PACER_TIER", "");
    if (!tier.isEmpty()) {
      pacer.tier(Tier.parse(tier));
    }
    return pacer;
  }

  /** The SDK's builder, as you would write it, pointed at this target. */
  AnthropicOkHttpClient.Builder sdk() {
    if (simulator != null) {
      return AnthropicOkHttpClient.builder().baseUrl(simulator.baseUrl()).apiKey("simulated");
    }
    AnthropicOkHttpClient.Builder builder = AnthropicOkHttpClient.builder().fromEnv();
    return env("ANTHROPIC_API_KEY", "").isEmpty() ? builder.apiKey("unset") : builder; // e.g. `pacer simulate`
  }

  AnthropicOkHttpClientAsync.Builder sdkAsync() {
    if (simulator != null) {
      return AnthropicOkHttpClientAsync.builder().baseUrl(simulator.baseUrl()).apiKey("simulated");
    }
    AnthropicOkHttpClientAsync.Builder builder = AnthropicOkHttpClientAsync.builder().fromEnv();
    return env("ANTHROPIC_API_KEY", "").isEmpty() ? builder.apiKey("unset") : builder;
  }

  /** What the requests go to, for the first line an example prints (never the key). */
  String describe() {
    if (simulator != null) {
      return "the embedded simulator at " + simulator.baseUrl() + " (600 requests, 300,000 input and 60,000 output"
          + " tokens per 10 s window; set ANTHROPIC_API_KEY to use the real API), model " + model;
    }
    String url = env("ANTHROPIC_BASE_URL", "");
    return (url.isEmpty() ? "the Anthropic API" : url) + ", model " + model;
  }

  @Override
  public void close() {
    if (simulator != null) {
      simulator.close();
    }
  }

  private static String env(String name, String otherwise) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? otherwise : value.trim();
  }
}
