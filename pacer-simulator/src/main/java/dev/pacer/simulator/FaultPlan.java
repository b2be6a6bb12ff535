package dev.pacer.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The standing faults of a simulator: what it does to attempts by chance, by schedule or by load,
 * as opposed to the one-shot faults queued with {@link Faults#failNext}. Immutable; set it with
 * {@link SimulatorConfig.Builder#faults(FaultPlan)} or at run time with {@link Faults#plan(FaultPlan)}
 * and the setters of {@link Faults}.
 *
 * <p>Every fault keeps the server serving. Faults that answer with an error status are decided after
 * validation and before admission, and charge no bucket; they are tried in this order, the first
 * that hits wins: an {@linkplain Builder#outage outage} (503), a {@linkplain Faults#failNext queued
 * failure}, an {@linkplain Builder#overloadWave overload wave} (529), the
 * {@linkplain Builder#overloadCapacity load} (529), the {@linkplain Builder#overloadProbability overload
 * probability} (529), the {@linkplain Builder#errorProbability error probabilities}, then the
 * {@linkplain Builder#accelerationLimit acceleration limit} (429). Broken streams and dropped
 * connections are decided once an attempt is admitted.
 */
public final class FaultPlan {

  private static final FaultPlan NONE = builder().build();

  private final double overloadProbability;
  private final Map<Integer, Double> errorProbabilities;
  private final List<FaultWindow> overloadWaves;
  private final int overloadCapacity;
  private final List<FaultWindow> outages;
  private final double streamErrorProbability;
  private final double dropConnectionProbability;
  private final SlowHeaders slowHeaders;
  private final AccelerationLimit accelerationLimit;

  private FaultPlan(Builder b) {
    this.overloadProbability = b.overloadProbability;
    this.errorProbabilities = java.util.Collections.unmodifiableMap(new TreeMap<>(b.errorProbabilities));
    this.overloadWaves = List.copyOf(b.overloadWaves);
    this.overloadCapacity = b.overloadCapacity;
    this.outages = List.copyOf(b.outages);
    this.streamErrorProbability = b.streamErrorProbability;
    this.dropConnectionProbability = b.dropConnectionProbability;
    this.slowHeaders = b.slowHeaders;
    this.accelerationLimit = b.accelerationLimit;
  }

  /** No faults at all. */
  public static FaultPlan none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.overloadProbability = overloadProbability;
    b.errorProbabilities.putAll(errorProbabilities);
    b.overloadWaves.addAll(overloadWaves);
    b.overloadCapacity = overloadCapacity;
    b.outages.addAll(outages);
    b.streamErrorProbability = streamErrorProbability;
    b.dropConnectionProbability = dropConnectionProbability;
    b.slowHeaders = slowHeaders;
    b.accelerationLimit = accelerationLimit;
    return b;
  }

  /** True when this plan does nothing. */
  public boolean isEmpty() {
    return overloadProbability == 0 && errorProbabilities.isEmpty() && overloadWaves.isEmpty()
        && overloadCapacity == 0 && outages.isEmpty() && streamErrorProbability == 0
        && dropConnectionProbability == 0 && slowHeaders == null && accelerationLimit == null;
  }

  /** The chance that an attempt is answered 529 overloaded_error, at any time. */
  public double overloadProbability() {
    return overloadProbability;
  }

  /** Error statuses (500, 502, 503, …) answered by chance, with their probabilities, by status. */
  public Map<Integer, Double> errorProbabilities() {
    return errorProbabilities;
  }

  /** Windows when attempts are answered 529 overloaded_error (with each window's probability). */
  public List<FaultWindow> overloadWaves() {
    return overloadWaves;
  }

  /** Attempts in flight the server holds before it sheds load with 529s; 0 when off. */
  public int overloadCapacity() {
    return overloadCapacity;
  }

  /** Windows when every request to the API is answered 503 (with each window's probability). */
  public List<FaultWindow> outages() {
    return outages;
  }

  /** The chance that an admitted stream ends with {@code event: error} (overloaded_error) after some content. */
  public double streamErrorProbability() {
    return streamErrorProbability;
  }

  /** The chance that an admitted attempt's connection is closed halfway through its answer. */
  public double dropConnectionProbability() {
    return dropConnectionProbability;
  }

  public Optional<SlowHeaders> slowHeaders() {
    return Optional.ofNullable(slowHeaders);
  }

  public Optional<AccelerationLimit> accelerationLimit() {
    return Optional.ofNullable(accelerationLimit);
  }

  /**
   * The 529 probability from load: 0 up to the capacity, then rising linearly with the attempts in
   * flight {@code n} (this one included) to certain at twice the capacity:
   * {@code min(1, (n − capacity) / capacity)}.
   */
  public static double loadSheddingProbability(int inFlight, int capacity) {
    if (capacity <= 0 || inFlight <= capacity) return 0;
    return Math.min(1.0, (inFlight - capacity) / (double) capacity);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FaultPlan p
        && p.overloadProbability == overloadProbability && p.errorProbabilities.equals(errorProbabilities)
        && p.overloadWaves.equals(overloadWaves) && p.overloadCapacity == overloadCapacity
        && p.outages.equals(outages) && p.streamErrorProbability == streamErrorProbability
        && p.dropConnectionProbability == dropConnectionProbability
        && Objects.equals(p.slowHeaders, slowHeaders) && Objects.equals(p.accelerationLimit, accelerationLimit);
  }

  @Override
  public int hashCode() {
    return Objects.hash(overloadProbability, errorProbabilities, overloadWaves, overloadCapacity, outages,
        streamErrorProbability, dropConnectionProbability, slowHeaders, accelerationLimit);
  }

  @Override
  public String toString() {
    if (isEmpty()) return "no faults";
    List<String> parts = new ArrayList<>();
    if (overloadProbability > 0) parts.add("529 p=" + overloadProbability);
    errorProbabilities.forEach((s, p) -> parts.add(s + " p=" + p));
    overloadWaves.forEach(w -> parts.add("529 wave " + w));
    if (overloadCapacity > 0) parts.add("529 beyond " + overloadCapacity + " in flight");
    outages.forEach(w -> parts.add("outage " + w));
    if (streamErrorProbability > 0) parts.add("stream error p=" + streamErrorProbability);
    if (dropConnectionProbability > 0) parts.add("dropped connection p=" + dropConnectionProbability);
    if (slowHeaders != null) parts.add("slow headers " + slowHeaders);
    if (accelerationLimit != null) parts.add("acceleration limit " + accelerationLimit);
    return String.join(", ", parts);
  }

  /** Collects standing faults; {@link #build()} freezes them. */
  public static final class Builder {
    private double overloadProbability;
    private final Map<Integer, Double> errorProbabilities = new TreeMap<>();
    private final List<FaultWindow> overloadWaves = new ArrayList<>();
    private int overloadCapacity;
    private final List<FaultWindow> outages = new ArrayList<>();
    private double streamErrorProbability;
    private double dropConnectionProbability;
    private SlowHeaders slowHeaders;
    private AccelerationLimit accelerationLimit;

    private Builder() {}

    /** Each attempt is answered 529 overloaded_error with probability {@code p} (seeded); 0 turns it off. */
    public Builder overloadProbability(double p) {
      this.overloadProbability = probability(p);
      return this;
    }

    /**
     * Each attempt is answered {@code status} (a 5xx: 500 api_error, 502, 503, 504 timeout_error, 529
     * overloaded_error…) with probability {@code p}; 0 removes it. Statuses are tried in order.
     */
    public Builder errorProbability(int status, double p) {
      if (status < 500 || status > 599) {
        throw new IllegalArgumentException("status must be a 5xx: " + status);
      }
      if (probability(p) == 0) {
        errorProbabilities.remove(status);
      } else {
        errorProbabilities.put(status, p);
      }
      return this;
    }

    /** Adds a window of 529 overloaded_error answers (see {@link FaultWindow}). */
    public Builder overloadWave(FaultWindow wave) {
      overloadWaves.add(Objects.requireNonNull(wave, "wave"));
      return this;
    }

    /**
     * Sheds load: with {@code n} attempts in flight (this one included) above {@code capacity}, an
     * attempt is answered 529 with probability {@code min(1, (n − capacity) / capacity)}. 0 turns it off.
     */
    public Builder overloadCapacity(int capacity) {
      if (capacity < 0) {
        throw new IllegalArgumentException("capacity must not be negative: " + capacity);
      }
      this.overloadCapacity = capacity;
      return this;
    }

    /**
     * Adds an outage: within the window, every request to the API (Messages, count_tokens, models,
     * batches; not {@code /_sim/stats}) is answered 503 api_error.
     */
    public Builder outage(FaultWindow window) {
      outages.add(Objects.requireNonNull(window, "window"));
      return this;
    }

    /**
     * An admitted stream ends, with probability {@code p}, after half of its text deltas with
     * {@code event: error} {@code overloaded_error}, then closes cleanly.
     */
    public Builder streamErrorProbability(double p) {
      this.streamErrorProbability = probability(p);
      return this;
    }

    /**
     * The connection of an admitted attempt is closed, with probability {@code p}, halfway through its
     * answer: a plain answer after half its body (its content-length promised more), a stream after
     * half its text deltas (without the final chunk).
     */
    public Builder dropConnectionProbability(double p) {
      this.dropConnectionProbability = probability(p);
      return this;
    }

    /** Attempts wait before their status line (see {@link SlowHeaders}). */
    public Builder slowHeaders(SlowHeaders slowHeaders) {
      this.slowHeaders = Objects.requireNonNull(slowHeaders, "slowHeaders");
      return this;
    }

    public Builder noSlowHeaders() {
      this.slowHeaders = null;
      return this;
    }

    /** 429s on a sharp ramp-up of the organization's traffic (see {@link AccelerationLimit}). */
    public Builder accelerationLimit(AccelerationLimit limit) {
      this.accelerationLimit = Objects.requireNonNull(limit, "limit");
      return this;
    }

    public Builder noAccelerationLimit() {
      this.accelerationLimit = null;
      return this;
    }

    public FaultPlan build() {
      return new FaultPlan(this);
    }

    private static double probability(double p) {
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("probability must be within 0..1: " + p);
      }
      return p;
    }
  }
}
