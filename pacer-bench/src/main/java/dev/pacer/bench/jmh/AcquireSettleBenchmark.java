package dev.pacer.bench.jmh;

import com.google.common.util.concurrent.RateLimiter;
import dev.pacer.Demand;
import dev.pacer.Governor;
import dev.pacer.GovernorConfig;
import dev.pacer.Permit;
import dev.pacer.Usage;
import dev.pacer.limits.Limits;
import dev.pacer.time.TimeSource;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of letting one request through a limiter that never makes it wait: Pacer's governor
 * ({@code tryAcquire} and {@code settle} with the actual usage), and for scale Guava's
 * {@code RateLimiter.tryAcquire}, Resilience4j's {@code RateLimiter.acquirePermission} and a
 * Bucket4j bucket's {@code tryConsume}. Limits are far above what the benchmark can reach, so every
 * call is granted: this measures the bookkeeping, not the waiting.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AcquireSettleBenchmark {

  private static final long HUGE = 1_000_000_000_000_000L;

  private Governor governor;
  private Demand demand;
  private Usage usage;
  private RateLimiter guava;
  private io.github.resilience4j.ratelimiter.RateLimiter resilience4j;
  private Bucket bucket4j;

  @Setup(Level.Trial)
  public void setUp() {
    governor = new Governor(GovernorConfig.builder().limits(Limits.of(HUGE, HUGE, HUGE)).build(), TimeSource.system());
    demand = Demand.of("claude-sonnet-4-5", 1_000, 200);
    usage = Usage.of(980, 150);
    guava = RateLimiter.create(1e12);
    resilience4j = io.github.resilience4j.ratelimiter.RateLimiter.of("bench", RateLimiterConfig.custom()
        .limitForPeriod(Integer.MAX_VALUE).limitRefreshPeriod(Duration.ofMillis(1)).timeoutDuration(Duration.ZERO)
        .build());
    // Bucket4j refills at most one token a nanosecond; the capacity keeps it from ever running dry.
    bucket4j = Bucket.builder()
        .addLimit(limit -> limit.capacity(HUGE).refillGreedy(1_000_000_000L, Duration.ofSeconds(1)))
        .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    governor.close();
  }

  @Benchmark
  public Permit pacerGovernor() {
    Permit permit = governor.tryAcquire(demand).orElseThrow(() -> new IllegalStateException("no permit"));
    permit.settle(usage);
    return permit;
  }

  @Benchmark
  public boolean guavaRateLimiter() {
    return guava.tryAcquire();
  }

  @Benchmark
  public boolean resilience4jRateLimiter() {
    return resilience4j.acquirePermission();
  }

  @Benchmark
  public boolean bucket4jBucket() {
    return bucket4j.tryConsume(1);
  }
}
