package dev.pacer.concurrency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pacer.time.FakeTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdaptiveConcurrencyLimitTest {

  private static final long SECOND = 1_000_000_000L;

  private final FakeTimeSource time = new FakeTimeSource();

  /** Limits 1 to 100 from 20, ×0.9 above a 30% share of at least 10 outcomes per 1 s (assumed RTT). */
  private AdaptiveConcurrencyLimit limit() {
    return AdaptiveConcurrencyLimit.builder().minLimit(1).maxLimit(100).initialLimit(20)
        .initialRtt(Duration.ofSeconds(1)).timeSource(time).build();
  }

  private static void overloads(ConcurrencyLimit limit, int count) {
    for (int i = 0; i < count; i++) {
      limit.onOverload();
    }
  }

  private static void successes(ConcurrencyLimit limit, int count, long rttNanos) {
    for (int i = 0; i < count; i++) {
      limit.onSuccess(rttNanos);
    }
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    assertThat(AdaptiveConcurrencyLimit.builder().timeSource(time).build().config())
        .isEqualTo(AdaptiveConcurrencyConfig.defaults())
        .isEqualTo(new AdaptiveConcurrencyConfig(1, 1_000, 64, 0.9, 0.3, 10, Duration.ofSeconds(2)));
  }

  @Nested
  class Up {

    @Test
    void startsAtTheInitialLimit() {
      assertThat(limit().limit()).isEqualTo(20);
    }

    @Test
    void slowStartAddsOnePerSuccessBeforeAnyOverload() {
      AdaptiveConcurrencyLimit limit = limit();

      successes(limit, 10, SECOND);

      assertThat(limit.limit()).isEqualTo(30);
    }

    @Test
    void neverGrowsPastTheMaximum() {
      AdaptiveConcurrencyLimit limit = limit();

      successes(limit, 1_000, SECOND);

      assertThat(limit.limit()).isEqualTo(100);
    }

    @Test
    void aLimitThatIsNotUsedDoesNotGrow() {
      AdaptiveConcurrencyLimit limit = limit();

      for (int i = 0; i < 50; i++) {
        limit.onSuccess(SECOND, 9);
      }
      assertThat(limit.limit()).isEqualTo(20);

      limit.onSuccess(SECOND, 10);
      assertThat(limit.limit()).isEqualTo(21);
    }

    @Test
    void afterAnOverloadItGrowsByOnePerLimitsWorthOfSuccesses() {
      AdaptiveConcurrencyLimit limit = limit();
      time.advance(Duration.ofSeconds(1));
      overloads(limit, 10);
      assertThat(limit.limit()).isEqualTo(18);

      successes(limit, 17, SECOND);
      assertThat(limit.limit()).isEqualTo(18);
      limit.onSuccess(SECOND);
      assertThat(limit.limit()).isEqualTo(19);
      successes(limit, 18, SECOND);
      assertThat(limit.limit()).isEqualTo(19);
      limit.onSuccess(SECOND);
      assertThat(limit.limit()).isEqualTo(20);
    }
  }

  @Nested
  class Down {

    @Test
    void nothingIsJudgedBeforeARoundTripHasPassed() {
      AdaptiveConcurrencyLimit limit = limit();

      overloads(limit, 100);
      time.advance(Duration.ofMillis(999));
      overloads(limit, 100);

      assertThat(limit.limit()).isEqualTo(20);
    }

    @Test
    void nothingIsJudgedOnFewerThanMinSamplesOutcomes() {
      AdaptiveConcurrencyLimit limit = limit();
      time.advance(Duration.ofSeconds(5));

      overloads(limit, 9);
      assertThat(limit.limit()).isEqualTo(20);
      limit.onOverload();
      assertThat(limit.limit()).isEqualTo(18);
    }

    @Test
    void aWaveOfOverloadsFromRequestsSentTogetherCountsOnce() {
      AdaptiveConcurrencyLimit limit = limit();
      time.advance(Duration.ofSeconds(1));

      overloads(limit, 50);

      assertThat(limit.limit()).isEqualTo(18);
      assertThat(limit.overloadShare()).isEqualTo(1.0);
    }

    @Test
    void decreasesAgainOnlyAfterARoundTrip() {
      AdaptiveConcurrencyLimit limit = limit();
      time.advance(Duration.ofSeconds(1));
      overloads(limit, 40);

      time.advance(Duration.ofMillis(999));
      overloads(limit, 10);
      assertThat(limit.limit()).isEqualTo(18);

      time.advance(Duration.ofMillis(1));
      overloads(limit, 10);
      assertThat(limit.limit()).isEqualTo(16);
    }

    @Test
    void aShareAtTheThresholdIsTolerated() {
      AdaptiveConcurrencyLimit limit = limit();
      time.advance(Duration.ofSeconds(1));

      for (int i = 0; i < 7; i++) {
        limit.onOtherFailure();
      }
      overloads(limit, 3);

      assertThat(limit.overloadShare()).isEqualTo(0.3);
      assertThat(limit.limit()).isEqualTo(20);
    }

    @Test
    void theRoundTripIsMeasuredFromSuccesses() {
      AdaptiveConcurrencyLimit limit = limit();
      limit.onSuccess(5 * SECOND);
      assertThat(limit.smoothedRtt()).isEqualTo(Duration.ofSeconds(5));
      int before = limit.limit();

      time.advance(Duration.ofSeconds(4));
      overloads(limit, 40);
      assertThat(limit.limit()).isEqualTo(before);

      time.advance(Duration.ofSeconds(1));
      limit.onOverload();
      assertThat(limit.limit()).isLessThan(before);
    }

    @Test
    void theRoundTripIsSmoothed() {
      AdaptiveConcurrencyLimit limit = AdaptiveConcurrencyLimit.builder().maxLimit(10).initialLimit(10)
          .timeSource(time).build();

      limit.onSuccess(8 * SECOND);
      limit.onSuccess(16 * SECOND);

      assertThat(limit.smoothedRtt()).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void anOutageTakesItToTheMinimumAndNoFurther() {
      AdaptiveConcurrencyLimit limit = limit();
      List<Integer> seen = new ArrayList<>();

      for (int round = 0; round < 60; round++) {
        time.advance(Duration.ofSeconds(1));
        overloads(limit, 20);
        seen.add(limit.limit());
      }

      assertThat(seen).startsWith(18, 16, 14, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
      assertThat(limit.limit()).isEqualTo(1);
    }

    @Test
    void afterAnOutageItReturnsQuicklyToWhereItsFirstDecreaseLeftIt() {
      AdaptiveConcurrencyLimit limit = limit();
      for (int round = 0; round < 40; round++) {
        time.advance(Duration.ofSeconds(1));
        overloads(limit, 20);
      }
      assertThat(limit.limit()).isEqualTo(1);

      // Traffic comes back: each round trip, as many successes as the limit lets through.
      int rounds = 0;
      while (limit.limit() < 18) {
        time.advance(Duration.ofSeconds(1));
        int inFlight = limit.limit();
        for (int i = 0; i < inFlight; i++) {
          limit.onSuccess(SECOND, inFlight);
        }
        rounds++;
      }

      assertThat(rounds).isLessThanOrEqualTo(10);
      int recovered = limit.limit();
      successes(limit, recovered, SECOND);
      assertThat(limit.limit()).as("additive again past the recovery target").isEqualTo(recovered + 1);
    }

    @Test
    void otherFailuresNeverShrinkItAndDiluteTheOverloadShare() {
      AdaptiveConcurrencyLimit limit = limit();
      for (int i = 0; i < 1_000; i++) {
        limit.onOtherFailure();
        if (i % 4 == 0) {
          limit.onOverload();
        }
        time.advanceNanos(SECOND / 10);
      }

      assertThat(limit.limit()).isEqualTo(20);
      assertThat(limit.overloadShare()).isBetween(0.15, 0.25);
    }

    @Test
    void aThresholdOfZeroShrinksOnAnyOverloadInTheInterval() {
      AdaptiveConcurrencyLimit eager = AdaptiveConcurrencyLimit.builder().initialLimit(20).overloadThreshold(0)
          .initialRtt(Duration.ofSeconds(1)).timeSource(time).build();
      time.advance(Duration.ofSeconds(1));

      for (int i = 0; i < 9; i++) {
        eager.onOtherFailure();
      }
      eager.onOverload();

      assertThat(eager.limit()).isEqualTo(18);
    }
  }

  @Nested
  class ServiceWideOverloads {

    /**
     * 529s at a steady 20% of attempts, whatever our load. Each round trip (2 s) sends as many
     * attempts as the limit allows and reports their outcomes in random order.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void aSteady20PercentDoesNotCollapseTheLimit(long seed) {
      AdaptiveConcurrencyLimit limit = AdaptiveConcurrencyLimit.builder().initialLimit(100).maxLimit(1_000)
          .timeSource(time).build();

      Run run = simulate(limit, 0.2, 500, seed);

      assertThat(run.lowest()).as("lowest limit").isGreaterThanOrEqualTo(90);
      assertThat(run.last()).as("final limit").isGreaterThanOrEqualTo(100);
    }

    @Test
    void withoutTheThresholdTheSame529sWouldStarveIt() {
      AdaptiveConcurrencyLimit naive = AdaptiveConcurrencyLimit.builder().initialLimit(100).maxLimit(1_000)
          .overloadThreshold(0).timeSource(time).build();

      Run run = simulate(naive, 0.2, 500, 1);

      assertThat(run.last()).isLessThan(30);
    }

    @Test
    void aRealOverloadStillBringsItDown() {
      AdaptiveConcurrencyLimit limit = AdaptiveConcurrencyLimit.builder().initialLimit(100).maxLimit(1_000)
          .timeSource(time).build();

      Run run = simulate(limit, 0.6, 200, 1);

      assertThat(run.last()).isLessThanOrEqualTo(10);
    }

    private Run simulate(AdaptiveConcurrencyLimit limit, double overloadRate, int rounds, long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      Random shuffler = new Random(seed);
      long rtt = 2 * SECOND;
      int lowest = Integer.MAX_VALUE;
      for (int round = 0; round < rounds; round++) {
        int inFlight = limit.limit();
        List<Boolean> outcomes = new ArrayList<>(inFlight);
        for (int i = 0; i < inFlight; i++) {
          outcomes.add(random.nextDouble() < overloadRate);
        }
        Collections.shuffle(outcomes, shuffler);
        time.advanceNanos(rtt);
        for (boolean overloaded : outcomes) {
          if (overloaded) {
            limit.onOverload();
          } else {
            limit.onSuccess(rtt, inFlight);
          }
        }
        lowest = Math.min(lowest, limit.limit());
      }
      return new Run(lowest, limit.limit());
    }

    private record Run(int lowest, int last) {}
  }

  @Test
  void staysWithinItsBoundsUnderConcurrentReports() throws Exception {
    AdaptiveConcurrencyLimit limit = AdaptiveConcurrencyLimit.builder().minLimit(2).maxLimit(50).initialLimit(10)
        .overloadThreshold(0).timeSource(time).build();
    time.advance(Duration.ofSeconds(5));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> reporters = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        reporters.add(pool.submit(() -> {
          for (int i = 0; i < 5_000; i++) {
            switch ((i + thread) % 3) {
              case 0 -> limit.onSuccess(SECOND);
              case 1 -> limit.onOverload();
              default -> limit.onOtherFailure();
            }
            assertThat(limit.limit()).isBetween(2, 50);
          }
        }));
      }
      for (Future<?> reporter : reporters) {
        reporter.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(limit.limit()).isBetween(2, 50);
  }

  @Test
  void rejectsNonsenseConfiguration() {
    assertThatThrownBy(() -> AdaptiveConcurrencyLimit.builder().minLimit(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minLimit");
    assertThatThrownBy(() -> AdaptiveConcurrencyLimit.builder().minLimit(10).maxLimit(5).initialLimit(5).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLimit");
    assertThatThrownBy(() -> AdaptiveConcurrencyLimit.builder().initialLimit(2_000).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialLimit");
    assertThatThrownBy(() -> AdaptiveConcurrencyLimit.builder().decreaseFactor(1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decreaseFactor");
    assertThatThrownBy(() -> AdaptiveConcurrencyLimit.builder().overloadThreshold(1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overloadThreshold");
    assertThatThrownBy(() -> AdaptiveConcurrencyLimit.builder().minSamples(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minSamples");
    assertThatThrownBy(() -> AdaptiveConcurrencyLimit.builder().initialRtt(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialRtt");
  }
}
