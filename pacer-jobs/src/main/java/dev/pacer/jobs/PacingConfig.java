package dev.pacer.jobs;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Everything a job tells the pacing layer: which limits to start from (otherwise they are
 * learned from response headers), how the server counts output, how many requests may be in
 * flight, and how long one request may take. Frozen at {@link Builder#build()}.
 *
 * @param tier a tier name from the model data ({@code start}, {@code build}, {@code scale},
 *     {@code tier1}…{@code tier4}), or empty to learn limits from headers
 * @param requestsPerWindow {@code --rpm}: for every pool the job uses
 * @param inputTokensPerWindow {@code --itpm}: for every pool the job uses
 * @param outputTokensPerWindow {@code --otpm}: for every pool the job uses
 * @param poolLimits {@code --limits FILE}: limits per pool (keys are pool names)
 * @param window the period the limits are counted over (a minute, unless shortened for tests)
 * @param burst the bucket capacity as a duration of refill, if known; empty means unknown
 * @param outputRule how output tokens count against OTPM
 * @param concurrency the most requests in flight at once (a ceiling; the pacer may use fewer)
 * @param requestTimeout how long one attempt may take
 * @param priority which queue the job's requests wait in
 */
public record PacingConfig(
    Optional<String> tier,
    OptionalLong requestsPerWindow,
    OptionalLong inputTokensPerWindow,
    OptionalLong outputTokensPerWindow,
    Map<String, PoolLimits> poolLimits,
    Duration window,
    Optional<Duration> burst,
    OutputRule outputRule,
    int concurrency,
    Duration requestTimeout,
    RequestPriority priority) {

  public static final int DEFAULT_CONCURRENCY = 64;
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(10);

  public PacingConfig {
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(burst, "burst");
    Objects.requireNonNull(outputRule, "outputRule");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(priority, "priority");
    poolLimits = Map.copyOf(poolLimits);
    positive(requestsPerWindow, "rpm");
    positive(inputTokensPerWindow, "itpm");
    positive(outputTokensPerWindow, "otpm");
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive, got " + window);
    }
    burst.ifPresent(b -> {
      if (b.isNegative() || b.isZero() || b.compareTo(window) > 0) {
        throw new IllegalArgumentException("burst must be positive and at most the window (" + window + "), got " + b);
      }
    });
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive, got " + requestTimeout);
    }
  }

  private static void positive(OptionalLong value, String name) {
    if (value.isPresent() && value.getAsLong() <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value.getAsLong());
    }
  }

  /** Defaults: limits learned from headers, a one-minute window, output reserved, 64 in flight. */
  public static PacingConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** True when no limit is configured at all: everything is learned from headers. */
  public boolean learnsAllLimits() {
    return tier.isEmpty() && requestsPerWindow.isEmpty() && inputTokensPerWindow.isEmpty()
        && outputTokensPerWindow.isEmpty() && poolLimits.isEmpty();
  }

  public static final class Builder {
    private String tier;
    private Long rpm;
    private Long itpm;
    private Long otpm;
    private final Map<String, PoolLimits> poolLimits = new TreeMap<>();
    private Duration window = DEFAULT_WINDOW;
    private Duration burst;
    private OutputRule outputRule = OutputRule.RESERVE;
    private int concurrency = DEFAULT_CONCURRENCY;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private RequestPriority priority = RequestPriority.BATCH;

    private Builder() {}

    public Builder tier(String tier) {
      this.tier = tier;
      return this;
    }

    public Builder requestsPerWindow(long rpm) {
      this.rpm = rpm;
      return this;
    }

    public Builder inputTokensPerWindow(long itpm) {
      this.itpm = itpm;
      return this;
    }

    public Builder outputTokensPerWindow(long otpm) {
      this.otpm = otpm;
      return this;
    }

    public Builder poolLimits(String pool, PoolLimits limits) {
      poolLimits.put(pool, limits);
      return this;
    }

    public Builder poolLimits(Map<String, PoolLimits> limits) {
      poolLimits.putAll(limits);
      return this;
    }

    public Builder window(Duration window) {
      this.window = window;
      return this;
    }

    public Builder burst(Duration burst) {
      this.burst = burst;
      return this;
    }

    public Builder outputRule(OutputRule outputRule) {
      this.outputRule = outputRule;
      return this;
    }

    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    public Builder priority(RequestPriority priority) {
      this.priority = priority;
      return this;
    }

    public PacingConfig build() {
      return new PacingConfig(Optional.ofNullable(tier), optional(rpm), optional(itpm), optional(otpm), poolLimits,
          window, Optional.ofNullable(burst), outputRule, concurrency, requestTimeout, priority);
    }

    private static OptionalLong optional(Long value) {
      return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }
  }
}
