package dev.pacer.redis;

import dev.pacer.time.TimeSource;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link RedisBucketStore} uses Redis. Immutable; every value has a default
 * ({@link #defaults()}).
 *
 * @param prefix names the limits shared: processes with the same prefix on the same Redis share
 *     their pools' buckets (one organization, or one workspace). Letters, digits and
 *     {@code - _ . :} only.
 * @param faultMode what to do while Redis cannot be reached
 * @param commandTimeout how long one call may take before Redis counts as unreachable
 * @param connectTimeout how long connecting may take
 * @param failClosedAfter under {@link FaultMode#FAIL_CLOSED}, how long a take waits for Redis to
 *     come back before it fails with {@link RedisUnavailableException}
 * @param heartbeatInterval how often a process says it is alive (it counts as alive for three
 *     intervals); the live processes set the share each takes under {@link FaultMode#DEGRADE}
 * @param probeInterval how often, while Redis is unreachable, the store tries it again
 * @param ticketGrace how long a waiter's place in the cross-process queue is kept after the time
 *     it was told to come back (so that a process that died holds nobody up for longer)
 * @param assumedProcesses the share's divisor under {@link FaultMode#DEGRADE} when no heartbeat
 *     was ever counted (Redis went away before the first)
 * @param time virtual time for tests: {@code now} is taken from it (as microseconds) instead of
 *     from Redis's {@code TIME}; null in production, where only Redis's clock is shared by all
 */
public record RedisStoreConfig(String prefix, FaultMode faultMode, Duration commandTimeout, Duration connectTimeout,
    Duration failClosedAfter, Duration heartbeatInterval, Duration probeInterval, Duration ticketGrace,
    int assumedProcesses, TimeSource time) {

  public RedisStoreConfig {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.isEmpty() || !prefix.matches("[A-Za-z0-9_.:-]+")) {
      throw new IllegalArgumentException("prefix must be letters, digits and - _ . : only, not '" + prefix + "'");
    }
    Objects.requireNonNull(faultMode, "faultMode");
    positive(commandTimeout, "commandTimeout");
    positive(connectTimeout, "connectTimeout");
    Objects.requireNonNull(failClosedAfter, "failClosedAfter");
    if (failClosedAfter.isNegative()) {
      throw new IllegalArgumentException("failClosedAfter must not be negative");
    }
    positive(heartbeatInterval, "heartbeatInterval");
    positive(probeInterval, "probeInterval");
    positive(ticketGrace, "ticketGrace");
    if (assumedProcesses < 1) {
      throw new IllegalArgumentException("assumedProcesses must be at least 1");
    }
  }

  private static void positive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, not " + value);
    }
  }

  /** Prefix {@code pacer}, degrade on faults, 1 s per call, heartbeats every 2 s. */
  public static RedisStoreConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.prefix = prefix;
    builder.faultMode = faultMode;
    builder.commandTimeout = commandTimeout;
    builder.connectTimeout = connectTimeout;
    builder.failClosedAfter = failClosedAfter;
    builder.heartbeatInterval = heartbeatInterval;
    builder.probeInterval = probeInterval;
    builder.ticketGrace = ticketGrace;
    builder.assumedProcesses = assumedProcesses;
    builder.time = time;
    return builder;
  }

  /** Builds a {@link RedisStoreConfig}; see the record's components for what each means. */
  public static final class Builder {
    private String prefix = "pacer";
    private FaultMode faultMode = FaultMode.DEGRADE;
    private Duration commandTimeout = Duration.ofSeconds(1);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration failClosedAfter = Duration.ofSeconds(30);
    private Duration heartbeatInterval = Duration.ofSeconds(2);
    private Duration probeInterval = Duration.ofMillis(250);
    private Duration ticketGrace = Duration.ofSeconds(2);
    private int assumedProcesses = 4;
    private TimeSource time;

    private Builder() {}

    public Builder prefix(String value) {
      prefix = value;
      return this;
    }

    public Builder faultMode(FaultMode value) {
      faultMode = value;
      return this;
    }

    public Builder commandTimeout(Duration value) {
      commandTimeout = value;
      return this;
    }

    public Builder connectTimeout(Duration value) {
      connectTimeout = value;
      return this;
    }

    public Builder failClosedAfter(Duration value) {
      failClosedAfter = value;
      return this;
    }

    public Builder heartbeatInterval(Duration value) {
      heartbeatInterval = value;
      return this;
    }

    public Builder probeInterval(Duration value) {
      probeInterval = value;
      return this;
    }

    public Builder ticketGrace(Duration value) {
      ticketGrace = value;
      return this;
    }

    public Builder assumedProcesses(int value) {
      assumedProcesses = value;
      return this;
    }

    /** Virtual time, for tests only: see {@link RedisStoreConfig#time()}. */
    public Builder time(TimeSource value) {
      time = value;
      return this;
    }

    public RedisStoreConfig build() {
      return new RedisStoreConfig(prefix, faultMode, commandTimeout, connectTimeout, failClosedAfter,
          heartbeatInterval, probeInterval, ticketGrace, assumedProcesses, time);
    }
  }
}
