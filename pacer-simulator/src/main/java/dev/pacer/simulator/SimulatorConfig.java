package dev.pacer.simulator;

import dev.pacer.simulator.internal.ModelCatalog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Everything a {@link Simulator} is started with; immutable, frozen by {@link Builder#build()}.
 *
 * <p>The limits of a pool, bucket by bucket: {@link Builder#poolLimits} for that pool, else
 * {@link Builder#rpm}/{@link Builder#itpm}/{@link Builder#otpm} (for every pool), else the tier's
 * line for that pool in the data file, else the tier's default line. The tier is {@code start}
 * unless set.
 */
public final class SimulatorConfig {

  /** The tier used when none is set. */
  public static final String DEFAULT_TIER = "start";
  /** 32 MB, the Messages API's request size limit. */
  public static final long DEFAULT_MAX_REQUEST_BYTES = 32L * 1024 * 1024;
  /** Batch requests processed per second, across every batch, unless set. */
  public static final double DEFAULT_BATCH_RATE = 100;
  /** How long a batch has to end before what is left of it expires: 24 h, as the real API. */
  public static final Duration DEFAULT_BATCH_EXPIRY = Duration.ofHours(24);

  private final Long rpm;
  private final Long itpm;
  private final Long otpm;
  private final String tier;
  private final boolean tierSet;
  private final Map<String, Limits> poolLimits;
  private final Long countTokensRpm;
  private final Duration window;
  private final Duration burst;
  private final OutputRule outputRule;
  private final long seed;
  private final Latency latency;
  private final long maxRequestBytes;
  private final long hiddenPromptTokens;
  private final boolean cacheReadyAtFirstToken;
  private final int port;
  private final SimulatorClock clock;
  private final int minOutputTokens;
  private final int maxOutputTokens;
  private final int recordLimit;
  private final Path dataFile;
  private final FaultPlan faults;
  private final List<LimitChange> limitChanges;
  private final double batchRate;
  private final Duration batchExpiry;
  private final BatchValidation batchValidation;
  private final Long batchRpm;
  private final Long batchQueueLimit;

  private SimulatorConfig(Builder b) {
    this.rpm = b.rpm;
    this.itpm = b.itpm;
    this.otpm = b.otpm;
    this.tier = b.tier == null ? DEFAULT_TIER : b.tier;
    this.tierSet = b.tier != null;
    this.poolLimits = Map.copyOf(b.poolLimits);
    this.countTokensRpm = b.countTokensRpm;
    this.window = b.window;
    this.burst = b.burst;
    this.outputRule = b.outputRule;
    this.seed = b.seed;
    this.latency = b.latency;
    this.maxRequestBytes = b.maxRequestBytes;
    this.hiddenPromptTokens = b.hiddenPromptTokens;
    this.cacheReadyAtFirstToken = b.cacheReadyAtFirstToken;
    this.port = b.port;
    this.clock = b.clock;
    this.minOutputTokens = b.minOutputTokens;
    this.maxOutputTokens = b.maxOutputTokens;
    this.recordLimit = b.recordLimit;
    this.dataFile = b.dataFile;
    this.faults = b.faults;
    List<LimitChange> changes = new ArrayList<>(b.limitChanges);
    changes.sort(Comparator.comparing(LimitChange::at)); // stable: same time keeps the order given
    this.limitChanges = List.copyOf(changes);
    this.batchRate = b.batchRate;
    this.batchExpiry = b.batchExpiry;
    this.batchValidation = b.batchValidation;
    this.batchRpm = b.batchRpm;
    this.batchQueueLimit = b.batchQueueLimit;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The defaults: tier {@code start}, 60 s window, full burst, reserve rule, no latency, ephemeral port. */
  public static SimulatorConfig defaults() {
    return builder().build();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.rpm = rpm;
    b.itpm = itpm;
    b.otpm = otpm;
    b.tier = tierSet ? tier : null;
    b.poolLimits.putAll(poolLimits);
    b.countTokensRpm = countTokensRpm;
    b.window = window;
    b.burst = burst;
    b.outputRule = outputRule;
    b.seed = seed;
    b.latency = latency;
    b.maxRequestBytes = maxRequestBytes;
    b.hiddenPromptTokens = hiddenPromptTokens;
    b.cacheReadyAtFirstToken = cacheReadyAtFirstToken;
    b.port = port;
    b.clock = clock;
    b.minOutputTokens = minOutputTokens;
    b.maxOutputTokens = maxOutputTokens;
    b.recordLimit = recordLimit;
    b.dataFile = dataFile;
    b.faults = faults;
    b.limitChanges.addAll(limitChanges);
    b.batchRate = batchRate;
    b.batchExpiry = batchExpiry;
    b.batchValidation = batchValidation;
    b.batchRpm = batchRpm;
    b.batchQueueLimit = batchQueueLimit;
    return b;
  }

  public OptionalLong rpm() {
    return rpm == null ? OptionalLong.empty() : OptionalLong.of(rpm);
  }

  public OptionalLong itpm() {
    return itpm == null ? OptionalLong.empty() : OptionalLong.of(itpm);
  }

  public OptionalLong otpm() {
    return otpm == null ? OptionalLong.empty() : OptionalLong.of(otpm);
  }

  /** The tier whose data-file limits apply where nothing more specific is set. */
  public String tier() {
    return tier;
  }

  /** Limits set for single pools. */
  public Map<String, Limits> poolLimits() {
    return poolLimits;
  }

  /**
   * The count_tokens RPM: as set, else the configured {@link #rpm()}, else the tier's
   * {@code count-tokens-rpm} from the data file.
   */
  public OptionalLong countTokensRpm() {
    return countTokensRpm == null ? OptionalLong.empty() : OptionalLong.of(countTokensRpm);
  }

  public Duration window() {
    return window;
  }

  /** The burst as a duration of refill; empty means a full window (capacity = limit). */
  public Optional<Duration> burst() {
    return Optional.ofNullable(burst);
  }

  public OutputRule outputRule() {
    return outputRule;
  }

  public long seed() {
    return seed;
  }

  public Latency latency() {
    return latency;
  }

  public long maxRequestBytes() {
    return maxRequestBytes;
  }

  /** Input tokens counted on every request beyond what it carries; 0 unless configured. */
  public long hiddenPromptTokens() {
    return hiddenPromptTokens;
  }

  /** Whether a plain request's cache writes become readable only at its first token (see the builder). */
  public boolean cacheReadyAtFirstToken() {
    return cacheReadyAtFirstToken;
  }

  public int port() {
    return port;
  }

  public SimulatorClock clock() {
    return clock;
  }

  /** Answers are between this many output tokens and {@link #maxOutputTokens()}, before {@code max_tokens} caps them. */
  public int minOutputTokens() {
    return minOutputTokens;
  }

  public int maxOutputTokens() {
    return maxOutputTokens;
  }

  /** How many recent request records {@link SimulatorStats#records()} keeps. */
  public int recordLimit() {
    return recordLimit;
  }

  /** A properties file laid over the packaged data file, if set. */
  public Optional<Path> dataFile() {
    return Optional.ofNullable(dataFile);
  }

  /** The standing faults the simulator starts with (and returns to on {@link Faults#reset()}). */
  public FaultPlan faults() {
    return faults;
  }

  /** Limits that change at given times after the start, in time order. */
  public List<LimitChange> limitChanges() {
    return limitChanges;
  }

  /** Batch requests processed per second, across every batch (one at a time, in batch order). */
  public double batchRate() {
    return batchRate;
  }

  /** How long after its creation a batch expires: what is not processed by then is {@code expired}. */
  public Duration batchExpiry() {
    return batchExpiry;
  }

  public BatchValidation batchValidation() {
    return batchValidation;
  }

  /** Requests per window on the batch endpoints; empty: the tier's {@code batches.<tier>} line. */
  public OptionalLong batchRpm() {
    return batchRpm == null ? OptionalLong.empty() : OptionalLong.of(batchRpm);
  }

  /** Batch requests that may wait to be processed, across batches; empty: the tier's {@code batches.<tier>} line. */
  public OptionalLong batchQueueLimit() {
    return batchQueueLimit == null ? OptionalLong.empty() : OptionalLong.of(batchQueueLimit);
  }

  @Override
  public String toString() {
    return "SimulatorConfig[tier=" + tier
        + (rpm != null ? ", rpm=" + rpm : "")
        + (itpm != null ? ", itpm=" + itpm : "")
        + (otpm != null ? ", otpm=" + otpm : "")
        + (poolLimits.isEmpty() ? "" : ", poolLimits=" + poolLimits)
        + ", window=" + Durations.format(window)
        + ", burst=" + (burst == null ? "window" : Durations.format(burst))
        + ", outputRule=" + outputRule.name().toLowerCase(java.util.Locale.ROOT)
        + ", seed=" + seed + ", latency=" + latency + ", port=" + port
        + (faults.isEmpty() ? "" : ", faults=[" + faults + "]")
        + (limitChanges.isEmpty() ? "" : ", limitChanges=" + limitChanges)
        + ", batchRate=" + batchRate + "/s, batchExpiry=" + Durations.format(batchExpiry) + "]";
  }

  /** Collects settings; {@link #build()} validates them and freezes a {@link SimulatorConfig}. */
  public static final class Builder {
    private Long rpm;
    private Long itpm;
    private Long otpm;
    private String tier;
    private final Map<String, Limits> poolLimits = new LinkedHashMap<>();
    private Long countTokensRpm;
    private Duration window = Duration.ofSeconds(60);
    private Duration burst;
    private OutputRule outputRule = OutputRule.RESERVE;
    private long seed;
    private Latency latency = Latency.off();
    private long maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    private long hiddenPromptTokens;
    private boolean cacheReadyAtFirstToken;
    private int port;
    private SimulatorClock clock = SimulatorClock.system();
    private int minOutputTokens = 20;
    private int maxOutputTokens = 400;
    private int recordLimit = 10_000;
    private Path dataFile;
    private FaultPlan faults = FaultPlan.none();
    private final List<LimitChange> limitChanges = new ArrayList<>();
    private double batchRate = DEFAULT_BATCH_RATE;
    private Duration batchExpiry = DEFAULT_BATCH_EXPIRY;
    private BatchValidation batchValidation = BatchValidation.DEFERRED;
    private Long batchRpm;
    private Long batchQueueLimit;

    private Builder() {}

    /** Requests per window for every pool not set apart by {@link #poolLimits}. */
    public Builder rpm(long rpm) {
      this.rpm = positive(rpm, "rpm");
      return this;
    }

    /** Input tokens per window for every pool not set apart by {@link #poolLimits}. */
    public Builder itpm(long itpm) {
      this.itpm = positive(itpm, "itpm");
      return this;
    }

    /** Output tokens per window for every pool not set apart by {@link #poolLimits}. */
    public Builder otpm(long otpm) {
      this.otpm = positive(otpm, "otpm");
      return this;
    }

    /** Shorthand for {@link #rpm}, {@link #itpm} and {@link #otpm}. */
    public Builder limits(Limits limits) {
      return rpm(limits.rpm()).itpm(limits.itpm()).otpm(limits.otpm());
    }

    /** A tier of the data file: {@code start}, {@code build}, {@code scale}, {@code tier1}..{@code tier4}. */
    public Builder tier(String tier) {
      this.tier = Objects.requireNonNull(tier, "tier").trim().toLowerCase(java.util.Locale.ROOT);
      return this;
    }

    /** Limits of one pool (a pool name such as {@code sonnet-4-5}, see the data file). */
    public Builder poolLimits(String pool, long rpm, long itpm, long otpm) {
      return poolLimits(pool, new Limits(rpm, itpm, otpm));
    }

    public Builder poolLimits(String pool, Limits limits) {
      poolLimits.put(Objects.requireNonNull(pool, "pool"), Objects.requireNonNull(limits, "limits"));
      return this;
    }

    /** The count_tokens endpoint's own requests per window. */
    public Builder countTokensRpm(long rpm) {
      this.countTokensRpm = positive(rpm, "countTokensRpm");
      return this;
    }

    /** The window W of every limit; default 60 s. A shorter one compresses time. */
    public Builder window(Duration window) {
      if (!Objects.requireNonNull(window, "window").isPositive()) {
        throw new IllegalArgumentException("window must be positive: " + window);
      }
      this.window = window;
      return this;
    }

    /** The burst as a duration of refill, capacity = rate × burst; default the full window (capacity = limit). */
    public Builder burst(Duration burst) {
      if (!Objects.requireNonNull(burst, "burst").isPositive()) {
        throw new IllegalArgumentException("burst must be positive: " + burst);
      }
      this.burst = burst;
      return this;
    }

    public Builder outputRule(OutputRule outputRule) {
      this.outputRule = Objects.requireNonNull(outputRule, "outputRule");
      return this;
    }

    /** Seeds every answer, id and random fault; the same seed and requests give the same answers. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder latency(Latency latency) {
      this.latency = Objects.requireNonNull(latency, "latency");
      return this;
    }

    /** Requests with a larger body get 413 request_too_large; default 32 MB. */
    public Builder maxRequestBytes(long maxRequestBytes) {
      this.maxRequestBytes = positive(maxRequestBytes, "maxRequestBytes");
      return this;
    }

    /**
     * Input tokens the server counts on every Messages request (and count_tokens) beyond what the
     * request carries, as the real API does when it adds its tool-use system prompt (hundreds of
     * tokens) to a request with tools. Default 0. A client that estimates tokens from the text's
     * length meets a count that is not proportional to it.
     */
    public Builder hiddenPromptTokens(long tokens) {
      if (tokens < 0) {
        throw new IllegalArgumentException("hiddenPromptTokens must be 0 or more, not " + tokens);
      }
      this.hiddenPromptTokens = tokens;
      return this;
    }

    /**
     * When the prefixes a request writes to the prompt cache can be read by others: false
     * (default), from its admission; true, from its first token (its {@code message_start} for a
     * stream, which leaves at admission), as Anthropic's prompt-caching guide says of the API
     * ("a cache entry only becomes available after the first response begins"): requests sent
     * together with one uncached prefix then each write it, and are each counted for it.
     */
    public Builder cacheReadyAtFirstToken(boolean atFirstToken) {
      this.cacheReadyAtFirstToken = atFirstToken;
      return this;
    }

    /** The port on 127.0.0.1; 0, the default, picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535: " + port);
      }
      this.port = port;
      return this;
    }

    /** The clock every rule reads; default the system clock. */
    public Builder clock(SimulatorClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The natural length of answers, before {@code max_tokens} caps them; default 20..400 tokens. */
    public Builder outputTokens(int min, int max) {
      if (min < 1 || max < min) {
        throw new IllegalArgumentException("need 1 <= min <= max, got " + min + ".." + max);
      }
      this.minOutputTokens = min;
      this.maxOutputTokens = max;
      return this;
    }

    /** How many recent request records to keep; default 10,000. */
    public Builder recordLimit(int recordLimit) {
      if (recordLimit < 0) {
        throw new IllegalArgumentException("recordLimit must not be negative: " + recordLimit);
      }
      this.recordLimit = recordLimit;
      return this;
    }

    /** A properties file whose keys are laid over the packaged data file (pools, tiers). */
    public Builder dataFile(Path dataFile) {
      this.dataFile = Objects.requireNonNull(dataFile, "dataFile");
      return this;
    }

    /** The standing faults to start with (see {@link FaultPlan}); default none. */
    public Builder faults(FaultPlan faults) {
      this.faults = Objects.requireNonNull(faults, "faults");
      return this;
    }

    /** At {@code at} after the start, every pool gets {@code limits} (levels clipped to the new capacities). */
    public Builder limitsAt(Duration at, Limits limits) {
      return limitsAt(LimitChange.everyPool(at, limits));
    }

    /** At {@code at} after the start, {@code pool} gets {@code limits}. */
    public Builder limitsAt(Duration at, String pool, Limits limits) {
      return limitsAt(LimitChange.pool(at, pool, limits));
    }

    public Builder limitsAt(LimitChange change) {
      limitChanges.add(Objects.requireNonNull(change, "change"));
      return this;
    }

    /** Batch requests processed per second, across every batch; default 100. */
    public Builder batchRate(double requestsPerSecond) {
      if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
        throw new IllegalArgumentException("batchRate must be positive and finite: " + requestsPerSecond);
      }
      this.batchRate = requestsPerSecond;
      return this;
    }

    /** How long after its creation a batch expires; default 24 h. */
    public Builder batchExpiry(Duration expiry) {
      if (!Objects.requireNonNull(expiry, "expiry").isPositive()) {
        throw new IllegalArgumentException("batchExpiry must be positive: " + expiry);
      }
      this.batchExpiry = expiry;
      return this;
    }

    /** When batch params are checked; default {@link BatchValidation#DEFERRED}, as the real API. */
    public Builder batchValidation(BatchValidation validation) {
      this.batchValidation = Objects.requireNonNull(validation, "validation");
      return this;
    }

    /** Requests per window on the batch endpoints (their own bucket); default the tier's. */
    public Builder batchRpm(long rpm) {
      this.batchRpm = positive(rpm, "batchRpm");
      return this;
    }

    /** Batch requests that may wait to be processed across batches; a create beyond it gets a 429. Default the tier's. */
    public Builder batchQueueLimit(long requests) {
      this.batchQueueLimit = positive(requests, "batchQueueLimit");
      return this;
    }

    public SimulatorConfig build() {
      if (burst != null && burst.compareTo(window) > 0) {
        throw new IllegalArgumentException(
            "burst (" + Durations.format(burst) + ") must not exceed the window ("
                + Durations.format(window) + "): capacity cannot exceed the limit");
      }
      if (tier != null) {
        ModelCatalog catalog = ModelCatalog.load(Optional.ofNullable(dataFile));
        if (!catalog.hasTier(tier)) {
          throw new IllegalArgumentException("unknown tier '" + tier + "'; known: " + catalog.tiers());
        }
      }
      return new SimulatorConfig(this);
    }

    private static long positive(long value, String name) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be at least 1: " + value);
      }
      return value;
    }
  }
}
