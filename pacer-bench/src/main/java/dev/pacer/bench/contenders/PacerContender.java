package dev.pacer.bench.contenders;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import dev.pacer.Pacer;
import dev.pacer.anthropic.PacedAnthropic;
import dev.pacer.bench.JobRequest;
import dev.pacer.bench.Scenario;
import dev.pacer.limits.OutputRule;
import dev.pacer.retry.RetryBudgetConfig;
import dev.pacer.retry.RetryConfig;
import dev.pacer.retry.RetryPolicy;
import java.time.Duration;

/**
 * Pacer through {@link PacedAnthropic}: every request handed over at once, each on its own virtual
 * thread, Pacer's queue deciding when each goes. {@code pacer} is told the limits and the output
 * rule; {@code pacer-learning} is told nothing. Both get the window, and Pacer's own time constants
 * (backoff, retry budget, the burst assumed until one is seen) compressed like the window.
 */
final class PacerContender implements Contender {

  private final boolean configured;

  private PacerContender(boolean configured) {
    this.configured = configured;
  }

  static PacerContender configured() {
    return new PacerContender(true);
  }

  static PacerContender learning() {
    return new PacerContender(false);
  }

  @Override
  public String name() {
    return configured ? "pacer" : "pacer-learning";
  }

  @Override
  public String settings() {
    return configured
        ? "PacedAnthropic with the told limits and output rule; burst unknown (learned); defaults otherwise"
        : "PacedAnthropic with nothing configured: limits, burst and output tokens learned from the server";
  }

  @Override
  public Session open(Setup setup) {
    Pacer pacer = pacer(setup.scenario());
    AnthropicClient paced = PacedAnthropic.wrap(setup.sdk(), pacer);
    // Added after Pacer's interceptor, so below it: the log sees each attempt Pacer sends.
    AnthropicClient client = paced.withOptions(options -> options.addInterceptor(setup.log()));
    return new Session() {
      @Override
      public Message send(JobRequest request) {
        return client.messages().create(request.params());
      }

      @Override
      public int workers() {
        return 0;
      }

      @Override
      public void close() {
        paced.close();
        pacer.close();
      }
    };
  }

  /** The Pacer a user builds, with its real-time defaults compressed like the scenario's window. */
  Pacer pacer(Scenario scenario) {
    RetryConfig defaults = RetryConfig.defaults();
    RetryBudgetConfig budget = RetryBudgetConfig.defaults();
    double compression = scenario.compression();
    Pacer.Builder builder = Pacer.builder()
        .window(scenario.window())
        .assumedBurst(scenario.compressed(Duration.ofSeconds(1)))
        .retryPolicy(RetryPolicy.builder()
            .initialBackoff(scenario.compressed(defaults.initialBackoff()))
            .maxBackoff(scenario.compressed(defaults.maxBackoff()))
            .build())
        .retryBudget(new RetryBudgetConfig(budget.ratio(),
            (int) Math.round(budget.minRetriesPerSecond() * compression),
            max(Duration.ofSeconds(1), scenario.compressed(budget.window()))));
    if (configured) {
      builder.limits(scenario.told().forPacer())
          .outputRule(scenario.outputRule() == dev.pacer.simulator.OutputRule.LIVE
              ? OutputRule.LIVE : OutputRule.RESERVE);
    }
    return builder.build();
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
