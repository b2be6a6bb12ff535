package dev.pacer.jobs;

import dev.pacer.Pacer;
import dev.pacer.concurrency.AdaptiveConcurrencyConfig;
import dev.pacer.Priority;
import dev.pacer.limits.Limits;
import dev.pacer.limits.ModelCatalog;
import dev.pacer.limits.OutputRule;
import dev.pacer.limits.Tier;
import dev.pacer.retry.RetryPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Everything a job tells the pacing layer (pacer-core's {@link Pacer}): which limits to start
 * from (otherwise they are learned from response headers), how the server counts output, how many
 * requests may be in flight, how long one attempt may take, and which queue the job waits in.
 * Frozen at {@link Builder#build()}; {@link #pacerBuilder} turns it into a Pacer.
 *
 * @param tier a tier's table to start from, or empty to learn limits from headers
 * @param requestsPerWindow {@code --rpm}: for every pool the job uses
 * @param inputTokensPerWindow {@code --itpm}: for every pool the job uses
 * @param outputTokensPerWindow {@code --otpm}: for every pool the job uses
 * @param poolLimits {@code --limits FILE}: limits per pool (keys are pool names; a limit may be
 *     {@link Limits#UNKNOWN})
 * @param window the period the limits are counted over (a minute, unless shortened for tests)
 * @param burst the bucket capacity as a duration of refill, if known; empty means unknown
 * @param outputRule how output tokens count against OTPM; empty: reserve until the server's headers
 *     show live (learned)
 * @param concurrency the most requests in flight at once: the ceiling of the Pacer's adaptive cap
 *     per pool (lowered on 529s, raised back on successes), and the most the runner hands it
 * @param requestTimeout how long one attempt may take
 * @param priority which queue the job's requests wait in
 */
public record PacingConfig(
    Optional<Tier> tier,
    OptionalLong requestsPerWindow,
    OptionalLong inputTokensPerWindow,
    OptionalLong outputTokensPerWindow,
    Map<String, Limits> poolLimits,
    Duration window,
    Optional<Duration> burst,
    Optional<OutputRule> outputRule,
    int concurrency,
    Duration requestTimeout,
    Priority priority) {

  public static final int DEFAULT_CONCURRENCY = 64;
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(10);

  /**
   * Attempts per request, the first included. Higher than the Pacer's default of 10: a job runs
   * for hours and an errored result costs a rerun with {@code --retry-errored}, while a retry
   * costs little here (it waits for the buckets, a concurrency slot and the retry budget, so more
   * attempts do not multiply traffic). The backoffs of 20 attempts add up to about 3.5 minutes
   * on average (7 at most): enough to ride out several minutes of 529s.
   */
  public static final int MAX_ATTEMPTS = 20;

  /** The longest {@code retry-after} obeyed (the Pacer's default is 60 s); a longer one ends the request. */
  public static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

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

  /** {@code --rpm/--itpm/--otpm} as limits, unknown where not given. */
  public Limits commonLimits() {
    return new Limits(requestsPerWindow.orElse(Limits.UNKNOWN), inputTokensPerWindow.orElse(Limits.UNKNOWN),
        outputTokensPerWindow.orElse(Limits.UNKNOWN));
  }

  /**
   * What the configuration says of {@code pool}, each limit possibly unknown. Precedence:
   * {@code --rpm/--itpm/--otpm}, then {@code --limits FILE}, then {@code --tier}. The Pacer built
   * by {@link #pacerBuilder} starts from exactly these (and then believes the server's headers).
   */
  public Limits limitsFor(String pool, ModelCatalog catalog) {
    Limits configured = commonLimits().orElse(poolLimits.getOrDefault(pool, Limits.NONE));
    return tier.map(t -> configured.orElse(catalog.limits(t, pool))).orElse(configured);
  }

  /** The burst as a fraction of a window: the configured one, or {@code whenUnknown}. */
  public double burstFraction(double whenUnknown) {
    return burst.map(b -> b.toNanos() / (double) window.toNanos()).orElse(whenUnknown);
  }

  /**
   * The retry policy for jobs: Pacer's classification, backoff with full jitter and retry budget,
   * with {@link #MAX_ATTEMPTS} attempts and {@code retry-after} obeyed up to {@link #MAX_RETRY_AFTER}.
   */
  public static RetryPolicy retryPolicy() {
    return RetryPolicy.builder().maxAttempts(MAX_ATTEMPTS).maxRetryAfter(MAX_RETRY_AFTER).build();
  }

  /**
   * A {@link Pacer} builder set up from this configuration: the tier, the common limits for every
   * pool, each {@code --limits} pool with the common limits laid over it (so the precedence is that
   * of {@link #limitsFor}), the window, burst, output rule, {@link #concurrency()} as the start and
   * the ceiling of the adaptive in-flight cap (a fixed one would keep a server that
   * sheds load above some number in flight answering 529 to most attempts),
   * the catalog and the job {@link #retryPolicy()}. Add a listener, a time source or a
   * {@link dev.pacer.store.BucketStore} before building.
   */
  public Pacer.Builder pacerBuilder(ModelCatalog catalog) {
    Pacer.Builder pacer = Pacer.builder()
        .catalog(catalog)
        .window(window)
        .adaptiveConcurrency(new AdaptiveConcurrencyConfig(AdaptiveConcurrencyConfig.DEFAULT_MIN_LIMIT, concurrency,
            concurrency, AdaptiveConcurrencyConfig.DEFAULT_DECREASE_FACTOR, AdaptiveConcurrencyConfig.DEFAULT_OVERLOAD_THRESHOLD,
            AdaptiveConcurrencyConfig.DEFAULT_MIN_SAMPLES, AdaptiveConcurrencyConfig.DEFAULT_INITIAL_RTT))
        .retryPolicy(retryPolicy());
    tier.ifPresent(pacer::tier);
    burst.ifPresent(pacer::burst);
    outputRule.ifPresent(pacer::outputRule);
    Limits common = commonLimits();
    if (common.anyKnown()) {
      pacer.limits(common);
    }
    poolLimits.forEach((pool, limits) -> pacer.poolLimits(pool, common.orElse(limits)));
    return pacer;
  }

  public static final class Builder {
    private Tier tier;
    private Long rpm;
    private Long itpm;
    private Long otpm;
    private final Map<String, Limits> poolLimits = new TreeMap<>();
    private Duration window = DEFAULT_WINDOW;
    private Duration burst;
    private OutputRule outputRule;
    private int concurrency = DEFAULT_CONCURRENCY;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Priority priority = Priority.BATCH;

    private Builder() {}

    public Builder tier(Tier tier) {
      this.tier = tier;
      return this;
    }

    /** A tier by name: {@code start}, {@code build}, {@code scale}, {@code tier1}…{@code tier4}. */
    public Builder tier(String tier) {
      this.tier = Tier.parse(tier);
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

    public Builder poolLimits(String pool, Limits limits) {
      poolLimits.put(pool, limits);
      return this;
    }

    public Builder poolLimits(Map<String, Limits> limits) {
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

    /** How the server counts output; null (the default) to learn it. */
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

    public Builder priority(Priority priority) {
      this.priority = priority;
      return this;
    }

    public PacingConfig build() {
      return new PacingConfig(Optional.ofNullable(tier), optional(rpm), optional(itpm), optional(otpm), poolLimits,
          window, Optional.ofNullable(burst), Optional.ofNullable(outputRule), concurrency, requestTimeout, priority);
    }

    private static OptionalLong optional(Long value) {
      return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }
  }
}
