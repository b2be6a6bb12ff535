package dev.pacer.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.time.FakeTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariants of {@link RetryBudget} over random walks of first attempts, retry requests and time,
 * one walk per seed (seeded, so a failure replays exactly).
 */
class RetryBudgetProperties {

  static LongStream seeds() {
    return LongStream.range(0, 60);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void neverMoreRetriesInAWindowThanTheBudgetAllows(long seed) {
    Walk walk = new Walk(seed);
    walk.run(3_000);

    // Whenever a retry was granted, the window ending then (it included) held at most
    // floor(ratio × its first attempts + reserve) retries. The window is counted in steps of a
    // tenth, so "ending then" is: the ten steps up to the step of the grant.
    for (long end : walk.retrySlots.stream().distinct().toList()) {
      long from = end - RetryBudget.SLOTS;
      long firsts = walk.firstSlots.stream().filter(s -> s > from && s <= end).count();
      long retries = walk.retrySlots.stream().filter(s -> s > from && s <= end).count();
      long allowed = (long) Math.floor(walk.ratio * firsts + walk.reserve + 1e-9);
      assertThat(retries).as("retries in steps (%d, %d] with %d first attempts", from, end, firsts)
          .isLessThanOrEqualTo(allowed);
    }
    assertThat(walk.retrySlots).isNotEmpty();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void theWaitItGivesIsExact(long seed) {
    Walk walk = new Walk(seed);
    walk.exactWaits = true;
    walk.firstAttemptShare = 1;

    walk.run(3_000);

    assertThat(walk.waitsChecked).isPositive();
  }

  /** One random walk: a budget with random settings and a random mix of events. */
  private static final class Walk {
    final SplittableRandom random;
    final FakeTimeSource time = new FakeTimeSource();
    final double ratio;
    final double reserve;
    final long windowNanos;
    final long origin;
    final RetryBudget budget;
    final List<Long> firstSlots = new ArrayList<>();
    final List<Long> retrySlots = new ArrayList<>();
    boolean exactWaits;
    int firstAttemptShare = 3;
    int waitsChecked;

    Walk(long seed) {
      random = new SplittableRandom(seed);
      ratio = new double[] {0, 0.1, 0.2, 0.5, 1, 2.5}[random.nextInt(6)];
      int floor = 1 + random.nextInt(5);
      Duration window = Duration.ofMillis(1_000 + random.nextInt(30_000));
      windowNanos = window.toNanos();
      origin = time.nanoTime();
      budget = RetryBudget.create(ratio, floor, window, time);
      long slotNanos = windowNanos / RetryBudget.SLOTS;
      reserve = floor * (slotNanos * (double) RetryBudget.SLOTS) / 1e9;
    }

    long slotOf(long nanoTime) {
      return (nanoTime - origin) / (windowNanos / RetryBudget.SLOTS);
    }

    void run(int steps) {
      for (int step = 0; step < steps; step++) {
        int action = random.nextInt(10);
        if (action < firstAttemptShare) {
          int burst = random.nextInt(6);
          for (int i = 0; i < burst; i++) {
            budget.onFirstAttempt();
            firstSlots.add(slotOf(time.nanoTime()));
          }
        } else if (action < 8) {
          int asks = 1 + random.nextInt(exactWaits ? 50 : 20);
          for (int ask = 0; ask < asks; ask++) {
            long wait = budget.tryAcquireRetry();
            assertThat(wait).isNotNegative().isLessThanOrEqualTo(windowNanos);
            if (wait == 0) {
              retrySlots.add(slotOf(time.nanoTime()));
            } else {
              if (exactWaits) {
                time.advanceNanos(wait - 1);
                assertThat(budget.tryAcquireRetry()).as("one nanosecond early").isEqualTo(1);
                time.advanceNanos(1);
                assertThat(budget.tryAcquireRetry()).as("on time").isZero();
                retrySlots.add(slotOf(time.nanoTime()));
                waitsChecked++;
              }
              break;
            }
          }
        } else {
          time.advanceNanos(random.nextLong(windowNanos / 3));
        }
      }
    }
  }
}
