package dev.pacer.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pacer.time.FakeTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

  private static final long SECOND = 1_000_000_000L;

  private final FakeTimeSource time = new FakeTimeSource();

  /** Half a retry per first attempt, 1 retry per second, over 10 s: a reserve of 10 retries. */
  private RetryBudget budget() {
    return RetryBudget.create(0.5, 1, Duration.ofSeconds(10), time);
  }

  private static int takeAll(RetryBudget budget) {
    int taken = 0;
    while (budget.tryAcquireRetry() == 0) {
      taken++;
    }
    return taken;
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    RetryBudgetConfig config = RetryBudget.defaults(time).config();

    assertThat(config).isEqualTo(new RetryBudgetConfig(0.5, 1, Duration.ofSeconds(10)));
    assertThat(config).isEqualTo(RetryBudgetConfig.defaults());
  }

  @Nested
  class Allowance {

    @Test
    void theFloorAloneAllowsItsRetriesOverTheWindow() {
      RetryBudget budget = budget();

      assertThat(takeAll(budget)).isEqualTo(10);
      assertThat(budget.usage()).isEqualTo(new RetryBudget.Usage(0, 10, 10));
    }

    @Test
    void eachFirstAttemptEarnsTheRatio() {
      RetryBudget budget = budget();
      for (int i = 0; i < 20; i++) {
        budget.onFirstAttempt();
      }

      assertThat(takeAll(budget)).isEqualTo(20);
      assertThat(budget.usage()).isEqualTo(new RetryBudget.Usage(20, 20, 20));
    }

    @Test
    void fractionsOfARetryAreNotGranted() {
      RetryBudget budget = RetryBudget.create(0.2, 1, Duration.ofSeconds(1), time);
      for (int i = 0; i < 9; i++) {
        budget.onFirstAttempt();
      }

      // 0.2 × 9 + 1 = 2.8 → 2
      assertThat(takeAll(budget)).isEqualTo(2);
      budget.onFirstAttempt();
      // 0.2 × 10 + 1 = 3
      assertThat(takeAll(budget)).isEqualTo(1);
    }

    @Test
    void aZeroRatioLeavesOnlyTheFloor() {
      RetryBudget budget = RetryBudget.create(0, 2, Duration.ofSeconds(5), time);
      for (int i = 0; i < 100; i++) {
        budget.onFirstAttempt();
      }

      assertThat(takeAll(budget)).isEqualTo(10);
    }
  }

  @Nested
  class WhenSpent {

    @Test
    void aSpentBudgetSaysHowLongToWaitInsteadOfFailing() {
      RetryBudget budget = budget();
      takeAll(budget);

      long wait = budget.tryAcquireRetry();

      assertThat(wait).isEqualTo(10 * SECOND);
      time.advanceNanos(wait - 1);
      assertThat(budget.tryAcquireRetry()).isEqualTo(1);
      time.advanceNanos(1);
      assertThat(budget.tryAcquireRetry()).isZero();
    }

    @Test
    void askingDoesNotTakeAToken() {
      RetryBudget budget = budget();
      takeAll(budget);

      for (int i = 0; i < 5; i++) {
        assertThat(budget.tryAcquireRetry()).isPositive();
      }
      assertThat(budget.usage().retries()).isEqualTo(10);
    }

    @Test
    void theWindowRefillsStepByStep() {
      RetryBudget budget = budget();
      for (int second = 0; second < 10; second++) {
        assertThat(budget.tryAcquireRetry()).as("second %d", second).isZero();
        time.advance(Duration.ofSeconds(1));
      }
      // t = 10 s: the retry from second 0 has left the window; the one from second 1 leaves at 11 s.
      assertThat(budget.tryAcquireRetry()).isZero();
      assertThat(budget.tryAcquireRetry()).isEqualTo(SECOND);
      time.advance(Duration.ofMillis(400));
      assertThat(budget.tryAcquireRetry()).isEqualTo(600_000_000L);
    }

    @Test
    void firstAttemptsLeavingTheWindowTakeTheirAllowanceWithThem() {
      RetryBudget budget = budget();
      for (int i = 0; i < 20; i++) {
        budget.onFirstAttempt();
      }
      time.advance(Duration.ofSeconds(5));
      assertThat(takeAll(budget)).isEqualTo(20);

      // At 10 s the first attempts leave (allowance 10) but the 20 retries stay until 15 s.
      assertThat(budget.tryAcquireRetry()).isEqualTo(10 * SECOND);
      time.advance(Duration.ofSeconds(10));
      assertThat(takeAll(budget)).isEqualTo(10);
    }

    @Test
    void newFirstAttemptsShortenTheWait() {
      RetryBudget budget = budget();
      takeAll(budget);
      assertThat(budget.tryAcquireRetry()).isEqualTo(10 * SECOND);

      budget.onFirstAttempt();
      budget.onFirstAttempt();

      assertThat(budget.tryAcquireRetry()).isZero();
    }
  }

  @Nested
  class InAnOutage {

    /**
     * Five minutes in which every attempt fails: 200 requests each want a retry right away and
     * again 2 s after each failure; no first attempts are made after the start. The budget holds
     * retries to its floor, and never refuses one: every answer is a wait of at most the window.
     */
    @Test
    void retriesTrickleAtTheFloorAndNoneIsLost() {
      RetryBudget budget = budget();
      long start = time.nanoTime();
      for (int i = 0; i < 200; i++) {
        budget.onFirstAttempt();
      }
      PriorityQueue<long[]> waiting = new PriorityQueue<>((a, b) -> Long.compare(a[0] - start, b[0] - start));
      for (int request = 0; request < 200; request++) {
        waiting.add(new long[] {start, request, 0});
      }
      List<Long> granted = new ArrayList<>();
      long longestWait = 0;
      long end = start + Duration.ofMinutes(5).toNanos();
      while (!waiting.isEmpty() && waiting.peek()[0] - end < 0) {
        long[] next = waiting.poll();
        if (next[0] - time.nanoTime() > 0) {
          time.advanceNanos(next[0] - time.nanoTime());
        }
        long wait = budget.tryAcquireRetry();
        if (wait == 0) {
          granted.add(time.nanoTime() - start);
          next[2]++; // the retry fails too (outage): it wants another, after a 2 s backoff
          next[0] = time.nanoTime() + 2 * SECOND;
        } else {
          longestWait = Math.max(longestWait, wait);
          next[0] = time.nanoTime() + wait;
        }
        waiting.add(next);
      }

      // 0.5 × 200 + 10 at once, then the floor's 10 at 10 s, 20 s, … 290 s.
      assertThat(granted).hasSize(110 + 10 * 29);
      assertThat(longestWait).isEqualTo(10 * SECOND);
      for (long from = 0; from < Duration.ofMinutes(5).toNanos(); from += SECOND) {
        long windowStart = from;
        long inWindow = granted.stream().filter(t -> t >= windowStart && t < windowStart + 10 * SECOND).count();
        assertThat(inWindow).as("retries in the 10 s from %d s", from / SECOND)
            .isLessThanOrEqualTo(from < 10 * SECOND ? 110 : 10);
      }
    }
  }

  @Test
  void aRetryIsGrantedOnlyOnceUnderContention() throws Exception {
    RetryBudget budget = budget();
    for (int i = 0; i < 1000; i++) {
      budget.onFirstAttempt();
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> takers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        takers.add(pool.submit(() -> {
          go.await();
          int taken = 0;
          for (int i = 0; i < 500; i++) {
            if (budget.tryAcquireRetry() == 0) {
              taken++;
            }
          }
          return taken;
        }));
      }
      go.countDown();
      int total = 0;
      for (Future<Integer> taker : takers) {
        total += taker.get(30, TimeUnit.SECONDS);
      }

      assertThat(total).isEqualTo(510);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void rejectsNonsenseConfiguration() {
    assertThatThrownBy(() -> RetryBudget.create(-0.1, 1, Duration.ofSeconds(10), time))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ratio");
    assertThatThrownBy(() -> RetryBudget.create(Double.NaN, 1, Duration.ofSeconds(10), time))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ratio");
    assertThatThrownBy(() -> RetryBudget.create(0.2, 0, Duration.ofSeconds(10), time))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minRetriesPerSecond");
    assertThatThrownBy(() -> RetryBudget.create(0.2, 1, Duration.ofMillis(999), time))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window");
    assertThatThrownBy(() -> RetryBudget.create(0.2, 1, Duration.ofHours(2), time))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window");
  }
}
