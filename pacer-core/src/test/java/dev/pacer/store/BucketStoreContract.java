package dev.pacer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.pacer.limits.Bucket;
import dev.pacer.time.FakeTimeSource;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link BucketStore} must have, on virtual time. Each implementation runs
 * this suite by extending it ({@code InMemoryBucketStoreTest}; pacer-redis's Redis store).
 */
public abstract class BucketStoreContract {

  protected static final long WINDOW = Duration.ofSeconds(60).toNanos();

  protected FakeTimeSource time;
  private BucketStore store;
  private PoolBuckets pool;

  /** A fresh, empty store reading {@code time}. */
  protected abstract BucketStore newStore(FakeTimeSource time);

  @BeforeEach
  void setUp() {
    time = new FakeTimeSource();
    store = newStore(time);
    pool = store.pool("pool-" + System.nanoTime(), WINDOW);
    pool.configure(Bucket.REQUESTS, 60, 60);
    pool.configure(Bucket.INPUT_TOKENS, 6_000, 6_000);
    pool.configure(Bucket.OUTPUT_TOKENS, 600, 600);
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void aNewBucketStartsFullAndATakeReturnsTheLevelsAfter() {
    PoolBuckets.Take take = pool.tryTake(new double[] {1, 1_000, 100}, "a");
    assertThat(take.granted()).isTrue();
    assertThat(take.levelsAfter()).containsExactly(new double[] {59, 5_000, 500}, offset(1e-6));
    assertThat(take.chargedTotals()).containsExactly(new double[] {1, 1_000, 100}, offset(1e-6));
  }

  @Test
  void aShortBucketSaysHowLongToWaitAndTakesNothing() {
    pool.tryTake(new double[] {1, 6_000, 0}, "a");
    PoolBuckets.Take take = pool.tryTake(new double[] {1, 500, 0}, "b");
    assertThat(take.granted()).isFalse();
    assertThat(take.binding()).isEqualTo(Bucket.INPUT_TOKENS);
    assertThat(take.waitNanos()).isCloseTo(Duration.ofSeconds(5).toNanos(), offset(1_000_000L));
    assertThat(pool.state().levels()[Bucket.REQUESTS.ordinal()]).isCloseTo(59, offset(1e-6));
    time.advance(Duration.ofSeconds(5));
    assertThat(pool.tryTake(new double[] {1, 500, 0}, "b").granted()).isTrue();
  }

  @Test
  void aNeedAboveTheCapacityGoesFromAFullBucketIntoDebt() {
    pool.setCapacity(Bucket.OUTPUT_TOKENS, 100);
    assertThat(pool.tryTake(new double[] {1, 0, 300}, "a").granted()).isTrue();
    assertThat(pool.state().levels()[Bucket.OUTPUT_TOKENS.ordinal()]).isCloseTo(-200, offset(1e-6));
    assertThat(pool.tryTake(new double[] {1, 0, 1}, "b").granted()).isFalse();
  }

  @Test
  void chargesRefundUpToTheCapacityAndChargeMore() {
    pool.tryTake(new double[] {1, 1_000, 500}, "a");
    pool.charge(new double[] {0, -400, -10_000});
    PoolBuckets.State state = pool.state();
    assertThat(state.levels()[Bucket.INPUT_TOKENS.ordinal()]).isCloseTo(5_400, offset(1e-6));
    assertThat(state.levels()[Bucket.OUTPUT_TOKENS.ordinal()]).isCloseTo(600, offset(1e-6));
    pool.charge(new double[] {0, 1_000, 0});
    assertThat(pool.state().levels()[Bucket.INPUT_TOKENS.ordinal()]).isCloseTo(4_400, offset(1e-6));
  }

  @Test
  void aReadingBelowTheForecastLowersItToItsLowEnd() {
    PoolBuckets.Take take = pool.tryTake(new double[] {1, 1_000, 0}, "a");
    double corrected = pool.correct(new PoolBuckets.Reading(Bucket.INPUT_TOKENS, 3_000, 500, take.levelsAfter()[1],
        take.correctionTotals()[1], true, 0, false));
    assertThat(corrected).as("lowered from 5,000 by 2,500").isCloseTo(-2_500, offset(1e-6));
    assertThat(pool.state().levels()[Bucket.INPUT_TOKENS.ordinal()]).isCloseTo(2_500, offset(1e-6));
    // The same reading again (a second permit granted at the same time) corrects nothing more.
    pool.correct(new PoolBuckets.Reading(Bucket.INPUT_TOKENS, 3_000, 500, take.levelsAfter()[1],
        take.correctionTotals()[1], true, 0, false));
    assertThat(pool.state().levels()[Bucket.INPUT_TOKENS.ordinal()]).isCloseTo(2_500, offset(1e-6));
  }

  @Test
  void aReadingWellAboveTheForecastRaisesItButNotBeyondWhatOthersHeld() {
    pool.tryTake(new double[] {1, 5_000, 0}, "a");
    PoolBuckets.Take take = pool.tryTake(new double[] {1, 500, 0}, "b");
    // Forecast 500; the server says 4,000 (3,500 to 4,500): at least 3,000 more, less 1,000 held by
    // others in flight.
    double raise = pool.correct(new PoolBuckets.Reading(Bucket.INPUT_TOKENS, 4_000, 500, take.levelsAfter()[1],
        take.correctionTotals()[1], true, 1_000, false));
    assertThat(raise).isCloseTo(2_000, offset(1e-6));
    assertThat(pool.state().levels()[Bucket.INPUT_TOKENS.ordinal()]).isCloseTo(2_500, offset(1e-6));
    double deferred = pool.correct(new PoolBuckets.Reading(Bucket.INPUT_TOKENS, 6_000, 500, take.levelsAfter()[1],
        take.correctionTotals()[1], true, 0, true));
    assertThat(deferred).isPositive();
    assertThat(pool.state().levels()[Bucket.INPUT_TOKENS.ordinal()]).isCloseTo(2_500, offset(1e-6));
    pool.raise(Bucket.INPUT_TOKENS, 100);
    assertThat(pool.state().levels()[Bucket.INPUT_TOKENS.ordinal()]).isCloseTo(2_600, offset(1e-6));
  }

  @Test
  void aReadingThatAgreesWithTheForecastWithinItsRoundingChangesNothing() {
    PoolBuckets.Take take = pool.tryTake(new double[] {1, 1_000, 0}, "a");
    // Forecast 5,000: a reading of 5,000 or of 4,600 (4,100 to 5,100) does not prove it wrong.
    for (double remaining : new double[] {5_000, 4_600, 5_400}) {
      assertThat(pool.correct(new PoolBuckets.Reading(Bucket.INPUT_TOKENS, remaining, 500, take.levelsAfter()[1],
          take.correctionTotals()[1], true, 0, false))).isZero();
      assertThat(pool.state().levels()[Bucket.INPUT_TOKENS.ordinal()]).isCloseTo(5_000, offset(1e-6));
    }
  }

  @Test
  void aReadingThatMayNotRaiseOnlyLowers() {
    PoolBuckets.Take take = pool.tryTake(new double[] {1, 5_000, 0}, "a");
    pool.correct(new PoolBuckets.Reading(Bucket.INPUT_TOKENS, 6_000, 500, take.levelsAfter()[1],
        take.correctionTotals()[1], false, 0, false));
    assertThat(pool.state().levels()[Bucket.INPUT_TOKENS.ordinal()]).isCloseTo(1_000, offset(1e-6));
  }

  @Test
  void aPauseHoldsEveryTakeUntilItEnds() {
    pool.pause(Duration.ofSeconds(3).toNanos());
    PoolBuckets.Take take = pool.tryTake(new double[] {1, 1, 1}, "a");
    assertThat(take.granted()).isFalse();
    assertThat(take.paused()).isTrue();
    assertThat(take.waitNanos()).isEqualTo(Duration.ofSeconds(3).toNanos());
    time.advance(Duration.ofSeconds(3));
    assertThat(pool.tryTake(new double[] {1, 1, 1}, "a").granted()).isTrue();
  }

  @Test
  void aDrainSlowsTheRefill() {
    pool.tryTake(new double[] {1, 6_000, 0}, "a");
    pool.setDrain(Bucket.INPUT_TOKENS, 50.0 / 1e9); // half of the 100 a second refill
    time.advance(Duration.ofSeconds(10));
    assertThat(pool.state().levels()[Bucket.INPUT_TOKENS.ordinal()]).isCloseTo(500, offset(1e-3));
  }

  @Test
  void lowerToAndNewLimitsClipTheLevel() {
    pool.lowerTo(Bucket.REQUESTS, 10);
    assertThat(pool.state().levels()[Bucket.REQUESTS.ordinal()]).isCloseTo(10, offset(1e-6));
    pool.lowerTo(Bucket.REQUESTS, 50);
    assertThat(pool.state().levels()[Bucket.REQUESTS.ordinal()]).isCloseTo(10, offset(1e-6));
    pool.configure(Bucket.INPUT_TOKENS, 3_000, 3_000);
    PoolBuckets.State state = pool.state();
    assertThat(state.limits()[Bucket.INPUT_TOKENS.ordinal()]).isEqualTo(3_000);
    assertThat(state.levels()[Bucket.INPUT_TOKENS.ordinal()]).isCloseTo(3_000, offset(1e-6));
  }

  @Test
  void aFloorStaysInTheBucketUnlessTheNeedIsTooLargeForIt() {
    pool.setFloor(Bucket.REQUESTS, 10);
    for (int i = 0; i < 50; i++) {
      assertThat(pool.tryTake(new double[] {1, 0, 0}, "a").granted()).isTrue();
    }
    PoolBuckets.Take take = pool.tryTake(new double[] {1, 0, 0}, "a");
    assertThat(take.granted()).isFalse();
    assertThat(take.waitNanos()).isCloseTo(Duration.ofSeconds(1).toNanos(), offset(1_000_000L));
    pool.setFloor(Bucket.OUTPUT_TOKENS, 100);
    pool.charge(new double[] {-50, 0, 0});
    assertThat(pool.tryTake(new double[] {1, 0, 600}, "b").granted()).isTrue(); // the whole capacity, from full
  }

  @Test
  void aBucketWithoutALimitHoldsNothingBack() {
    PoolBuckets other = store.pool("unknown-" + System.nanoTime(), WINDOW);
    assertThat(other.tryTake(new double[] {1, 1_000_000, 1_000_000}, "a").granted()).isTrue();
    assertThat(other.state().limits()).containsExactly(-1, -1, -1);
  }
}
