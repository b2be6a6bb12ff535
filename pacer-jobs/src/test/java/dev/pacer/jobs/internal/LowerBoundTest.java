package dev.pacer.jobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.limits.Limits;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LowerBoundTest {

  private static final List<LowerBound.PoolLoad> LOADS = List.of(new LowerBound.PoolLoad("haiku-4-5", 1_000, 30_000, 0));

  @Test
  void theBucketThatTakesLongestBindsOnceTheBurstIsSpent() {
    // 1,000 requests at 600 a minute, the first 600 from the burst: 40 s, plus the latency.
    LowerBound.Bound bound = LowerBound.compute(LOADS, pool -> Limits.of(600, 1_000_000, 100_000),
        Duration.ofMinutes(1), Optional.empty(), Duration.ofMillis(300));
    assertThat(bound.time()).isEqualTo(Duration.ofMillis(40_300));
    assertThat(bound.binding()).isEqualTo("haiku-4-5 requests (RPM 600)");
    assertThat(bound.complete()).isTrue();
  }

  @Test
  void aCapOnRequestsInFlightBindsWhereTheLimitsAreFarAway() {
    // The job fits in the burst (one latency), but 64 in flight at 0.5 s each take 1,000 / 64 × 0.5 s.
    LowerBound.Bound buckets = LowerBound.compute(LOADS, pool -> Limits.of(5_000, 5_000_000, 1_000_000),
        Duration.ofMinutes(1), Optional.empty(), Duration.ofMillis(300));
    LowerBound.Bound bound = LowerBound.withConcurrency(buckets, 1_000, Duration.ofMillis(500), 64, "--concurrency");
    assertThat(bound.time()).isEqualTo(Duration.ofNanos(7_812_500_000L));
    assertThat(bound.binding())
        .isEqualTo("concurrency: at most 64 requests in flight (--concurrency), answers taking 500ms on average");
  }

  @Test
  void theLimitsBindWhereTheCapLetsMoreThroughThanTheyDo() {
    LowerBound.Bound buckets = LowerBound.compute(LOADS, pool -> Limits.of(600, 1_000_000, 100_000),
        Duration.ofMinutes(1), Optional.empty(), Duration.ofMillis(300));
    assertThat(LowerBound.withConcurrency(buckets, 1_000, Duration.ofMillis(500), 64, "--concurrency")).isEqualTo(buckets);
  }
}
